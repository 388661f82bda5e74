import type { CatalogEntry, Option, ProductInput, VariantInput } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import { expandCsvChunks, type CsvGroupOrChunk } from "../csv-chunks.js";
import type { CsvGroup } from "../csv-groups.js";
import {
  createFieldSite,
  readAgeGroup,
  readAvailability,
  readCategoryPath,
  readCondition,
  readCurrency,
  readDate,
  readDimensions,
  readGender,
  readInventory,
  readList,
  readMoney,
  readQuantity,
  readText,
  readUrl,
  readUrlList,
  readWeight,
  reportIssue,
  resetFieldSite,
  type FieldSite,
} from "../field-values.js";
import { fillOptionFields, finishProduct } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import {
  compileCsvLayout,
  csvFieldNamer,
  OPTION_COLUMNS,
  type CsvColumn,
  type CsvLayout,
  type NamedColumn,
  type OverrideColumn,
} from "./columns.js";
import type { CsvOptions } from "./config.js";
import { csvProductKey } from "./records.js";

const layouts = new WeakMap<readonly string[], { columnMap: CsvOptions["column_map"]; layout: CsvLayout }>();

/** The layout of a header, compiled once per header array (the groups of a batch share one). */
export function csvLayoutFor(header: readonly string[], options: CsvOptions): CsvLayout {
  const cached = layouts.get(header);
  if (cached && cached.columnMap === options.column_map) return cached.layout;
  const layout = compileCsvLayout(header, options.column_map);
  layouts.set(header, { columnMap: options.column_map, layout });
  return layout;
}

