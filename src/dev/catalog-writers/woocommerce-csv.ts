import type { Writable } from "node:stream";
import type { Dimensions, Weight } from "../../core/catalog.js";
import type { CatalogWriter } from "../catalog-writer.js";
import { formatCsvRow } from "../../feeds/csv-text.js";
import { moneyRecordText, type ProductRecord, type VariantRecord } from "../../sources/json/record.js";
import { convertLength, convertWeight } from "../../core/units.js";
import {
  createShapeCheck,
  defaultRecordShape,
  splitOverride,
  type RecordShape,
} from "../../sources/record-shape.js";
import { createTextSink } from "../writable-sink.js";
import { escapeWooText, joinWooList } from "../../sources/woocommerce-csv/escapes.js";

export interface WooCommerceCsvWriterOptions {
  /** Currency of the store: prices in it are written without a code. */
  currency?: string;
  /** With it, a product link equal to `<store_url>/?p=<ID>` is not written out. */
  storeUrl?: string;
  /** Units of the store, named in the `Weight (…)` and `Length (…)` headers. Default kg and cm. */
  weightUnit?: Weight["unit"];
  dimensionUnit?: Dimensions["unit"];
  /** ID of the first product row; rows are numbered from it. Default 100. */
  firstId?: number;
  /** Which meta columns to write; by default every omnifeed field, no attributes. */
  shape?: RecordShape;
}

/** The core exporter's columns, in its order (weight and dimension headers get the store's units). */
function coreColumns(weightUnit: string, dimensionUnit: string): string[] {
  return [
    "ID",
    "Type",
    "SKU",
    "GTIN, UPC, EAN, or ISBN",
    "Name",
    "Published",
    "Is featured?",
    "Visibility in catalog",
    "Short description",
    "Description",
    "Date sale price starts",
    "Date sale price ends",
    "Tax status",
    "Tax class",
    "In stock?",
    "Stock",
    "Low stock amount",
    "Backorders allowed?",
    "Sold individually?",
    `Weight (${weightUnit})`,
    `Length (${dimensionUnit})`,
    `Width (${dimensionUnit})`,
    `Height (${dimensionUnit})`,
    "Allow customer reviews?",
    "Purchase note",
    "Sale price",
    "Regular price",
    "Categories",
    "Tags",
    "Shipping class",
    "Images",
    "Download limit",
    "Download expiry days",
    "Parent",
    "Grouped products",
    "Upsells",
    "Cross-sells",
    "External URL",
    "Button text",
    "Position",
    "Brands",
  ];
}

const C = {
  id: 0,
  type: 1,
  sku: 2,
  gtin: 3,
  name: 4,
  published: 5,
  featured: 6,
  visibility: 7,
  description: 9,
  saleStart: 10,
  saleEnd: 11,
  taxStatus: 12,
  inStock: 14,
  stock: 15,
  backorders: 17,
  soldIndividually: 18,
  weight: 19,
  length: 20,
  width: 21,
  height: 22,
  reviews: 23,
  salePrice: 25,
  regularPrice: 26,
  categories: 27,
  tags: 28,
  images: 30,
  parent: 33,
  position: 39,
  brands: 40,
} as const;

interface MetaWriter {
  key: string;
  /** The canonical field, to keep only the columns the records use. */
  field: string;
  /** Fields at both levels go on the product's row and on variations' rows. */
  level: "product" | "variant" | "both";
  /** Value on a product's row (a variable parent, or a simple product). */
  product?: (product: ProductRecord) => string | undefined;
  /** Value on a variation's row, or a simple product's row for variant-only fields. */
  variant?: (variant: VariantRecord) => string | undefined;
}

