import type { CatalogEntry, Option, VariantInput, Weight } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import { expandCsvChunks, type CsvGroupOrChunk } from "../csv-chunks.js";
import type { CsvGroup } from "../csv-groups.js";
import {
  createFieldSite,
  readAgeGroup,
  readCategoryPath,
  readCondition,
  readGender,
  readList,
  readMoney,
  readNumber,
  readQuantity,
  readText,
  readUrl,
  reportIssue,
  resetFieldSite,
  weightUnit,
  type FieldSite,
} from "../field-values.js";
import { convertWeight } from "../../core/units.js";
import { fillOptionFields, finishProduct, type FieldNamer } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import {
  compileShopifyLayout,
  CUSTOM_LABEL_COLUMNS,
  OPTION_COLUMNS,
  shopifyColumnName,
  type MetafieldColumn,
  type ShopifyColumn,
  type ShopifyLayout,
} from "./columns.js";
import type { ShopifyCsvOptions } from "./config.js";
import { shopifyProductKey } from "./records.js";
import { applyMetafields, PRODUCT_METAFIELDS, VARIANT_METAFIELDS } from "./metafields.js";

const layouts = new WeakMap<
  readonly string[],
  ShopifyLayout & { product: MetafieldColumn[]; variant: MetafieldColumn[] }
>();

function layoutFor(header: readonly string[]) {
  let layout = layouts.get(header);
  if (!layout) {
    const compiled = compileShopifyLayout(header);
    layout = {
      ...compiled,
      product: compiled.metafields.filter((column) => column.owner === "product"),
      variant: compiled.metafields.filter((column) => column.owner === "variant"),
    };
    layouts.set(header, layout);
  }
  return layout;
}

