import type { Writable } from "node:stream";
import type { CatalogWriter } from "../catalog-writer.js";
import { formatCsvRow } from "../../feeds/csv-text.js";
import {
  moneyRecordCurrency,
  moneyRecordText,
  type ProductRecord,
  type VariantRecord,
} from "../../sources/json/record.js";
import { formatDimensions, formatWeight } from "../../core/units.js";
import {
  createShapeCheck,
  defaultRecordShape,
  splitOverride,
  type RecordShape,
} from "../../sources/record-shape.js";
import { ATTRIBUTE_PREFIX, CSV_COLUMNS, OVERRIDE_PREFIX, PRODUCT_PREFIX } from "../../sources/csv/columns.js";
import { createTextSink } from "../writable-sink.js";

export interface CsvWriterOptions {
  /** `,` (default) or a tab for TSV. */
  delimiter?: "," | "\t" | ";";
  /** Attribute and override columns to write; by default none (see `describeRecords`). */
  shape?: RecordShape;
}

/**
 * Writes product records as a generic catalog CSV: one row per variant, product columns repeated
 * on every row, values as given (a price written as `"twelve"` stays `twelve`).
 */
export function createCsvWriter(output: Writable, options: CsvWriterOptions = {}): CatalogWriter {
  const delimiter = options.delimiter ?? ",";
  const shape = options.shape ?? defaultRecordShape();
  const productAttributes = shape.productAttributes;
  const variantAttributes = shape.variantAttributes;
  const productOverrides = shape.productOverrides.map(splitOverride);
  const variantOverrides = shape.variantOverrides.map(splitOverride);
  const header = [
    ...CSV_COLUMNS,
    ...productAttributes.map((name) => `${PRODUCT_PREFIX}${ATTRIBUTE_PREFIX}${name}`),
    ...variantAttributes.map((name) => `${ATTRIBUTE_PREFIX}${name}`),
    ...shape.productOverrides.map((name) => `${PRODUCT_PREFIX}${OVERRIDE_PREFIX}${name}`),
    ...shape.variantOverrides.map((name) => `${OVERRIDE_PREFIX}${name}`),
  ];
  const checkShape = createShapeCheck(shape, 3);
  const sink = createTextSink(output);
  let started = false;

  return {
    async write(product) {
      if (!started) {
        started = true;
        await sink.write(formatCsvRow(header, delimiter));
      }
      checkShape(product);
      const productValues = productColumns(product);
      const productExtras = productAttributes.map((name) => product.attributes?.[name] ?? "");
      const productOverrideValues = productOverrides.map(
        ([channel, field]) => product.overrides?.[channel]?.[field] ?? "",
      );
      for (const variant of product.variants) {
        const row = variantRow(variant, productValues);
        for (const value of productExtras) row.push(value);
        for (const name of variantAttributes) row.push(variant.attributes?.[name] ?? "");
        for (const value of productOverrideValues) row.push(value);
        for (const [channel, field] of variantOverrides)
          row.push(variant.overrides?.[channel]?.[field] ?? "");
        await sink.write(formatCsvRow(row, delimiter));
      }
    },
    async end() {
      if (!started) await sink.write(formatCsvRow(header, delimiter));
      await sink.end();
    },
  };
}

interface ProductColumns {
  id: string;
  title: string;
  description: string;
  brand: string;
  link: string;
  imageLink: string;
  additionalImages: string;
  category: string;
  productType: string;
  googleProductCategory: string;
  tags: string;
  tail: string[];
}

function productColumns(product: ProductRecord): ProductColumns {
  const images = product.images ?? [];
  return {
    id: product.id,
    title: product.title,
    description: product.description ?? "",
    brand: product.brand ?? "",
    link: product.link ?? "",
    imageLink: images[0] ?? "",
    additionalImages: images.slice(1).join(","),
    category: (product.categoryPath ?? []).join(" > "),
    productType: product.productType ?? "",
    googleProductCategory: product.googleProductCategory ?? "",
    tags: (product.tags ?? []).join(", "),
    // product.color, product.material, product.pattern, product.gender, product.age_group, product.condition
    tail: [
      product.color ?? "",
      product.material ?? "",
      product.pattern ?? "",
      product.gender ?? "",
      product.ageGroup ?? "",
      product.condition ?? "",
    ],
  };
}

/** The canonical columns of one variant's row, in CSV_COLUMNS order. */
function variantRow(variant: VariantRecord, p: ProductColumns): string[] {
  const currency =
    moneyRecordCurrency(variant.price) ??
    moneyRecordCurrency(variant.salePrice) ??
    moneyRecordCurrency(variant.costOfGoods);
  const options = variant.options ?? [];
  return [
    p.id,
    variant.sku,
    p.title,
    variant.title ?? "",
    p.description,
    p.brand,
    p.link,
    variant.link ?? "",
    p.imageLink,
    p.additionalImages,
    (variant.images ?? []).join(","),
    p.category,
    p.productType,
    p.googleProductCategory,
    variant.condition ?? "",
    variant.gtin ?? "",
    variant.mpn ?? "",
    moneyRecordText(variant.price, currency),
    moneyRecordText(variant.salePrice, currency),
    variant.salePriceStart ?? "",
    variant.salePriceEnd ?? "",
    moneyRecordText(variant.costOfGoods, currency),
    currency ?? "",
    variant.availability ?? "",
    variant.availabilityDate ?? "",
    variant.quantity === undefined ? "" : String(variant.quantity),
    (variant.inventory ?? []).map((stock) => `${stock.location}:${stock.quantity}`).join(", "),
    variant.color ?? "",
    variant.size ?? "",
    variant.material ?? "",
    variant.pattern ?? "",
    variant.gender ?? "",
    variant.ageGroup ?? "",
    variant.weight ? formatWeight(variant.weight) : "",
    variant.dimensions ? formatDimensions(variant.dimensions) : "",
    p.tags,
    options[0]?.name ?? "",
    options[0]?.value ?? "",
    options[1]?.name ?? "",
    options[1]?.value ?? "",
    options[2]?.name ?? "",
    options[2]?.value ?? "",
    ...p.tail,
  ];
}
