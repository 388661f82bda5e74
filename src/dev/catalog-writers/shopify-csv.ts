import type { Writable } from "node:stream";
import type { CatalogWriter } from "../catalog-writer.js";
import { formatCsvRow } from "../../feeds/csv-text.js";
import { moneyRecordText, type ProductRecord, type VariantRecord } from "../../sources/json/record.js";
import { convertWeight, formatDimensions, roundMeasure } from "../../core/units.js";
import {
  createShapeCheck,
  defaultRecordShape,
  splitOverride,
  type RecordShape,
} from "../../sources/record-shape.js";
import { createTextSink } from "../writable-sink.js";
import {
  ATTRIBUTE_KEY_PREFIX,
  OMNIFEED_NAMESPACE,
  OVERRIDE_KEY_PREFIX,
} from "../../sources/shopify-csv/metafields.js";

export interface ShopifyCsvWriterOptions {
  /** Currency of the store: prices in it are written without a code. */
  currency?: string;
  /** With it, a product link equal to `<store_url>/products/<handle>` is not written out. */
  storeUrl?: string;
  /** Which metafield columns to write; by default every omnifeed field, no attributes. */
  shape?: RecordShape;
}

/** The current (2024+) export header, as Shopify writes it. */
const SHOPIFY_COLUMNS = [
  "Title",
  "URL handle",
  "Description",
  "Vendor",
  "Product category",
  "Type",
  "Tags",
  "Published on online store",
  "Status",
  "SKU",
  "Barcode",
  "Option1 name",
  "Option1 value",
  "Option1 Linked To",
  "Option2 name",
  "Option2 value",
  "Option2 Linked To",
  "Option3 name",
  "Option3 value",
  "Option3 Linked To",
  "Price",
  "Compare-at price",
  "Cost per item",
  "Charge tax",
  "Tax code",
  "Unit price total measure",
  "Unit price total measure unit",
  "Unit price base measure",
  "Unit price base measure unit",
  "Inventory tracker",
  "Inventory quantity",
  "Continue selling when out of stock",
  "Weight value (grams)",
  "Weight unit for display",
  "Requires shipping",
  "Fulfillment service",
  "Product image URL",
  "Image position",
  "Image alt text",
  "Variant image URL",
  "Gift card",
  "SEO title",
  "SEO description",
  "Color (product.metafields.shopify.color-pattern)",
  "Google Shopping / Google product category",
  "Google Shopping / Gender",
  "Google Shopping / Age group",
  "Google Shopping / Manufacturer part number (MPN)",
  "Google Shopping / Ad group name",
  "Google Shopping / Ads labels",
  "Google Shopping / Condition",
  "Google Shopping / Custom product",
  "Google Shopping / Custom label 0",
  "Google Shopping / Custom label 1",
  "Google Shopping / Custom label 2",
  "Google Shopping / Custom label 3",
  "Google Shopping / Custom label 4",
] as const;
type Column = (typeof SHOPIFY_COLUMNS)[number];
const AT = Object.fromEntries(SHOPIFY_COLUMNS.map((name, index) => [name, index])) as Record<Column, number>;

type ProductValue = (product: ProductRecord) => string | undefined;
type VariantValue = (variant: VariantRecord) => string | undefined;

/** Product fields without a Shopify column: `omnifeed` product metafields, by canonical field. */
const PRODUCT_METAFIELDS: readonly [field: string, key: string, label: string, value: ProductValue][] = [
  ["color", "color", "Color", (p) => p.color],
  ["material", "material", "Material", (p) => p.material],
  ["pattern", "pattern", "Pattern", (p) => p.pattern],
];

/** Variant fields without a Shopify column: `omnifeed` variant metafields, by canonical field. */
const VARIANT_METAFIELDS: readonly [field: string, key: string, label: string, value: VariantValue][] = [
  ["title", "title", "Title", (v) => v.title],
  ["link", "link", "Link", (v) => v.link],
  ["color", "color", "Color", (v) => (v.color === optionValue(v, /^colou?r$/i) ? undefined : v.color)],
  ["size", "size", "Size", (v) => (v.size === optionValue(v, /^size$/i) ? undefined : v.size)],
  ["material", "material", "Material", (v) => v.material],
  ["pattern", "pattern", "Pattern", (v) => v.pattern],
  ["gender", "gender", "Gender", (v) => v.gender],
  ["ageGroup", "age_group", "Age group", (v) => v.ageGroup],
  ["condition", "condition", "Condition", (v) => v.condition],
  [
    "inventory",
    "inventory",
    "Inventory",
    (v) => v.inventory?.map((s) => `${s.location}:${s.quantity}`).join(", "),
  ],
  ["availability", "availability", "Availability", (v) => v.availability],
  ["availabilityDate", "availability_date", "Availability date", (v) => v.availabilityDate],
  ["salePriceStart", "sale_price_start", "Sale price start", (v) => v.salePriceStart],
  ["salePriceEnd", "sale_price_end", "Sale price end", (v) => v.salePriceEnd],
  [
    "dimensions",
    "dimensions",
    "Dimensions",
    (v) => (v.dimensions ? formatDimensions(v.dimensions) : undefined),
  ],
  ["images", "images", "More images", (v) => v.images?.slice(1).join(",")],
];

