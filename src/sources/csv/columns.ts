import { findColumn, headerKey, indexHeader } from "../csv-header.js";
import type { FieldNamer } from "../product-assembly.js";

/**
 * The canonical flat columns of a generic catalog CSV, in the order the writer uses. One row is
 * one variant; product-level columns are read from the product's first row. `color`, `size`,
 * `material`, `pattern`, `gender`, `age_group` and `condition` belong to the row's variant; the
 * `product.` columns set them for the whole product.
 */
export const CSV_COLUMNS = [
  "item_group_id",
  "sku",
  "title",
  "variant_title",
  "description",
  "brand",
  "link",
  "variant_link",
  "image_link",
  "additional_image_links",
  "variant_image_link",
  "category",
  "product_type",
  "google_product_category",
  "condition",
  "gtin",
  "mpn",
  "price",
  "sale_price",
  "sale_price_start",
  "sale_price_end",
  "cost_of_goods",
  "currency",
  "availability",
  "availability_date",
  "quantity",
  "inventory",
  "color",
  "size",
  "material",
  "pattern",
  "gender",
  "age_group",
  "weight",
  "dimensions",
  "tags",
  "option1_name",
  "option1_value",
  "option2_name",
  "option2_value",
  "option3_name",
  "option3_value",
  "product.color",
  "product.material",
  "product.pattern",
  "product.gender",
  "product.age_group",
  "product.condition",
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export const OPTION_COLUMNS = [
  ["option1_name", "option1_value"],
  ["option2_name", "option2_value"],
  ["option3_name", "option3_value"],
] as const;

export const ATTRIBUTE_PREFIX = "attr.";
export const OVERRIDE_PREFIX = "override.";
export const PRODUCT_PREFIX = "product.";

export interface NamedColumn {
  name: string;
  position: number;
}
export interface OverrideColumn {
  channel: string;
  field: string;
  position: number;
}

/** Where each canonical column sits in one file's header, compiled once per file. */
export interface CsvLayout {
  header: readonly string[];
  at: Readonly<Partial<Record<CsvColumn, number>>>;
  /** Each canonical column as this file names it (the canonical name when absent), for issues. */
  names: Readonly<Record<CsvColumn, string>>;
  variantAttributes: readonly NamedColumn[];
  productAttributes: readonly NamedColumn[];
  variantOverrides: readonly OverrideColumn[];
  productOverrides: readonly OverrideColumn[];
  /** Header names that match nothing. */
  unknown: readonly string[];
  /** `column_map` entries whose column is not in the header. */
  unmapped: readonly [string, string][];
}

export function compileCsvLayout(
  header: readonly string[],
  columnMap: Readonly<Record<string, string>>,
): CsvLayout {
  const index = indexHeader(header);
  const claimed = new Set<number>();
  const at: Partial<Record<CsvColumn, number>> = {};
  const unmapped: [string, string][] = [];
  for (const column of CSV_COLUMNS) {
    const mapped = columnMap[column];
    const position = findColumn(index, mapped ?? column);
    if (position === undefined) {
      if (mapped !== undefined) unmapped.push([column, mapped]);
      continue;
    }
    at[column] = position;
    claimed.add(position);
  }
  const names = Object.fromEntries(
    CSV_COLUMNS.map((column) => [column, at[column] === undefined ? column : header[at[column]]!]),
  ) as Record<CsvColumn, string>;
  const layout = {
    header,
    at,
    names,
    variantAttributes: [] as NamedColumn[],
    productAttributes: [] as NamedColumn[],
    variantOverrides: [] as OverrideColumn[],
    productOverrides: [] as OverrideColumn[],
    unknown: [] as string[],
    unmapped,
  };
  // Attribute and override columns named through column_map, then those named in the header itself.
  for (const [canonical, merchant] of Object.entries(columnMap)) {
    if (!isDynamicColumn(canonical)) continue;
    const position = findColumn(index, merchant);
    if (position === undefined) unmapped.push([canonical, merchant]);
    else if (!claimed.has(position)) {
      claimed.add(position);
      addDynamicColumn(layout, canonical, position);
    }
  }
  header.forEach((name, position) => {
    if (claimed.has(position) || name.trim() === "") return;
    if (!addDynamicColumn(layout, name.trim(), position)) layout.unknown.push(name);
  });
  return layout;
}

function isDynamicColumn(name: string): boolean {
  const key = headerKey(name);
  const rest = key.startsWith(PRODUCT_PREFIX) ? key.slice(PRODUCT_PREFIX.length) : key;
  return rest.startsWith(ATTRIBUTE_PREFIX) || rest.startsWith(OVERRIDE_PREFIX);
}

function addDynamicColumn(
  layout: {
    variantAttributes: NamedColumn[];
    productAttributes: NamedColumn[];
    variantOverrides: OverrideColumn[];
    productOverrides: OverrideColumn[];
  },
  name: string,
  position: number,
): boolean {
  const product = headerKey(name).startsWith(PRODUCT_PREFIX);
  const rest = product ? name.slice(PRODUCT_PREFIX.length) : name;
  const key = headerKey(rest);
  if (key.startsWith(ATTRIBUTE_PREFIX) && rest.length > ATTRIBUTE_PREFIX.length) {
    (product ? layout.productAttributes : layout.variantAttributes).push({
      name: rest.slice(ATTRIBUTE_PREFIX.length),
      position,
    });
    return true;
  }
  if (key.startsWith(OVERRIDE_PREFIX)) {
    const target = rest.slice(OVERRIDE_PREFIX.length);
    const dot = target.indexOf(".");
    if (dot <= 0 || dot === target.length - 1) return false;
    (product ? layout.productOverrides : layout.variantOverrides).push({
      channel: target.slice(0, dot),
      field: target.slice(dot + 1),
      position,
    });
    return true;
  }
  return false;
}

/** Canonical field → column, at product and at variant level. */
const PRODUCT_FIELD_COLUMNS: Readonly<Record<string, CsvColumn>> = {
  id: "item_group_id",
  variants: "item_group_id",
  title: "title",
  description: "description",
  brand: "brand",
  link: "link",
  images: "additional_image_links",
  categoryPath: "category",
  productType: "product_type",
  googleProductCategory: "google_product_category",
  condition: "product.condition",
  gender: "product.gender",
  ageGroup: "product.age_group",
  color: "product.color",
  material: "product.material",
  pattern: "product.pattern",
  tags: "tags",
};
const VARIANT_FIELD_COLUMNS: Readonly<Record<string, CsvColumn>> = {
  sku: "sku",
  title: "variant_title",
  gtin: "gtin",
  mpn: "mpn",
  price: "price",
  salePrice: "sale_price",
  salePriceStart: "sale_price_start",
  salePriceEnd: "sale_price_end",
  costOfGoods: "cost_of_goods",
  availability: "availability",
  availabilityDate: "availability_date",
  quantity: "quantity",
  inventory: "inventory",
  options: "option1_name",
  color: "color",
  size: "size",
  material: "material",
  pattern: "pattern",
  gender: "gender",
  ageGroup: "age_group",
  condition: "condition",
  weight: "weight",
  dimensions: "dimensions",
  images: "variant_image_link",
  link: "variant_link",
};

/** Names a canonical path by the column of this file that holds it. */
export function csvFieldNamer(layout: CsvLayout): FieldNamer {
  return (path) => {
    const variant = path[0] === "variants" && typeof path[1] === "number";
    const field = String(variant ? path[2] : path[0]);
    if (field === "attributes" || field === "overrides") {
      const prefix =
        (variant ? "" : PRODUCT_PREFIX) + (field === "attributes" ? ATTRIBUTE_PREFIX : OVERRIDE_PREFIX);
      return (
        prefix +
        path
          .slice(variant ? 3 : 1, variant ? 5 : 3)
          .map(String)
          .join(".")
      );
    }
    const column = (variant ? VARIANT_FIELD_COLUMNS : PRODUCT_FIELD_COLUMNS)[field];
    return column ? layout.names[column] : path.map(String).join(".");
  };
}