/** Fields without a WooCommerce column, as `Meta: omnifeed_*`. */
const META_FIELDS: readonly MetaWriter[] = [
  { key: "omnifeed_product_id", field: "id", level: "product", product: (p) => p.id },
  { key: "omnifeed_link", field: "link", level: "both", product: (p) => p.link, variant: (v) => v.link },
  { key: "omnifeed_product_type", field: "productType", level: "product", product: (p) => p.productType },
  {
    key: "omnifeed_google_product_category",
    field: "googleProductCategory",
    level: "product",
    product: (p) => p.googleProductCategory,
  },
  { key: "omnifeed_title", field: "title", level: "variant", variant: (v) => v.title },
  { key: "omnifeed_mpn", field: "mpn", level: "variant", variant: (v) => v.mpn },
  {
    key: "omnifeed_cost_of_goods",
    field: "costOfGoods",
    level: "variant",
    variant: (v) => (v.costOfGoods === undefined ? undefined : moneyRecordText(v.costOfGoods, undefined)),
  },
  {
    key: "omnifeed_availability",
    field: "availability",
    level: "variant",
    // In stock? carries the other values; preorder has no WooCommerce spelling.
    variant: (v) => (v.availability === "preorder" ? v.availability : undefined),
  },
  {
    key: "omnifeed_availability_date",
    field: "availabilityDate",
    level: "variant",
    variant: (v) => v.availabilityDate,
  },
  {
    key: "omnifeed_inventory",
    field: "inventory",
    level: "variant",
    variant: (v) => v.inventory?.map((stock) => `${stock.location}:${stock.quantity}`).join(", "),
  },
  {
    key: "omnifeed_color",
    field: "color",
    level: "both",
    product: (p) => p.color,
    variant: (v) => unlessOption(v, v.color, /^colou?r$/i),
  },
  {
    key: "omnifeed_size",
    field: "size",
    level: "variant",
    variant: (v) => unlessOption(v, v.size, /^size$/i),
  },
  {
    key: "omnifeed_material",
    field: "material",
    level: "both",
    product: (p) => p.material,
    variant: (v) => v.material,
  },
  {
    key: "omnifeed_pattern",
    field: "pattern",
    level: "both",
    product: (p) => p.pattern,
    variant: (v) => v.pattern,
  },
  {
    key: "omnifeed_gender",
    field: "gender",
    level: "both",
    product: (p) => p.gender,
    variant: (v) => v.gender,
  },
  {
    key: "omnifeed_age_group",
    field: "ageGroup",
    level: "both",
    product: (p) => p.ageGroup,
    variant: (v) => v.ageGroup,
  },
  {
    key: "omnifeed_condition",
    field: "condition",
    level: "both",
    product: (p) => p.condition,
    variant: (v) => v.condition,
  },
];

/** Variant fields a simple product's single row cannot tell apart from its product's. */
const DUAL_FIELDS = [
  "link",
  "images",
  "color",
  "material",
  "pattern",
  "gender",
  "ageGroup",
  "condition",
] as const;

/**
 * Writes product records as a WooCommerce product CSV (core exporter layout): a product with one
 * variant and nothing variant-specific becomes a `simple` row, any other a `variable` row followed
 * by one `variation` row per variant (attributes = the variant's options). What WooCommerce has no
 * column for goes to `Meta: omnifeed_*` columns, attributes to `Meta: <name>`.
 */
