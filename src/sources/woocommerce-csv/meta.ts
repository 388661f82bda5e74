import type { ProductInput, VariantInput } from "../../core/catalog.js";
import {
  readAgeGroup,
  readAvailability,
  readCondition,
  readDate,
  readGender,
  readInventory,
  readMoney,
  readText,
  readUrl,
  type FieldSite,
} from "../field-values.js";
import type { MetaColumn } from "./columns.js";

/**
 * WooCommerce's CSV has no column for several canonical fields; they travel as `Meta: omnifeed_*`
 * columns (post meta the exporter writes when meta export is on). `omnifeed_override.<channel>.<field>`
 * holds overrides; any other `Meta: <key>` becomes the attribute `<key>`.
 */
export const OMNIFEED_META_PREFIX = "omnifeed_";
export const OVERRIDE_META_PREFIX = "omnifeed_override.";

type Overridable = { attributes: Record<string, string>; overrides: Record<string, Record<string, string>> };
export type ProductDraft = ProductInput & Overridable;
export type VariantDraft = VariantInput & Overridable;
type Apply<Target> = (
  target: Target,
  site: FieldSite,
  column: string,
  value: string,
  currency: string,
) => void;

/** Keys read on the row of a product (a variable parent or a simple product). */
export const PRODUCT_META: Readonly<Record<string, Apply<ProductDraft>>> = {
  omnifeed_product_id: (p, _s, _c, value) => (p.id = value),
  omnifeed_brand: (p, _s, _c, value) => (p.brand = value),
  omnifeed_link: (p, site, column, value) => (p.link = readUrl(site, column, value)),
  omnifeed_product_type: (p, _s, _c, value) => (p.productType = value),
  omnifeed_google_product_category: (p, _s, _c, value) => (p.googleProductCategory = value),
  omnifeed_color: (p, _s, _c, value) => (p.color = value),
  omnifeed_material: (p, _s, _c, value) => (p.material = value),
  omnifeed_pattern: (p, _s, _c, value) => (p.pattern = value),
  omnifeed_gender: (p, site, column, value) => (p.gender = readGender(site, column, value)),
  omnifeed_age_group: (p, site, column, value) => (p.ageGroup = readAgeGroup(site, column, value)),
  omnifeed_condition: (p, site, column, value) => (p.condition = readCondition(site, column, value)),
};

/** Keys that only a variant has; on a simple product's row they fill its one variant. */
export const VARIANT_ONLY_META: Readonly<Record<string, Apply<VariantDraft>>> = {
  omnifeed_title: (v, _s, _c, value) => (v.title = value),
  omnifeed_gtin: (v, _s, _c, value) => (v.gtin = value),
  omnifeed_mpn: (v, _s, _c, value) => (v.mpn = value),
  omnifeed_size: (v, _s, _c, value) => (v.size = value),
  omnifeed_cost_of_goods: (v, site, column, value, currency) =>
    (v.costOfGoods = readMoney(site, column, value, currency)),
  omnifeed_availability: (v, site, column, value) => (v.availability = readAvailability(site, column, value)),
  omnifeed_availability_date: (v, site, column, value) =>
    (v.availabilityDate = readDate(site, column, value)),
  omnifeed_inventory: (v, site, column, value) => (v.inventory = readInventory(site, column, value)),
};

/** Keys read on a variation's row: its own ones and those it shares with products. */
export const VARIATION_META: Readonly<Record<string, Apply<VariantDraft>>> = {
  ...VARIANT_ONLY_META,
  omnifeed_link: (v, site, column, value) => (v.link = readUrl(site, column, value)),
  omnifeed_color: (v, _s, _c, value) => (v.color = value),
  omnifeed_material: (v, _s, _c, value) => (v.material = value),
  omnifeed_pattern: (v, _s, _c, value) => (v.pattern = value),
  omnifeed_gender: (v, site, column, value) => (v.gender = readGender(site, column, value)),
  omnifeed_age_group: (v, site, column, value) => (v.ageGroup = readAgeGroup(site, column, value)),
  omnifeed_condition: (v, site, column, value) => (v.condition = readCondition(site, column, value)),
};

export function isKnownMeta(key: string): boolean {
  const lower = key.toLowerCase();
  if (!lower.startsWith(OMNIFEED_META_PREFIX)) return true;
  if (lower.startsWith(OVERRIDE_META_PREFIX)) return /^omnifeed_override\.[^.]+\.[^.]/.test(lower);
  return lower in PRODUCT_META || lower in VARIATION_META;
}

/**
 * Applies the meta columns of a row. `table` says which omnifeed keys apply; with `others` false,
 * attributes and overrides are left to another call (a simple product's row fills the product's).
 */
export function applyMeta<Target extends Overridable>(
  target: Target,
  row: readonly string[],
  columns: readonly MetaColumn[],
  header: readonly string[],
  site: FieldSite,
  currency: string,
  table: Readonly<Record<string, Apply<Target>>>,
  others: boolean,
): void {
  for (const column of columns) {
    const value = readText(row[column.position]);
    if (value === undefined) continue;
    const key = column.key.toLowerCase();
    if (!key.startsWith(OMNIFEED_META_PREFIX)) {
      if (others) target.attributes[column.key] = value;
    } else if (key.startsWith(OVERRIDE_META_PREFIX)) {
      if (!others) continue;
      const rest = column.key.slice(OVERRIDE_META_PREFIX.length);
      const dot = rest.indexOf(".");
      if (dot > 0) (target.overrides[rest.slice(0, dot)] ??= {})[rest.slice(dot + 1)] = value;
    } else {
      table[key]?.(target, site, header[column.position]!, value, currency);
    }
  }
}
