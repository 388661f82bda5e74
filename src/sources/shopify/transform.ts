import {
  ProductSchema,
  VariantSchema,
  type CatalogEntry,
  type Variant,
  type VariantInput,
} from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { GRAMS, type WeightUnit } from "../../core/units.js";
import { decodeStoreBatch, fillOptionFields, storeMoney } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import type { ShopifyConnection } from "./options.js";
import type { ShopifyProductRecord, ShopifyVariantRecord } from "./records.js";

/**
 * Shopify records → canonical products, after the mapping agreed with the WooCommerce source so
 * that one merchant catalog gives the same products (and byte-identical feeds) through either
 * store: id = handle, brand = vendor, description = descriptionHtml, link =
 * `<store_url>/products/<handle>`, price = compareAtPrice with salePrice = price when on sale,
 * currency from the options, stock per location and its sum, options zipped with their values,
 * weight in grams. Pure: no clock, no I/O.
 */

type Options = Pick<ShopifyConnection, "currency" | "store_url">;

const WEIGHT_UNITS: Readonly<Record<string, WeightUnit>> = {
  GRAMS: "g",
  KILOGRAMS: "kg",
  OUNCES: "oz",
  POUNDS: "lb",
};

/** Shopify's placeholder option of a product without options. */
const DEFAULT_TITLE = "Default Title";

export function decodeShopifyBatch(batch: RecordBatch, options: Options): DecodedBatch {
  return decodeStoreBatch<ShopifyProductRecord>(batch, (group, file, issues) =>
    decodeShopifyProduct(group, options, file, issues),
  );
}

export function decodeShopifyProduct(
  record: ShopifyProductRecord,
  options: Options,
  label: string,
  issues: RowIssue[],
): CatalogEntry | undefined {
  // Drafts and archived products are not for sale: left out without an issue (docs/stores-shopify.md).
  if (record.status !== "ACTIVE") return undefined;
  const issue = (ref: string, field: string, message: string, id?: string): void => {
    issues.push({
      file: label,
      line: record.position,
      ref,
      field,
      severity: "error",
      message,
      ...(id ? { id } : {}),
    });
  };
  const variants: Variant[] = [];
  const variantIds: string[] = [];
  for (const variant of record.variants) {
    const decoded = decodeVariant(variant, options, (field, message) =>
      issue(variant.id, field, message, variant.sku ?? undefined),
    );
    if (decoded) {
      variants.push(decoded);
      variantIds.push(variant.id);
    }
  }
  if (variants.length === 0) {
    if (record.variants.length === 0)
      issue(record.id, "variants", "the product has no variants", record.handle);
    return undefined;
  }
  const parsed = ProductSchema.safeParse({
    id: record.handle,
    title: record.title,
    ...(nonEmpty(record.descriptionHtml) ? { description: record.descriptionHtml } : {}),
    ...(nonEmpty(record.vendor) ? { brand: record.vendor } : {}),
    link: `${options.store_url}/products/${record.handle}`,
    images: record.images,
    ...(nonEmpty(record.productType) ? { productType: record.productType } : {}),
    // Sorted (Shopify returns them so): one catalog gives one canonical product in every store.
    tags: record.tags.filter(nonEmpty).sort(),
    variants,
  });
  if (!parsed.success) {
    for (const problem of parsed.error.issues)
      issue(record.id, problem.path.map(String).join("."), problem.message, record.handle);
    return undefined;
  }
  return {
    product: parsed.data,
    origin: {
      file: label,
      line: record.position,
      variantLines: variants.map(() => record.position),
      ids: { product: record.id, variants: variantIds },
    },
  };
}

function decodeVariant(
  variant: ShopifyVariantRecord,
  options: Options,
  report: (field: string, message: string) => void,
): Variant | undefined {
  const sku = variant.sku?.trim() ?? "";
  if (sku === "") {
    report("sku", "the variant has no SKU; channels and orders need one");
    return undefined;
  }
  const price = storeMoney(variant.price, options.currency, "price", report);
  if (price === undefined) return undefined;
  const compareAt =
    variant.compareAtPrice === null || variant.compareAtPrice.trim() === ""
      ? undefined
      : storeMoney(variant.compareAtPrice, options.currency, "compareAtPrice", report);
  // The "was" price is the regular price; a compare-at price not above the price is no sale.
  const onSale = compareAt !== undefined && compareAt.amount > price.amount;
  const inventory = variant.inventory.map((level) => ({
    location: level.location,
    quantity: Math.max(0, level.quantity),
  }));
  const input: VariantInput = {
    sku,
    ...(nonEmpty(variant.barcode) ? { gtin: variant.barcode.trim() } : {}),
    price: onSale ? compareAt : price,
    ...(onSale ? { salePrice: price } : {}),
    quantity: inventory.reduce((sum, level) => sum + level.quantity, 0),
    inventory,
    options: variant.selectedOptions
      .filter((option) => option.value !== DEFAULT_TITLE && nonEmpty(option.name) && nonEmpty(option.value))
      .map((option) => ({ name: option.name, value: option.value })),
    ...(variant.weight ? weightOf(variant.weight) : {}),
  };
  fillOptionFields(input);
  const parsed = VariantSchema.safeParse(input);
  if (!parsed.success) {
    for (const problem of parsed.error.issues)
      report(problem.path.map(String).join(".") || "variant", problem.message);
    return undefined;
  }
  return parsed.data;
}

function weightOf(weight: { unit: string; value: number }): { weight?: { value: number; unit: "g" } } {
  const unit = WEIGHT_UNITS[weight.unit];
  if (unit === undefined || !Number.isFinite(weight.value) || weight.value < 0) return {};
  return { weight: { value: Math.round(weight.value * GRAMS[unit] * 1000) / 1000, unit: "g" } };
}

function nonEmpty(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim() !== "";
}