export function decodeShopifyBatch(batch: RecordBatch, options: ShopifyCsvOptions): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  const groups = expandCsvChunks(batch.groups as CsvGroupOrChunk[], batch.file, issues, (header) =>
    shopifyProductKey(header, layoutFor(header).at.handle ?? -1).grouper(),
  );
  for (const group of groups) {
    const entry = decodeShopifyGroup(group, batch.file, options, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

const DEFAULT_TITLE_OPTION = "title";
const DEFAULT_TITLE_VALUE = "default title";
const CONTINUE_WORDS = new Set(["continue", "true", "yes", "1"]);

/**
 * One product from the rows of one handle: product fields from the first row, a variant from
 * every row that has variant data (the first row always does), images from every row.
 */
export function decodeShopifyGroup(
  group: CsvGroup,
  file: string,
  options: ShopifyCsvOptions,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const layout = layoutFor(group.header);
  const site = createFieldSite(file, issues);
  const first = group.rows[0]!;
  const line = group.lines[0]!;
  const value = (column: ShopifyColumn) => cell(first, layout.at[column]);
  const name = (column: ShopifyColumn) => shopifyColumnName(layout, column);

  const handle = readText(value("handle"));
  resetFieldSite(site, line, handle);
  if (handle === undefined) {
    reportIssue(site, name("handle"), "the handle is empty");
    return undefined;
  }
  const status = readText(value("status"))?.toLowerCase();
  if (status !== undefined && status !== "active") {
    reportIssue(site, name("status"), `the product is ${status}; it is left out`, "warning");
    return undefined;
  }
  const title = readText(value("title"));
  if (title === undefined) reportIssue(site, name("title"), "title is empty");
  const attributes: Record<string, string> = {};
  const customProduct = readText(value("customProduct"));
  if (customProduct !== undefined) attributes.custom_product = customProduct;
  CUSTOM_LABEL_COLUMNS.forEach((column, index) => {
    const label = readText(value(column));
    if (label !== undefined) attributes[`custom_label_${index}`] = label;
  });
  const product = {
    id: handle,
    title: title ?? "",
    description: readText(value("description")),
    brand: readText(value("vendor")),
    link: options.store_url === undefined ? undefined : `${options.store_url}/products/${handle}`,
    images: readImages(group, layout, site),
    categoryPath: readCategoryPath(value("productCategory")),
    productType: readText(value("type")),
    googleProductCategory: readText(value("googleProductCategory")),
    condition: readCondition(site, name("condition"), value("condition")),
    gender: readGender(site, name("gender"), value("gender")),
    ageGroup: readAgeGroup(site, name("ageGroup"), value("ageGroup")),
    tags: readList(value("tags")),
    attributes,
    overrides: {} as Record<string, Record<string, string>>,
    variants: [] as VariantInput[],
  };
  site.line = line;
  applyMetafields(product, first, layout.product, layout.header, site, PRODUCT_METAFIELDS);
  if (site.errors > 0) return undefined;

  const optionNames = OPTION_COLUMNS.map(([nameColumn]) => readText(cell(first, layout.at[nameColumn])));
  const variantLines: number[] = [];
  group.rows.forEach((row, index) => {
    if (index > 0 && !hasVariantData(row, layout)) return;
    const variant = readVariant(
      row,
      group.lines[index]!,
      index === 0,
      handle,
      optionNames,
      layout,
      options,
      site,
    );
    if (!variant) return;
    product.variants.push(variant);
    variantLines.push(group.lines[index]!);
  });
  if (product.variants.length === 0) return undefined;
  return finishProduct({ product, line, variantLines }, file, issues, shopifyFieldNamer(layout));
}

/** Image-only rows carry a handle and an image; every other row after the first is a variant. */
function hasVariantData(row: readonly string[], layout: ShopifyLayout): boolean {
  const filled = (column: ShopifyColumn) => (cell(row, layout.at[column]) ?? "").trim() !== "";
  return (
    filled("sku") ||
    filled("price") ||
    filled("barcode") ||
    filled("option1Value") ||
    filled("option2Value") ||
    filled("option3Value") ||
    filled("inventoryQuantity")
  );
}

/** Product images from every row of the handle, in `Image position` order. */
function readImages(group: CsvGroup, layout: ShopifyLayout, site: FieldSite): string[] {
  const images: { url: string; position: number; order: number }[] = [];
  group.rows.forEach((row, order) => {
    site.line = group.lines[order]!;
    const url = readUrl(site, shopifyColumnName(layout, "imageUrl"), cell(row, layout.at.imageUrl));
    if (url === undefined) return;
    const position = Number(readText(cell(row, layout.at.imagePosition)) ?? Number.NaN);
    images.push({ url, position: Number.isFinite(position) ? position : Number.MAX_SAFE_INTEGER, order });
  });
  images.sort((a, b) => a.position - b.position || a.order - b.order);
  return images.map((image) => image.url);
}

function readVariant(
  row: readonly string[],
  line: number,
  isFirstRow: boolean,
  handle: string,
  optionNames: readonly (string | undefined)[],
  layout: ShopifyLayout & { variant: MetafieldColumn[] },
  options: ShopifyCsvOptions,
  site: FieldSite,
): VariantInput | undefined {
  const value = (column: ShopifyColumn) => cell(row, layout.at[column]);
  const name = (column: ShopifyColumn) => shopifyColumnName(layout, column);
  const sku = readText(value("sku"));
  resetFieldSite(site, line, sku ?? handle);
  if (sku === undefined) reportIssue(site, name("sku"), "SKU is empty");

  const listed = readMoney(site, name("price"), value("price"), options.currency);
  if (listed === undefined && readText(value("price")) === undefined)
    reportIssue(site, name("price"), "price is empty");
  const compareAt = readMoney(site, name("compareAtPrice"), value("compareAtPrice"), options.currency);
  // A compare-at price above the price means the item is on sale: the compare-at is the regular price.
  const onSale =
    listed !== undefined &&
    compareAt !== undefined &&
    compareAt.currency === listed.currency &&
    compareAt.amount > listed.amount;

  const tracked =
    layout.at.inventoryTracker === undefined || readText(value("inventoryTracker")) !== undefined;
  const quantity = tracked
    ? readQuantity(site, name("inventoryQuantity"), value("inventoryQuantity"))
    : undefined;
  const continueSelling = CONTINUE_WORDS.has((readText(value("continueSelling")) ?? "").toLowerCase());
  const variantImage = readUrl(site, name("variantImageUrl"), value("variantImageUrl"));

  const variant = {
    sku: sku ?? "",
    gtin: readText(value("barcode")),
    mpn: readText(value("mpn")),
    price: (onSale ? compareAt : listed) ?? { amount: 0, currency: options.currency },
    salePrice: onSale ? listed : undefined,
    costOfGoods: readMoney(site, name("costPerItem"), value("costPerItem"), options.currency),
    availability:
      continueSelling && quantity !== undefined && quantity <= 0 ? ("backorder" as const) : undefined,
    quantity,
    inventory: [],
    options: readOptions(row, optionNames, layout),
    weight: readGrams(row, layout, site),
    images: variantImage === undefined ? [] : [variantImage],
    // On the first row these columns describe the product; on later rows, the row's variant.
    gender: isFirstRow ? undefined : readGender(site, name("gender"), value("gender")),
    ageGroup: isFirstRow ? undefined : readAgeGroup(site, name("ageGroup"), value("ageGroup")),
    condition: isFirstRow ? undefined : readCondition(site, name("condition"), value("condition")),
    attributes: {} as Record<string, string>,
    overrides: {} as Record<string, Record<string, string>>,
  } satisfies VariantInput;
  applyMetafields(variant, row, layout.variant, layout.header, site, VARIANT_METAFIELDS);
  if (site.errors > 0) return undefined;
  fillOptionFields(variant);
  return variant;
}

function readOptions(
  row: readonly string[],
  names: readonly (string | undefined)[],
  layout: ShopifyLayout,
): Option[] {
  const options: Option[] = [];
  OPTION_COLUMNS.forEach(([, valueColumn], index) => {
    const name = names[index];
    const value = readText(cell(row, layout.at[valueColumn]));
    if (name === undefined || value === undefined) return;
    // A single-variant product is written as Title / Default Title: no real option.
    if (name.toLowerCase() === DEFAULT_TITLE_OPTION && value.toLowerCase() === DEFAULT_TITLE_VALUE) return;
    options.push({ name, value });
  });
  return options;
}

/** Shopify stores grams and shows another unit: the weight is given back in the unit shown. */
function readGrams(row: readonly string[], layout: ShopifyLayout, site: FieldSite): Weight | undefined {
  const grams = readNumber(site, shopifyColumnName(layout, "grams"), cell(row, layout.at.grams));
  // Shopify writes 0 for a weight nobody entered.
  if (grams === undefined || grams <= 0) return undefined;
  const shown = readText(cell(row, layout.at.weightUnit));
  const unit = (shown && weightUnit(shown)) || "g";
  return { value: convertWeight(grams, "g", unit), unit };
}

const PRODUCT_FIELD_COLUMNS: Readonly<Record<string, ShopifyColumn>> = {
  id: "handle",
  variants: "handle",
  title: "title",
  description: "description",
  brand: "vendor",
  images: "imageUrl",
  categoryPath: "productCategory",
  productType: "type",
  googleProductCategory: "googleProductCategory",
  condition: "condition",
  gender: "gender",
  ageGroup: "ageGroup",
  tags: "tags",
};
const VARIANT_FIELD_COLUMNS: Readonly<Record<string, ShopifyColumn>> = {
  sku: "sku",
  gtin: "barcode",
  mpn: "mpn",
  price: "price",
  salePrice: "price",
  costOfGoods: "costPerItem",
  quantity: "inventoryQuantity",
  options: "option1Value",
  weight: "grams",
  images: "variantImageUrl",
  gender: "gender",
  ageGroup: "ageGroup",
  condition: "condition",
};

function shopifyFieldNamer(layout: ShopifyLayout): FieldNamer {
  return (path) => {
    const variant = path[0] === "variants" && typeof path[1] === "number";
    const field = String(variant ? path[2] : path[0]);
    const column = (variant ? VARIANT_FIELD_COLUMNS : PRODUCT_FIELD_COLUMNS)[field];
    if (column) return shopifyColumnName(layout, column);
    const metafield = layout.metafields.find(
      (entry) =>
        entry.owner === (variant ? "variant" : "product") && entry.key.toLowerCase() === field.toLowerCase(),
    );
    return metafield ? layout.header[metafield.position]! : path.map(String).join(".");
  };
}
