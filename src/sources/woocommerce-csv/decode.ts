import type { Availability, CatalogEntry, Dimensions, Option, Weight } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import type { CsvGroup } from "../csv-groups.js";
import {
  createFieldSite,
  readCategoryPath,
  readDate,
  readMoney,
  readNumber,
  readQuantity,
  readText,
  readUrlList,
  reportIssue,
  resetFieldSite,
  type FieldSite,
} from "../field-values.js";
import { fillOptionFields, finishProduct, type FieldNamer } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import {
  compileWooLayout,
  wooColumnName,
  type MeasureColumn,
  type WooColumn,
  type WooLayout,
} from "./columns.js";
import type { WooCommerceCsvOptions } from "./config.js";
import { splitWooList, unescapeWooText } from "./escapes.js";
import {
  applyMeta,
  PRODUCT_META,
  VARIANT_ONLY_META,
  VARIATION_META,
  type ProductDraft,
  type VariantDraft,
} from "./meta.js";

const layouts = new WeakMap<readonly string[], WooLayout>();

export function wooLayoutFor(header: readonly string[]): WooLayout {
  let layout = layouts.get(header);
  if (!layout) {
    layout = compileWooLayout(header);
    layouts.set(header, layout);
  }
  return layout;
}

export type WooRowType = "simple" | "variable" | "variation" | "grouped" | "external" | "unknown";
const ROW_TYPES: readonly WooRowType[] = ["variation", "variable", "simple", "external", "grouped"];

/** `Type` may be a list (`simple, downloadable, virtual`): the product kind is one of its words. */
export function wooRowType(value: string | undefined): WooRowType {
  const words = (value ?? "")
    .toLowerCase()
    .split(",")
    .map((word) => word.trim());
  return ROW_TYPES.find((type) => words.includes(type)) ?? "unknown";
}

