import type { ProductInput, VariantInput } from "../../core/catalog.js";
import {
  readAgeGroup,
  readAvailability,
  readCondition,
  readDate,
  readDimensions,
  readGender,
  readInventory,
  readList,
  readText,
  readUrl,
  readUrlList,
  readWeight,
  type FieldSite,
} from "../field-values.js";
import type { MetafieldColumn } from "./columns.js";

/**
 * Shopify's CSV has no column for several canonical fields; they travel as metafields of the
 * `omnifeed` namespace (`Material (product.metafields.omnifeed.material)`), plus
 * `omnifeed.attr.<name>` for attributes and `omnifeed.override.<channel>.<field>` for overrides.
 * Metafields of other namespaces become attributes named `namespace.key`.
 */
export const OMNIFEED_NAMESPACE = "omnifeed";
export const ATTRIBUTE_KEY_PREFIX = "attr.";
export const OVERRIDE_KEY_PREFIX = "override.";

type ProductDraft = ProductInput & {
  attributes: Record<string, string>;
  overrides: Record<string, Record<string, string>>;
};
type VariantDraft = VariantInput & {
  attributes: Record<string, string>;
  overrides: Record<string, Record<string, string>>;
};

type Apply<Target> = (target: Target, site: FieldSite, column: string, value: string) => void;

/** `omnifeed` keys of product metafields and what they set. */
export const PRODUCT_METAFIELDS: Readonly<Record<string, Apply<ProductDraft>>> = {
  link: (p, site, column, value) => (p.link = readUrl(site, column, value)),
  color: (p, _site, _column, value) => (p.color = readText(value)),
  material: (p, _site, _column, value) => (p.material = readText(value)),
  pattern: (p, _site, _column, value) => (p.pattern = readText(value)),
  gender: (p, site, column, value) => (p.gender = readGender(site, column, value)),
  age_group: (p, site, column, value) => (p.ageGroup = readAgeGroup(site, column, value)),
  condition: (p, site, column, value) => (p.condition = readCondition(site, column, value)),
  product_type: (p, _site, _column, value) => (p.productType = readText(value)),
  google_product_category: (p, _site, _column, value) => (p.googleProductCategory = readText(value)),
};

/** `omnifeed` keys of variant metafields and what they set. */
export const VARIANT_METAFIELDS: Readonly<Record<string, Apply<VariantDraft>>> = {
  title: (v, _site, _column, value) => (v.title = readText(value)),
  link: (v, site, column, value) => (v.link = readUrl(site, column, value)),
  color: (v, _site, _column, value) => (v.color = readText(value)),
  size: (v, _site, _column, value) => (v.size = readText(value)),
  material: (v, _site, _column, value) => (v.material = readText(value)),
  pattern: (v, _site, _column, value) => (v.pattern = readText(value)),
  gender: (v, site, column, value) => (v.gender = readGender(site, column, value)),
  age_group: (v, site, column, value) => (v.ageGroup = readAgeGroup(site, column, value)),
  condition: (v, site, column, value) => (v.condition = readCondition(site, column, value)),
  gtin: (v, _site, _column, value) => (v.gtin = readText(value)),
  mpn: (v, _site, _column, value) => (v.mpn = readText(value)),
  inventory: (v, site, column, value) => (v.inventory = readInventory(site, column, value)),
  availability: (v, site, column, value) => (v.availability = readAvailability(site, column, value)),
  availability_date: (v, site, column, value) => (v.availabilityDate = readDate(site, column, value)),
  sale_price_start: (v, site, column, value) => (v.salePriceStart = readDate(site, column, value)),
  sale_price_end: (v, site, column, value) => (v.salePriceEnd = readDate(site, column, value)),
  weight: (v, site, column, value) => (v.weight = readWeight(site, column, value)),
  dimensions: (v, site, column, value) => (v.dimensions = readDimensions(site, column, value)),
  // Images after the one in "Variant image URL".
  images: (v, site, column, value) =>
    (v.images = [...(v.images ?? []), ...readUrlList(site, column, readList(value))]),
};

/** True when a metafield column means something to this reader (for the header check). */
export function isKnownMetafield(column: MetafieldColumn): boolean {
  if (column.namespace.toLowerCase() !== OMNIFEED_NAMESPACE) return true;
  const key = column.key.toLowerCase();
  if (key.startsWith(ATTRIBUTE_KEY_PREFIX)) return key.length > ATTRIBUTE_KEY_PREFIX.length;
  if (key.startsWith(OVERRIDE_KEY_PREFIX)) return /^override\.[^.]+\.[^.]/.test(key);
  return key in (column.owner === "product" ? PRODUCT_METAFIELDS : VARIANT_METAFIELDS);
}

/** Applies the metafield columns of one owner found in a row. */
export function applyMetafields<Target extends ProductDraft | VariantDraft>(
  target: Target,
  row: readonly string[],
  columns: readonly MetafieldColumn[],
  header: readonly string[],
  site: FieldSite,
  table: Readonly<Record<string, Apply<Target>>>,
): void {
  for (const column of columns) {
    const value = readText(row[column.position]);
    if (value === undefined) continue;
    if (column.namespace.toLowerCase() !== OMNIFEED_NAMESPACE) {
      target.attributes[`${column.namespace}.${column.key}`] = value;
      continue;
    }
    const key = column.key.toLowerCase();
    if (key.startsWith(ATTRIBUTE_KEY_PREFIX)) {
      target.attributes[column.key.slice(ATTRIBUTE_KEY_PREFIX.length)] = value;
    } else if (key.startsWith(OVERRIDE_KEY_PREFIX)) {
      const rest = column.key.slice(OVERRIDE_KEY_PREFIX.length);
      const dot = rest.indexOf(".");
      if (dot > 0) (target.overrides[rest.slice(0, dot)] ??= {})[rest.slice(dot + 1)] = value;
    } else {
      table[key]?.(target, site, header[column.position]!, value);
    }
  }
}