interface MetafieldWriter<Value> {
  header: string;
  value: Value;
}

/**
 * Writes product records as a Shopify product CSV (current dialect): the product's first row
 * carries the product and its first variant and image, each further variant a row, images beyond
 * the variants image-only rows. What Shopify has no column for goes to `omnifeed` metafields.
 */
export function createShopifyCsvWriter(
  output: Writable,
  options: ShopifyCsvWriterOptions = {},
): CatalogWriter {
  const shape = options.shape ?? defaultRecordShape();
  const currency = options.currency ?? "USD";
  const storeUrl = options.storeUrl?.replace(/\/+$/, "");
  const productMetafields = productMetafieldWriters(shape, storeUrl);
  const variantMetafields = variantMetafieldWriters(shape);
  const header = [
    ...SHOPIFY_COLUMNS,
    ...productMetafields.map((entry) => entry.header),
    ...variantMetafields.map((entry) => entry.header),
  ];
  const productStart = SHOPIFY_COLUMNS.length;
  const variantStart = productStart + productMetafields.length;
  const checkShape = createShapeCheck(shape, 3);
  const sink = createTextSink(output);
  let started = false;

  return {
    async write(product) {
      if (!started) {
        started = true;
        await sink.write(formatCsvRow(header, ","));
      }
      checkShape(product);
      const images = product.images ?? [];
      const rows = Math.max(product.variants.length, images.length, 1);
      for (let index = 0; index < rows; index++) {
        const row: string[] = new Array<string>(header.length).fill("");
        row[AT["URL handle"]] = product.id;
        if (index === 0) {
          fillProduct(row, product);
          productMetafields.forEach(
            (entry, offset) => (row[productStart + offset] = entry.value(product) ?? ""),
          );
        }
        const variant = product.variants[index];
        if (variant) {
          fillVariant(row, product, variant, index, currency);
          variantMetafields.forEach(
            (entry, offset) => (row[variantStart + offset] = entry.value(variant) ?? ""),
          );
        }
        const image = images[index];
        if (image !== undefined) {
          row[AT["Product image URL"]] = image;
          row[AT["Image position"]] = String(index + 1);
        }
        await sink.write(formatCsvRow(row, ","));
      }
    },
    async end() {
      if (!started) await sink.write(formatCsvRow(header, ","));
      await sink.end();
    },
  };
}

function fillProduct(row: string[], product: ProductRecord): void {
  row[AT.Title] = product.title;
  row[AT.Description] = product.description ?? "";
  row[AT.Vendor] = product.brand ?? "";
  row[AT["Product category"]] = (product.categoryPath ?? []).join(" > ");
  row[AT.Type] = product.productType ?? "";
  row[AT.Tags] = (product.tags ?? []).join(", ");
  row[AT["Published on online store"]] = "TRUE";
  row[AT.Status] = "active";
  row[AT["Gift card"]] = "FALSE";
  row[AT["Google Shopping / Google product category"]] = product.googleProductCategory ?? "";
  row[AT["Google Shopping / Gender"]] = product.gender ?? "";
  row[AT["Google Shopping / Age group"]] = product.ageGroup ?? "";
  row[AT["Google Shopping / Condition"]] = product.condition ?? "";
}

const OPTION_NAME_COLUMNS = ["Option1 name", "Option2 name", "Option3 name"] as const;
const OPTION_VALUE_COLUMNS = ["Option1 value", "Option2 value", "Option3 value"] as const;