export function decodeWooBatch(batch: RecordBatch, options: WooCommerceCsvOptions): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for (const group of batch.groups as CsvGroup[]) {
    const entry = decodeWooGroup(group, batch.file, options, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

/**
 * One product: a simple (or external) product's row, or a variable product's row followed by
 * the rows of its variations. A variation's `Name` is made by WooCommerce from the parent's, so it
 * is not read as the variant title (`Meta: omnifeed_title` is).
 */
export function decodeWooGroup(
  group: CsvGroup,
  file: string,
  options: WooCommerceCsvOptions,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const layout = wooLayoutFor(group.header);
  const site = createFieldSite(file, issues);
  const first = group.rows[0]!;
  const line = group.lines[0]!;
  const type = wooRowType(cell(first, layout.at.type));
  const sku = readText(cell(first, layout.at.sku));
  const wooId = readText(cell(first, layout.at.id));
  resetFieldSite(site, line, sku ?? wooId);
  if (type === "grouped") {
    reportIssue(
      site,
      wooColumnName(layout, "type"),
      "a grouped product has no price of its own; its children are read as their own products",
      "warning",
    );
    return undefined;
  }
  if (type === "unknown" || type === "variation") {
    const text = readText(cell(first, layout.at.type)) ?? "";
    reportIssue(site, wooColumnName(layout, "type"), `"${text}" is not a product type WooCommerce exports`);
    return undefined;
  }
  if (!isPublished(first, layout, site, "product")) return undefined;
  const variations = type === "variable" ? group.rows.slice(1) : [];
  const product = readProduct(first, line, layout, options, site, variations);
  if (!product) return undefined;

  const variantLines: number[] = [];
  if (type === "variable") {
    variations.forEach((row, index) => {
      const rowLine = group.lines[index + 1]!;
      const variant = readVariant(row, rowLine, first, product.id, layout, options, site, true);
      if (!variant) return;
      product.variants.push(variant);
      variantLines.push(rowLine);
    });
  } else {
    const variant = readVariant(first, line, first, product.id, layout, options, site, false);
    if (variant) {
      product.variants.push(variant);
      variantLines.push(line);
    }
  }
  if (product.variants.length === 0) {
    if (type === "variable" && variations.length === 0) {
      resetFieldSite(site, line, product.id);
      reportIssue(site, wooColumnName(layout, "type"), "the variable product has no variations", "warning");
    }
    return undefined;
  }
  return finishProduct({ product, line, variantLines }, file, issues, wooFieldNamer(layout));
}

/** `Published`: 1 publish, 0 private (a disabled variation), −1 draft; only published rows are read. */
function isPublished(
  row: readonly string[],
  layout: WooLayout,
  site: FieldSite,
  what: "product" | "variation",
) {
  const published = readText(cell(row, layout.at.published));
  if (published === undefined || published === "1") return true;
  const state =
    published === "-1"
      ? "a draft"
      : published === "0"
        ? what === "product"
          ? "private"
          : "disabled"
        : undefined;
  if (state === undefined) {
    reportIssue(site, wooColumnName(layout, "published"), `"${published}" is not 1, 0 or -1`);
    return false;
  }
  reportIssue(site, wooColumnName(layout, "published"), `the ${what} is ${state}; it is left out`, "warning");
  return false;
}

function readProduct(
  row: readonly string[],
  line: number,
  layout: WooLayout,
  options: WooCommerceCsvOptions,
  site: FieldSite,
  variations: readonly (readonly string[])[],
): (ProductDraft & { id: string; variants: VariantDraft[] }) | undefined {
  const value = (column: WooColumn) => cell(row, layout.at[column]);
  const name = (column: WooColumn) => wooColumnName(layout, column);
  const wooId = readText(value("id"));
  const title = readText(value("name"));
  const categories = splitWooList(value("categories"));
  const product = {
    id: readText(value("sku")) ?? wooId ?? "",
    title: title ?? "",
    description:
      readText(unescapeWooText(value("description"))) ?? readText(unescapeWooText(value("shortDescription"))),
    brand: splitWooList(value("brands"))[0],
    link:
      options.store_url !== undefined && wooId !== undefined ? `${options.store_url}/?p=${wooId}` : undefined,
    images: readUrlList(site, name("images"), splitWooList(value("images"))),
    categoryPath: readCategoryPath(categories[0]),
    tags: splitWooList(value("tags")),
    attributes: {} as Record<string, string>,
    overrides: {} as Record<string, Record<string, string>>,
    variants: [] as VariantDraft[],
  } satisfies ProductDraft;
  readProductAttributes(product, row, layout, variations);
  applyMeta(product, row, layout.meta, layout.header, site, options.currency, PRODUCT_META, true);
  site.line = line;
  site.id = product.id === "" ? undefined : product.id;
  if (product.id === "") reportIssue(site, name("sku"), "the product has neither a SKU nor an ID");
  if (title === undefined) reportIssue(site, name("name"), "name is empty");
  return site.errors > 0 ? undefined : product;
}

/**
 * Attributes on a product's row: those its variations use are the variant options; the others
 * describe the product (Color, Material, Pattern and Brand fill those fields).
 */
function readProductAttributes(
  product: ProductDraft,
  row: readonly string[],
  layout: WooLayout,
  variations: readonly (readonly string[])[],
): void {
  for (const columns of layout.attributes) {
    const name = readText(row[columns.name]);
    const values = splitWooList(cell(row, columns.values));
    if (name === undefined || values.length === 0) continue;
    const forVariations = variations.some(
      (variation) => readText(cell(variation, columns.values)) !== undefined,
    );
    if (forVariations) continue;
    const text = values.join(", ");
    const key = name.toLowerCase();
    if (key === "color" || key === "colour") product.color ??= text;
    else if (key === "material") product.material ??= text;
    else if (key === "pattern") product.pattern ??= text;
    else if (key === "brand") product.brand ??= text;
    else product.attributes[name] = text;
  }
}

function readVariant(
  row: readonly string[],
  line: number,
  parent: readonly string[],
  productId: string,
  layout: WooLayout,
  options: WooCommerceCsvOptions,
  site: FieldSite,
  isVariation: boolean,
): VariantDraft | undefined {
  const value = (column: WooColumn) => cell(row, layout.at[column]);
  const name = (column: WooColumn) => wooColumnName(layout, column);
  const sku = readText(value("sku"));
  resetFieldSite(site, line, sku ?? productId);
  if (isVariation && !isPublished(row, layout, site, "variation")) return undefined;
  if (sku === undefined) reportIssue(site, name("sku"), "SKU is empty");
  const currency = options.currency;
  const price = readMoney(site, name("regularPrice"), value("regularPrice"), currency);
  if (price === undefined && readText(value("regularPrice")) === undefined) {
    reportIssue(site, name("regularPrice"), "regular price is empty");
  }
  const stock = readText(value("stock"));
  // "parent": the variation's stock is managed on its parent product.
  const quantityText = stock?.toLowerCase() === "parent" ? cell(parent, layout.at.stock) : stock;
  const variant = {
    sku: sku ?? "",
    gtin: readText(value("gtin")),
    price: price ?? { amount: 0, currency },
    salePrice: readMoney(site, name("salePrice"), value("salePrice"), currency),
    salePriceStart: readDate(site, name("saleStart"), value("saleStart")),
    salePriceEnd: readDate(site, name("saleEnd"), value("saleEnd")),
    availability: readInStock(value("inStock")),
    quantity: readQuantity(site, name("stock"), quantityText),
    inventory: [],
    options: isVariation ? readVariationOptions(row, parent, layout) : [],
    weight: readWooWeight(row, parent, layout, site),
    dimensions: readWooDimensions(row, parent, layout, site),
    images: isVariation ? readUrlList(site, name("images"), splitWooList(value("images"))) : [],
    attributes: {} as Record<string, string>,
    overrides: {} as Record<string, Record<string, string>>,
  } satisfies VariantDraft;
  applyMeta(
    variant,
    row,
    layout.meta,
    layout.header,
    site,
    currency,
    isVariation ? VARIATION_META : VARIANT_ONLY_META,
    isVariation,
  );
  if (site.errors > 0) return undefined;
  fillOptionFields(variant);
  return variant;
}

function readInStock(value: string | undefined): Availability | undefined {
  const text = readText(value)?.toLowerCase();
  if (text === "backorder" || text === "onbackorder") return "backorder";
  if (text === "1") return "in_stock";
  if (text === "0") return "out_of_stock";
  return undefined;
}

/** A variation's attribute values are its options; an empty value means "any", not an option. */
function readVariationOptions(
  row: readonly string[],
  parent: readonly string[],
  layout: WooLayout,
): Option[] {
  const options: Option[] = [];
  for (const columns of layout.attributes) {
    const value = splitWooList(cell(row, columns.values)).join(", ");
    const name = readText(row[columns.name]) ?? readText(parent[columns.name]);
    if (name !== undefined && value !== "") options.push({ name, value });
  }
  return options;
}

function readWooWeight(
  row: readonly string[],
  parent: readonly string[],
  layout: WooLayout,
  site: FieldSite,
): Weight | undefined {
  const column = layout.weight;
  if (!column) return undefined;
  const text = readText(row[column.position]) ?? readText(parent[column.position]);
  const value = readNumber(site, column.label, text);
  if (value === undefined) return undefined;
  if (!column.unit) return unknownUnit(site, column);
  return { value, unit: column.unit };
}

/** Length, width and height, from the variation's row or else its parent's. */
function readWooDimensions(
  row: readonly string[],
  parent: readonly string[],
  layout: WooLayout,
  site: FieldSite,
): Dimensions | undefined {
  const columns = [layout.length, layout.width, layout.height];
  const own = columns.some((column) => column && readText(row[column.position]) !== undefined);
  const source = own ? row : parent;
  const values = columns.map((column) =>
    column ? readNumber(site, column.label, source[column.position]) : undefined,
  );
  const given = values.filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    const labels = columns.flatMap((column) => (column ? [column.label] : [])).join(" / ");
    reportIssue(site, labels, "dimensions need length, width and height; they are left out", "warning");
    return undefined;
  }
  const units = columns.map((column) => column!.unit);
  if (!units[0] || units.some((unit) => unit !== units[0])) return unknownUnit(site, layout.length!);
  return { length: values[0]!, width: values[1]!, height: values[2]!, unit: units[0] };
}

function unknownUnit(site: FieldSite, column: MeasureColumn<unknown>): undefined {
  reportIssue(
    site,
    column.label,
    "the unit in this column's header is not one omnifeed knows; the value is left out",
    "warning",
  );
  return undefined;
}

const PRODUCT_FIELD_COLUMNS: Readonly<Record<string, WooColumn>> = {
  id: "sku",
  variants: "sku",
  title: "name",
  description: "description",
  brand: "brands",
  images: "images",
  categoryPath: "categories",
  tags: "tags",
};
const VARIANT_FIELD_COLUMNS: Readonly<Record<string, WooColumn>> = {
  sku: "sku",
  gtin: "gtin",
  price: "regularPrice",
  salePrice: "salePrice",
  salePriceStart: "saleStart",
  salePriceEnd: "saleEnd",
  availability: "inStock",
  quantity: "stock",
  images: "images",
};

function wooFieldNamer(layout: WooLayout): FieldNamer {
  return (path) => {
    const variant = path[0] === "variants" && typeof path[1] === "number";
    const field = String(variant ? path[2] : path[0]);
    const column = (variant ? VARIANT_FIELD_COLUMNS : PRODUCT_FIELD_COLUMNS)[field];
    if (column) return wooColumnName(layout, column);
    const key = `omnifeed_${field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
    const meta = layout.meta.find((entry) => entry.key.toLowerCase() === key);
    return meta ? layout.header[meta.position]! : path.map(String).join(".");
  };
}
