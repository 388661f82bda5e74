import { XMLParser } from "fast-xml-parser";
import type { CatalogEntry, Dimensions, ProductInput, VariantInput, Weight } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import {
  createFieldSite,
  lengthUnit,
  readAgeGroup,
  readAvailability,
  readCategoryPath,
  readCondition,
  readDate,
  readGender,
  readList,
  readMoney,
  readText,
  readUrl,
  readUrlList,
  readWeight,
  reportIssue,
  resetFieldSite,
  type FieldSite,
} from "../field-values.js";
import { convertLength } from "../../core/units.js";
import { fillOptionFields, finishProduct, type FieldNamer } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import type { GoogleXmlOptions } from "./config.js";
import type { GoogleXmlGroup } from "./records.js";
import type { XmlItem } from "./xml-items.js";

/** Attributes that may repeat in an item (support.google.com/merchants/answer/7052112). */
const REPEATED = new Set([
  "additional_image_link",
  "product_type",
  "shipping",
  "product_detail",
  "product_highlight",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  htmlEntities: true,
  isArray: (name) => REPEATED.has(name),
});

/** Elements mapped to canonical fields; any other element with text becomes an attribute. */
const MAPPED = new Set([
  "id",
  "item_group_id",
  "item_group_title",
  "title",
  "description",
  "summary",
  "link",
  "image_link",
  "additional_image_link",
  "price",
  "sale_price",
  "sale_price_effective_date",
  "cost_of_goods_sold",
  "availability",
  "availability_date",
  "condition",
  "gender",
  "age_group",
  "color",
  "size",
  "material",
  "pattern",
  "brand",
  "gtin",
  "mpn",
  "google_product_category",
  "product_type",
  "shipping_weight",
  "product_weight",
  "product_length",
  "product_width",
  "product_height",
  "shipping_length",
  "shipping_width",
  "shipping_height",
  // Atom bookkeeping, not product data.
  "updated",
  "published",
  "author",
  "category",
]);

type Fields = Record<string, unknown>;