function fillVariant(
  row: string[],
  product: ProductRecord,
  variant: VariantRecord,
  index: number,
  currency: string,
) {
  row[AT.SKU] = variant.sku;
  row[AT.Barcode] = variant.gtin ?? "";
  const options = variant.options ?? [];
  if (options.length === 0 && product.variants.length === 1) {
    row[AT["Option1 name"]] = "Title";
    row[AT["Option1 value"]] = "Default Title";
  }
  options.forEach((option, position) => {
    if (index === 0) row[AT[OPTION_NAME_COLUMNS[position]!]] = option.name;
    row[AT[OPTION_VALUE_COLUMNS[position]!]] = option.value;
  });
  // Shopify shows a sale as Price (what is paid) below Compare-at price (the regular price).
  const onSale = variant.salePrice !== undefined;
  row[AT.Price] = moneyRecordText(onSale ? variant.salePrice : variant.price, currency);
  row[AT["Compare-at price"]] = onSale ? moneyRecordText(variant.price, currency) : "";
  row[AT["Cost per item"]] = moneyRecordText(variant.costOfGoods, currency);
  row[AT["Charge tax"]] = "TRUE";
  row[AT["Inventory tracker"]] = variant.quantity === undefined ? "" : "shopify";
  row[AT["Inventory quantity"]] = variant.quantity === undefined ? "" : String(variant.quantity);
  row[AT["Continue selling when out of stock"]] = variant.availability === "backorder" ? "continue" : "deny";
  if (variant.weight) {
    row[AT["Weight value (grams)"]] = String(
      roundMeasure(convertWeight(variant.weight.value, variant.weight.unit, "g")),
    );
    row[AT["Weight unit for display"]] = variant.weight.unit;
  }
  row[AT["Requires shipping"]] = "TRUE";
  row[AT["Fulfillment service"]] = "manual";
  row[AT["Variant image URL"]] = variant.images?.[0] ?? "";
  row[AT["Google Shopping / Manufacturer part number (MPN)"]] = variant.mpn ?? "";
}

function optionValue(variant: VariantRecord, name: RegExp): string | undefined {
  return variant.options?.find((option) => name.test(option.name))?.value;
}

function productMetafieldWriters(
  shape: RecordShape,
  storeUrl: string | undefined,
): MetafieldWriter<ProductValue>[] {
  const writers: MetafieldWriter<ProductValue>[] = [];
  if (shape.productFields.has("link")) {
    writers.push({
      header: metafieldHeader("Link", "product", OMNIFEED_NAMESPACE, "link"),
      value: (p) =>
        storeUrl !== undefined && p.link === `${storeUrl}/products/${p.id}` ? undefined : p.link,
    });
  }
  for (const [field, key, label, value] of PRODUCT_METAFIELDS) {
    if (shape.productFields.has(field))
      writers.push({ header: metafieldHeader(label, "product", OMNIFEED_NAMESPACE, key), value });
  }
  for (const name of shape.productAttributes) {
    writers.push({ header: attributeHeader("product", name), value: (p) => p.attributes?.[name] });
  }
  for (const name of shape.productOverrides) {
    const [channel, field] = splitOverride(name);
    writers.push({
      header: metafieldHeader(
        `Override ${name}`,
        "product",
        OMNIFEED_NAMESPACE,
        `${OVERRIDE_KEY_PREFIX}${name}`,
      ),
      value: (p) => p.overrides?.[channel]?.[field],
    });
  }
  return writers;
}

function variantMetafieldWriters(shape: RecordShape): MetafieldWriter<VariantValue>[] {
  const writers: MetafieldWriter<VariantValue>[] = [];
  for (const [field, key, label, value] of VARIANT_METAFIELDS) {
    if (shape.variantFields.has(field))
      writers.push({ header: metafieldHeader(label, "variant", OMNIFEED_NAMESPACE, key), value });
  }
  for (const name of shape.variantAttributes) {
    writers.push({ header: attributeHeader("variant", name), value: (v) => v.attributes?.[name] });
  }
  for (const name of shape.variantOverrides) {
    const [channel, field] = splitOverride(name);
    writers.push({
      header: metafieldHeader(
        `Override ${name}`,
        "variant",
        OMNIFEED_NAMESPACE,
        `${OVERRIDE_KEY_PREFIX}${name}`,
      ),
      value: (v) => v.overrides?.[channel]?.[field],
    });
  }
  return writers;
}

/**
 * An attribute that came from a Shopify metafield is named `namespace.key` and goes back to it;
 * any other attribute is an `omnifeed.attr.<name>` metafield.
 */
function attributeHeader(owner: "product" | "variant", name: string): string {
  const dot = name.indexOf(".");
  if (dot > 0 && dot < name.length - 1)
    return metafieldHeader(name, owner, name.slice(0, dot), name.slice(dot + 1));
  return metafieldHeader(name, owner, OMNIFEED_NAMESPACE, `${ATTRIBUTE_KEY_PREFIX}${name}`);
}

function metafieldHeader(
  label: string,
  owner: "product" | "variant",
  namespace: string,
  key: string,
): string {
  return `${label} (${owner}.metafields.${namespace}.${key})`;
}