export function createWooCommerceCsvWriter(
  output: Writable,
  options: WooCommerceCsvWriterOptions = {},
): CatalogWriter {
  const shape = options.shape ?? defaultRecordShape();
  const currency = options.currency ?? "USD";
  const storeUrl = options.storeUrl?.replace(/\/+$/, "");
  const weightUnit = options.weightUnit ?? "kg";
  const dimensionUnit = options.dimensionUnit ?? "cm";
  const attributeSlots = Math.max(1, Math.min(shape.options, 3));
  const metaFields = META_FIELDS.filter(
    (meta) =>
      meta.key === "omnifeed_product_id" ||
      (meta.level !== "variant" && shape.productFields.has(meta.field)) ||
      (meta.level !== "product" && shape.variantFields.has(meta.field)),
  );
  const attributes = [...new Set([...shape.productAttributes, ...shape.variantAttributes])];
  const overrides = [...new Set([...shape.productOverrides, ...shape.variantOverrides])].map(splitOverride);
  const core = coreColumns(weightUnit === "lb" ? "lbs" : weightUnit, dimensionUnit);
  const attributeStart = core.length;
  const metaStart = attributeStart + attributeSlots * 4;
  const header = [
    ...core,
    ...Array.from({ length: attributeSlots }, (_, index) => [
      `Attribute ${index + 1} name`,
      `Attribute ${index + 1} value(s)`,
      `Attribute ${index + 1} visible`,
      `Attribute ${index + 1} global`,
    ]).flat(),
    ...metaFields.map((meta) => `Meta: ${meta.key}`),
    ...attributes.map((name) => `Meta: ${name}`),
    ...overrides.map(([channel, field]) => `Meta: omnifeed_override.${channel}.${field}`),
  ];
  const checkShape = createShapeCheck(shape, 3);
  const sink = createTextSink(output);
  let nextId = options.firstId ?? 100;
  let started = false;

  const newRow = () => new Array<string>(header.length).fill("");

  const fillMeta = (
    row: string[],
    product: ProductRecord | undefined,
    variant: VariantRecord | undefined,
    simple: boolean,
  ) => {
    let at = metaStart;
    for (const meta of metaFields) {
      let value: string | undefined;
      if (product && meta.product && meta.level !== "variant") value = meta.product(product);
      if (value === undefined && variant && meta.variant && (meta.level === "variant" || !simple))
        value = meta.variant(variant);
      row[at++] = value ?? "";
    }
    const attributeSource = variant && !simple ? variant.attributes : product?.attributes;
    for (const name of attributes) row[at++] = attributeSource?.[name] ?? "";
    const overrideSource = variant && !simple ? variant.overrides : product?.overrides;
    for (const [channel, field] of overrides) row[at++] = overrideSource?.[channel]?.[field] ?? "";
  };

  const productRow = (product: ProductRecord, id: number, type: "simple" | "variable"): string[] => {
    const row = newRow();
    row[C.id] = String(id);
    row[C.type] = type;
    row[C.name] = product.title;
    row[C.published] = "1";
    row[C.featured] = "0";
    row[C.visibility] = "visible";
    row[C.description] = escapeWooText(product.description ?? "");
    row[C.taxStatus] = "taxable";
    row[C.soldIndividually] = "0";
    row[C.reviews] = "1";
    row[C.categories] = product.categoryPath?.length ? joinWooList([product.categoryPath.join(" > ")]) : "";
    row[C.tags] = joinWooList(product.tags ?? []);
    row[C.images] = joinWooList(product.images ?? []);
    row[C.position] = "0";
    row[C.brands] = product.brand === undefined ? "" : joinWooList([product.brand]);
    return row;
  };

  const fillOffer = (row: string[], variant: VariantRecord) => {
    row[C.sku] = variant.sku;
    row[C.gtin] = variant.gtin ?? "";
    row[C.saleStart] = variant.salePriceStart ?? "";
    row[C.saleEnd] = variant.salePriceEnd ?? "";
    row[C.inStock] = inStockText(variant.availability);
    row[C.stock] = variant.quantity === undefined ? "" : String(variant.quantity);
    row[C.backorders] = variant.availability === "backorder" ? "1" : "0";
    if (variant.weight)
      row[C.weight] = String(convertWeight(variant.weight.value, variant.weight.unit, weightUnit));
    if (variant.dimensions) {
      const { length, width, height, unit } = variant.dimensions;
      row[C.length] = String(convertLength(length, unit, dimensionUnit));
      row[C.width] = String(convertLength(width, unit, dimensionUnit));
      row[C.height] = String(convertLength(height, unit, dimensionUnit));
    }
    row[C.salePrice] = moneyRecordText(variant.salePrice, currency);
    row[C.regularPrice] = moneyRecordText(variant.price, currency);
  };

  return {
    async write(product) {
      if (!started) {
        started = true;
        await sink.write(formatCsvRow(header, ","));
      }
      checkShape(product);
      const single = product.variants.length === 1 ? product.variants[0] : undefined;
      const parentId = nextId++;
      const defaultLink = storeUrl === undefined ? undefined : `${storeUrl}/?p=${parentId}`;
      const linked = product.link === defaultLink ? { ...product, link: undefined } : product;
      if (single && fitsSimpleRow(single)) {
        const row = productRow(product, parentId, "simple");
        fillOffer(row, single);
        fillMeta(row, withoutDefaultId(linked, single.sku), single, true);
        await sink.write(formatCsvRow(row, ","));
        return;
      }
      const parent = productRow(product, parentId, "variable");
      parent[C.sku] = product.id;
      const names = product.variants[0]?.options?.map((option) => option.name) ?? [];
      names.forEach((name, slot) => {
        const values = [...new Set(product.variants.map((variant) => variant.options?.[slot]?.value ?? ""))];
        parent[attributeStart + slot * 4] = name;
        parent[attributeStart + slot * 4 + 1] = joinWooList(values.filter((value) => value !== ""));
        parent[attributeStart + slot * 4 + 2] = "1";
        parent[attributeStart + slot * 4 + 3] = "1";
      });
      fillMeta(parent, withoutDefaultId(linked, product.id), undefined, false);
      await sink.write(formatCsvRow(parent, ","));
      for (const [index, variant] of product.variants.entries()) {
        const row = newRow();
        row[C.id] = String(nextId++);
        row[C.type] = "variation";
        const values = (variant.options ?? []).map((option) => option.value);
        row[C.name] = values.length > 0 ? `${product.title} - ${values.join(", ")}` : product.title;
        row[C.published] = "1";
        row[C.taxStatus] = "taxable";
        row[C.parent] = product.id;
        row[C.position] = String(index + 1);
        row[C.images] = joinWooList(variant.images ?? []);
        fillOffer(row, variant);
        (variant.options ?? []).forEach((option, slot) => {
          row[attributeStart + slot * 4] = option.name;
          row[attributeStart + slot * 4 + 1] = joinWooList([option.value]);
          row[attributeStart + slot * 4 + 3] = "1";
        });
        fillMeta(row, undefined, variant, false);
        await sink.write(formatCsvRow(row, ","));
      }
    },
    async end() {
      if (!started) await sink.write(formatCsvRow(header, ","));
      await sink.end();
    },
  };
}

/** A single variant with no options and nothing of its own at variant level fits a simple product's row. */
function fitsSimpleRow(variant: VariantRecord): boolean {
  if ((variant.options?.length ?? 0) > 0) return false;
  if (Object.keys(variant.attributes ?? {}).length > 0 || Object.keys(variant.overrides ?? {}).length > 0)
    return false;
  return DUAL_FIELDS.every((field) => {
    const value = variant[field];
    return value === undefined || (Array.isArray(value) && value.length === 0);
  });
}

/** The product id goes to `Meta: omnifeed_product_id` only when the row's SKU does not say it. */
function withoutDefaultId(product: ProductRecord, sku: string): ProductRecord {
  return product.id === sku ? { ...product, id: "" } : product;
}

function inStockText(availability: VariantRecord["availability"]): string {
  if (availability === "in_stock") return "1";
  if (availability === "out_of_stock" || availability === "preorder") return "0";
  if (availability === "backorder") return "backorder";
  return "";
}

function unlessOption(variant: VariantRecord, value: string | undefined, name: RegExp): string | undefined {
  return value === variant.options?.find((option) => name.test(option.name))?.value ? undefined : value;
}