export function decodeCsvBatch(batch: RecordBatch, options: CsvOptions): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  const groups = expandCsvChunks(batch.groups as CsvGroupOrChunk[], batch.file, issues, (header) =>
    csvProductKey(header, csvLayoutFor(header, options)).grouper(),
  );
  for (const group of groups) {
    const entry = decodeCsvGroup(group, batch.file, options, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

/** One product from its rows: product fields from the first row, one variant per row. */
export function decodeCsvGroup(
  group: CsvGroup,
  file: string,
  options: CsvOptions,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const layout = csvLayoutFor(group.header, options);
  const site = createFieldSite(file, issues);
  const first = group.rows[0]!;
  const product = readProductFields(first, group.lines[0]!, layout, site);
  if (!product) return undefined;
  const variantLines: number[] = [];
  group.rows.forEach((row, index) => {
    const line = group.lines[index]!;
    const variant = readVariant(row, line, product.id, layout, options, site);
    if (!variant) return;
    product.variants.push(variant);
    variantLines.push(line);
  });
  if (product.variants.length === 0) return undefined;
  return finishProduct({ product, line: group.lines[0]!, variantLines }, file, issues, csvFieldNamer(layout));
}

function readProductFields(
  row: readonly string[],
  line: number,
  layout: CsvLayout,
  site: FieldSite,
): (ProductInput & { id: string; variants: VariantInput[] }) | undefined {
  const value = (column: CsvColumn) => cell(row, layout.at[column]);
  const name = layout.names;
  const id = readText(value("item_group_id")) ?? readText(value("sku"));
  resetFieldSite(site, line, id);
  if (id === undefined) {
    reportIssue(site, name.item_group_id, "the product has no id: fill item_group_id or sku");
    return undefined;
  }
  const title = readText(value("title"));
  if (title === undefined) reportIssue(site, name.title, "title is empty");
  const imageLink = readUrl(site, name.image_link, value("image_link"));
  const moreImages = readUrlList(
    site,
    name.additional_image_links,
    readList(value("additional_image_links")),
  );
  const product = {
    id,
    title: title ?? "",
    description: readText(value("description")),
    brand: readText(value("brand")),
    link: readUrl(site, name.link, value("link")),
    images: imageLink === undefined ? moreImages : [imageLink, ...moreImages],
    categoryPath: readCategoryPath(value("category")),
    productType: readText(value("product_type")),
    googleProductCategory: readText(value("google_product_category")),
    condition: readCondition(site, name["product.condition"], value("product.condition")),
    gender: readGender(site, name["product.gender"], value("product.gender")),
    ageGroup: readAgeGroup(site, name["product.age_group"], value("product.age_group")),
    color: readText(value("product.color")),
    material: readText(value("product.material")),
    pattern: readText(value("product.pattern")),
    tags: readList(value("tags")),
    attributes: readAttributes(row, layout.productAttributes),
    overrides: readOverrides(row, layout.productOverrides),
    variants: [] as VariantInput[],
  };
  return site.errors > 0 ? undefined : product;
}

function readVariant(
  row: readonly string[],
  line: number,
  productId: string,
  layout: CsvLayout,
  options: CsvOptions,
  site: FieldSite,
): VariantInput | undefined {
  const value = (column: CsvColumn) => cell(row, layout.at[column]);
  const name = layout.names;
  const sku = readText(value("sku"));
  resetFieldSite(site, line, sku ?? productId);
  if (sku === undefined) reportIssue(site, name.sku, "SKU is empty");
  const currency = readCurrency(site, name.currency, value("currency")) ?? options.currency;
  const price = readMoney(site, name.price, value("price"), currency);
  if (price === undefined && readText(value("price")) === undefined)
    reportIssue(site, name.price, "price is empty");
  const variant: VariantInput = {
    sku: sku ?? "",
    title: readText(value("variant_title")),
    gtin: readText(value("gtin")),
    mpn: readText(value("mpn")),
    price: price ?? { amount: 0, currency },
    salePrice: readMoney(site, name.sale_price, value("sale_price"), currency),
    salePriceStart: readDate(site, name.sale_price_start, value("sale_price_start")),
    salePriceEnd: readDate(site, name.sale_price_end, value("sale_price_end")),
    costOfGoods: readMoney(site, name.cost_of_goods, value("cost_of_goods"), currency),
    availability: readAvailability(site, name.availability, value("availability")),
    availabilityDate: readDate(site, name.availability_date, value("availability_date")),
    quantity: readQuantity(site, name.quantity, value("quantity")),
    inventory: readInventory(site, name.inventory, value("inventory")),
    options: readOptions(row, layout),
    color: readText(value("color")),
    size: readText(value("size")),
    material: readText(value("material")),
    pattern: readText(value("pattern")),
    gender: readGender(site, name.gender, value("gender")),
    ageGroup: readAgeGroup(site, name.age_group, value("age_group")),
    condition: readCondition(site, name.condition, value("condition")),
    weight: readWeight(site, name.weight, value("weight")),
    dimensions: readDimensions(site, name.dimensions, value("dimensions")),
    images: readUrlList(site, name.variant_image_link, readList(value("variant_image_link"))),
    link: readUrl(site, name.variant_link, value("variant_link")),
    attributes: readAttributes(row, layout.variantAttributes),
    overrides: readOverrides(row, layout.variantOverrides),
  };
  if (site.errors > 0) return undefined;
  fillOptionFields(variant);
  return variant;
}

function readOptions(row: readonly string[], layout: CsvLayout): Option[] {
  const options: Option[] = [];
  for (const [nameColumn, valueColumn] of OPTION_COLUMNS) {
    const name = readText(cell(row, layout.at[nameColumn]));
    const value = readText(cell(row, layout.at[valueColumn]));
    if (name !== undefined && value !== undefined) options.push({ name, value });
  }
  return options;
}

function readAttributes(row: readonly string[], columns: readonly NamedColumn[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const column of columns) {
    const value = readText(row[column.position]);
    if (value !== undefined) attributes[column.name] = value;
  }
  return attributes;
}

function readOverrides(
  row: readonly string[],
  columns: readonly OverrideColumn[],
): Record<string, Record<string, string>> {
  const overrides: Record<string, Record<string, string>> = {};
  for (const column of columns) {
    const value = readText(row[column.position]);
    if (value === undefined) continue;
    (overrides[column.channel] ??= {})[column.field] = value;
  }
  return overrides;
}
