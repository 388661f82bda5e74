import { OmnifeedError } from "../core/errors.js";
import { PRODUCT_RECORD_KEYS, VARIANT_RECORD_KEYS, type ProductRecord } from "./json/record.js";

/**
 * What a set of product records uses, so a writer can fix its header before the first row:
 * which fields are filled at product and at variant level, which attribute and override names
 * occur, and how many options a variant has at most.
 */
export interface RecordShape {
  productFields: ReadonlySet<string>;
  variantFields: ReadonlySet<string>;
  productAttributes: readonly string[];
  variantAttributes: readonly string[];
  /** `channel.field` */
  productOverrides: readonly string[];
  variantOverrides: readonly string[];
  options: number;
}

/** One pass over the records (they are small enough to scan twice, or the caller knows the shape). */
export function describeRecords(records: Iterable<ProductRecord>): RecordShape {
  const productFields = new Set<string>();
  const variantFields = new Set<string>();
  const productAttributes = new Set<string>();
  const variantAttributes = new Set<string>();
  const productOverrides = new Set<string>();
  const variantOverrides = new Set<string>();
  let options = 0;
  for (const product of records) {
    collectFields(product, productFields);
    for (const name of Object.keys(product.attributes ?? {})) productAttributes.add(name);
    collectOverrides(product.overrides, productOverrides);
    for (const variant of product.variants) {
      collectFields(variant, variantFields);
      for (const name of Object.keys(variant.attributes ?? {})) variantAttributes.add(name);
      collectOverrides(variant.overrides, variantOverrides);
      options = Math.max(options, variant.options?.length ?? 0);
    }
  }
  return {
    productFields,
    variantFields,
    productAttributes: [...productAttributes],
    variantAttributes: [...variantAttributes],
    productOverrides: [...productOverrides],
    variantOverrides: [...variantOverrides],
    options,
  };
}

/** The shape to assume when none is given: every field, three options, no attributes or overrides. */
export function defaultRecordShape(): RecordShape {
  return {
    productFields: PRODUCT_RECORD_KEYS,
    variantFields: VARIANT_RECORD_KEYS,
    productAttributes: [],
    variantAttributes: [],
    productOverrides: [],
    variantOverrides: [],
    options: 3,
  };
}

function collectFields(record: object, fields: Set<string>): void {
  for (const [key, value] of Object.entries(record)) {
    if (!isEmptyValue(value)) fields.add(key);
  }
}

function collectOverrides(overrides: Record<string, Record<string, string>> | undefined, names: Set<string>) {
  for (const name of overrideNames(overrides)) names.add(name);
}

export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** `google.title` → `["google", "title"]` */
export function splitOverride(name: string): [string, string] {
  const dot = name.indexOf(".");
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * A writer's check that a record fits the header it fixed up front: a value with no column would
 * be lost silently, which is a bug in the caller (describe the records first).
 */
export function createShapeCheck(shape: RecordShape, maxOptions: number): (product: ProductRecord) => void {
  const productAttributes = new Set(shape.productAttributes);
  const variantAttributes = new Set(shape.variantAttributes);
  const productOverrides = new Set(shape.productOverrides);
  const variantOverrides = new Set(shape.variantOverrides);
  const fail = (product: ProductRecord, what: string) => {
    throw new OmnifeedError(
      "config",
      `product ${product.id}: ${what} has no column in this file (describe the records first)`,
    );
  };
  return (product) => {
    for (const name of keysOf(product.attributes)) {
      if (!productAttributes.has(name)) fail(product, `product attribute "${name}"`);
    }
    for (const name of overrideNames(product.overrides)) {
      if (!productOverrides.has(name)) fail(product, `product override "${name}"`);
    }
    for (const variant of product.variants) {
      for (const name of keysOf(variant.attributes)) {
        if (!variantAttributes.has(name)) fail(product, `attribute "${name}" of variant ${variant.sku}`);
      }
      for (const name of overrideNames(variant.overrides)) {
        if (!variantOverrides.has(name)) fail(product, `override "${name}" of variant ${variant.sku}`);
      }
      if ((variant.options?.length ?? 0) > maxOptions) {
        fail(product, `option ${maxOptions + 1} of variant ${variant.sku}`);
      }
    }
  };
}

function keysOf(record: Record<string, string> | undefined): string[] {
  return record === undefined ? [] : Object.keys(record);
}

function overrideNames(overrides: Record<string, Record<string, string>> | undefined): string[] {
  if (overrides === undefined) return [];
  const names: string[] = [];
  for (const [channel, fields] of Object.entries(overrides)) {
    for (const field of Object.keys(fields)) names.push(`${channel}.${field}`);
  }
  return names;
}