export function decodeGoogleXmlBatch(batch: RecordBatch, options: GoogleXmlOptions): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for (const group of batch.groups as GoogleXmlGroup[]) {
    const entry = decodeGoogleXmlGroup(group, batch.file, options, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

/**
 * One product from the items of a group: product fields (brand, description, categories) from the
 * first item, a variant from each item. The item title becomes the variant title, so a channel
 * does not compose it again; links and images are the product's when every item has the same.
 */
export function decodeGoogleXmlGroup(
  group: GoogleXmlGroup,
  file: string,
  options: GoogleXmlOptions,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const site = createFieldSite(file, issues);
  const items: { fields: Fields; line: number }[] = [];
  for (const item of group.items) {
    const fields = parseItem(item, site);
    if (fields) items.push({ fields, line: item.line });
  }
  const first = items[0];
  if (!first) return undefined;
  const text = (fields: Fields, name: string) => readText(textOf(fields[name]));
  const groupId = text(first.fields, "item_group_id");
  const firstSku = text(first.fields, "id");
  resetFieldSite(site, first.line, groupId ?? firstSku);
  const productId = groupId ?? firstSku;
  if (productId === undefined) {
    reportIssue(site, "g:id", "the item has no id");
    return undefined;
  }
  const title = text(first.fields, "item_group_title") ?? text(first.fields, "title");
  if (title === undefined) reportIssue(site, "g:title", "title is empty");
  const productTypes = listOf(first.fields.product_type);
  const productLink = readUrl(site, "g:link", linkOf(first.fields));
  const product = {
    id: productId,
    title: title ?? "",
    description: text(first.fields, "description") ?? text(first.fields, "summary"),
    brand: text(first.fields, "brand"),
    link: productLink,
    images: [] as string[],
    categoryPath: readCategoryPath(productTypes[0]),
    googleProductCategory: text(first.fields, "google_product_category"),
    variants: [] as VariantInput[],
  } satisfies ProductInput;
  if (site.errors > 0) return undefined;

  const variantLines: number[] = [];
  const itemImages: string[][] = [];
  for (const { fields, line } of items) {
    const images = readImages(fields, site, line);
    const variant = readVariant(fields, line, product, options, site);
    if (!variant) continue;
    product.variants.push(variant);
    variantLines.push(line);
    itemImages.push(images);
  }
  if (product.variants.length === 0) return undefined;
  // Images every item shows belong to the product; a variant keeps its own in front of them, or
  // its whole list when it shows the shared ones in another order.
  const shared = itemImages[0]!.filter((url) => itemImages.every((images) => images.includes(url)));
  product.images = shared;
  product.variants.forEach((variant, index) => {
    const images = itemImages[index]!;
    const own = images.filter((url) => !shared.includes(url));
    variant.images = sameList(images, [...own, ...shared]) ? own : images;
  });
  return finishProduct({ product, line: first.line, variantLines }, file, issues, xmlFieldNamer);
}

function parseItem(item: XmlItem, site: FieldSite): Fields | undefined {
  resetFieldSite(site, item.line, undefined);
  try {
    const parsed = parser.parse(item.xml, true) as Record<string, unknown>;
    const fields = parsed.item ?? parsed.entry;
    if (typeof fields === "object" && fields !== null) return fields as Fields;
    reportIssue(site, "item", "the item is empty");
  } catch (error) {
    reportIssue(site, "item", `broken XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  return undefined;
}

function readVariant(
  fields: Fields,
  line: number,
  product: { id: string; link?: string | undefined },
  options: GoogleXmlOptions,
  site: FieldSite,
): VariantInput | undefined {
  const text = (name: string) => readText(textOf(fields[name]));
  const sku = text("id");
  resetFieldSite(site, line, sku ?? product.id);
  if (sku === undefined) reportIssue(site, "g:id", "SKU is empty");
  const price = readMoney(site, "g:price", text("price"), options.currency);
  if (price === undefined && text("price") === undefined) reportIssue(site, "g:price", "price is empty");
  const [saleStart, saleEnd] = (text("sale_price_effective_date") ?? "").split("/");
  const link = readUrl(site, "g:link", linkOf(fields));
  const variant = {
    sku: sku ?? "",
    title: text("title"),
    gtin: text("gtin"),
    mpn: text("mpn"),
    price: price ?? { amount: 0, currency: options.currency },
    salePrice: readMoney(site, "g:sale_price", text("sale_price"), options.currency),
    salePriceStart: readDate(site, "g:sale_price_effective_date", saleStart),
    salePriceEnd: readDate(site, "g:sale_price_effective_date", saleEnd),
    costOfGoods: readMoney(site, "g:cost_of_goods_sold", text("cost_of_goods_sold"), options.currency),
    availability: readAvailability(site, "g:availability", text("availability")),
    availabilityDate: readDate(site, "g:availability_date", text("availability_date")),
    condition: readCondition(site, "g:condition", text("condition")),
    gender: readGender(site, "g:gender", text("gender")),
    ageGroup: readAgeGroup(site, "g:age_group", text("age_group")),
    color: text("color"),
    size: text("size"),
    material: text("material"),
    pattern: text("pattern"),
    weight: readItemWeight(fields, site),
    dimensions: readItemDimensions(fields, site),
    link: link === product.link ? undefined : link,
    images: [] as string[],
    attributes: customAttributes(fields),
  } satisfies VariantInput;
  if (site.errors > 0) return undefined;
  fillOptionFields(variant);
  return variant;
}

/** `g:image_link` then every `g:additional_image_link` (one URL each, or comma-separated as in TSV). */
function readImages(fields: Fields, site: FieldSite, line: number): string[] {
  site.line = line;
  const main = readUrl(site, "g:image_link", textOf(fields.image_link));
  const more = listOf(fields.additional_image_link).flatMap((value) => readList(value));
  const images = readUrlList(site, "g:additional_image_link", more);
  return main === undefined ? images : [main, ...images];
}

function readItemWeight(fields: Fields, site: FieldSite): Weight | undefined {
  if (fields.shipping_weight !== undefined)
    return readWeight(site, "g:shipping_weight", textOf(fields.shipping_weight));
  return readWeight(site, "g:product_weight", textOf(fields.product_weight));
}

const MEASURE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z"]+)$/;

/** `g:product_length/width/height` (or the `shipping_` ones), each like `20 in`, in the length's unit. */
function readItemDimensions(fields: Fields, site: FieldSite): Dimensions | undefined {
  const prefix = fields.product_length !== undefined ? "product" : "shipping";
  const parts = (["length", "width", "height"] as const).map((side) => {
    const name = `${prefix}_${side}`;
    const value = readText(textOf(fields[name]));
    if (value === undefined) return undefined;
    const match = MEASURE.exec(value);
    const unit = match ? lengthUnit(match[2]!) : undefined;
    if (!match || !unit) {
      reportIssue(site, `g:${name}`, `"${value}" is not a length such as 20 in (units mm, cm, m, in, ft)`);
      return undefined;
    }
    return { value: Number(match[1]), unit };
  });
  const [length, width, height] = parts;
  if (!length || !width || !height) return undefined;
  return {
    length: length.value,
    width: convertLength(width.value, width.unit, length.unit),
    height: convertLength(height.value, height.unit, length.unit),
    unit: length.unit,
  };
}

/** Unknown elements with text (`g:custom_label_0`, merchant attributes) become attributes. */
function customAttributes(fields: Fields): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (MAPPED.has(name) || name.startsWith("@_")) continue;
    const text = readText(textOf(value));
    if (text !== undefined) attributes[name] = text;
  }
  return attributes;
}

/** An element's text: a string, the `#text` of an element with attributes, the first of repeats. */
function textOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && "#text" in value)
    return textOf((value as Fields)["#text"]);
  return undefined;
}

function listOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((entry) => {
    const text = readText(textOf(entry));
    return text === undefined ? [] : [text];
  });
}

/** RSS `<link>https://…</link>`, Atom `<link href="https://…"/>`. */
function linkOf(fields: Fields): string | undefined {
  const links = Array.isArray(fields.link) ? (fields.link as unknown[]) : [fields.link];
  for (const link of links) {
    if (typeof link === "object" && link !== null && typeof (link as Fields)["@_href"] === "string") {
      return (link as Fields)["@_href"] as string;
    }
    const text = textOf(link);
    if (text !== undefined && text.trim() !== "") return text;
  }
  return undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

const XML_FIELDS: Readonly<Record<string, string>> = {
  id: "g:item_group_id",
  sku: "g:id",
  title: "g:title",
  description: "g:description",
  brand: "g:brand",
  link: "g:link",
  images: "g:image_link",
  categoryPath: "g:product_type",
  googleProductCategory: "g:google_product_category",
  price: "g:price",
  salePrice: "g:sale_price",
  salePriceStart: "g:sale_price_effective_date",
  salePriceEnd: "g:sale_price_effective_date",
  costOfGoods: "g:cost_of_goods_sold",
  availabilityDate: "g:availability_date",
  ageGroup: "g:age_group",
  weight: "g:shipping_weight",
  dimensions: "g:product_length",
};

const xmlFieldNamer: FieldNamer = (path) => {
  const field = String(path[0] === "variants" && typeof path[1] === "number" ? path[2] : path[0]);
  return XML_FIELDS[field] ?? `g:${field}`;
};
