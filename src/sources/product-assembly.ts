import { ProductSchema, type CatalogEntry, type ProductInput, type VariantInput } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";
import { parseMoney, type Money } from "../core/money.js";
import type { DecodedBatch, RecordBatch } from "./source.js";

/** A product as a decoder put it together, before the final check. */
export interface ProductDraft {
  product: ProductInput;
  /** Line of the product's first record. */
  line: number;
  /** Line of each variant's record, index-aligned with `product.variants`. */
  variantLines: number[];
}

/** Turns a canonical path (`["variants", 2, "price"]`) into the field name the file uses. */
export type FieldNamer = (path: readonly PropertyKey[]) => string;

export const joinPath: FieldNamer = (path) => path.map(String).join(".");

/** A batch of store records (Shopify, WooCommerce) decoded product by product, issues gathered. */
export function decodeStoreBatch<G>(
  batch: RecordBatch,
  decode: (group: G, file: string, issues: RowIssue[]) => CatalogEntry | undefined,
): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for (const group of batch.groups as G[]) {
    const entry = decode(group, batch.file, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

/** A store's decimal price text as Money, or its reason reported against `field` (then undefined). */
export function storeMoney(
  text: string,
  currency: string,
  field: string,
  report: (field: string, message: string) => void,
  consequence = "",
): Money | undefined {
  const parsed = parseMoney(text, currency);
  if (!parsed.ok) {
    report(field, `${parsed.reason}${consequence}`);
    return undefined;
  }
  return parsed.money;
}

const COLOR_OPTION = /^colou?r$/i;
const SIZE_OPTION = /^size$/i;

/**
 * Every format fills `color` and `size` from options named Color/Colour/Size when the variant
 * does not set them, so the canonical product is the same whatever the file format.
 */
export function fillOptionFields(variant: VariantInput): void {
  const options: unknown = variant.options;
  // JSON records reach here before the schema has checked them.
  if (!Array.isArray(options)) return;
  for (const option of options as unknown[]) {
    if (typeof option !== "object" || option === null) continue;
    const { name, value } = option as { name?: unknown; value?: unknown };
    if (typeof name !== "string" || typeof value !== "string") continue;
    if (variant.color === undefined && COLOR_OPTION.test(name)) variant.color = value;
    else if (variant.size === undefined && SIZE_OPTION.test(name)) variant.size = value;
  }
}

/**
 * The final check of a decoded product: `ProductSchema` once. What the field readers let through
 * and the schema rejects is reported against the field the file uses; a rejected variant is left
 * out and the rest of the product kept, a rejected product-level field leaves out the product.
 */
export function finishProduct(
  draft: ProductDraft,
  file: string,
  issues: RowIssue[],
  fieldName: FieldNamer = joinPath,
): CatalogEntry | undefined {
  const first = ProductSchema.safeParse(draft.product);
  if (first.success) {
    return { product: first.data, origin: { file, line: draft.line, variantLines: draft.variantLines } };
  }
  const rejected = new Set<number>();
  let productRejected = false;
  for (const issue of first.error.issues) {
    const index = variantIndex(issue.path);
    if (index === undefined) productRejected = true;
    else rejected.add(index);
    issues.push(schemaIssue(draft, file, issue.path, issue.message, index, fieldName));
  }
  if (productRejected) return undefined;
  const variants = draft.product.variants.filter((_, index) => !rejected.has(index));
  if (variants.length === 0) return undefined;
  const variantLines = draft.variantLines.filter((_, index) => !rejected.has(index));
  const second = ProductSchema.safeParse({ ...draft.product, variants });
  if (second.success) return { product: second.data, origin: { file, line: draft.line, variantLines } };
  for (const issue of second.error.issues) {
    issues.push(schemaIssue(draft, file, issue.path, issue.message, undefined, fieldName));
  }
  return undefined;
}

function variantIndex(path: readonly PropertyKey[]): number | undefined {
  return path[0] === "variants" && typeof path[1] === "number" ? path[1] : undefined;
}

function schemaIssue(
  draft: ProductDraft,
  file: string,
  path: readonly PropertyKey[],
  message: string,
  index: number | undefined,
  fieldName: FieldNamer,
): RowIssue {
  const variant = index === undefined ? undefined : draft.product.variants[index];
  const sku = typeof variant?.sku === "string" && variant.sku.trim() !== "" ? variant.sku.trim() : undefined;
  const productId = typeof draft.product.id === "string" ? draft.product.id.trim() : "";
  const issue: RowIssue = {
    file,
    line: index === undefined ? draft.line : (draft.variantLines[index] ?? draft.line),
    field: fieldName(path),
    severity: "error",
    message,
  };
  const id = sku ?? (productId === "" ? undefined : productId);
  if (id !== undefined) issue.id = id;
  return issue;
}
