import type { Writable } from "node:stream";
import { OmnifeedError } from "../core/errors.js";
import type { CatalogWriter } from "./catalog-writer.js";
import { createCsvWriter } from "./catalog-writers/csv.js";
import { createGoogleXmlWriter } from "./catalog-writers/google-xml.js";
import { createJsonlWriter, createJsonWriter } from "./catalog-writers/json.js";
import type { RecordShape } from "../sources/record-shape.js";
import { createShopifyCsvWriter } from "./catalog-writers/shopify-csv.js";
import type { FileFormat } from "../sources/source.js";
import { createWooCommerceCsvWriter } from "./catalog-writers/woocommerce-csv.js";

/** Options the writers share; each takes the ones that concern its format. */
export interface CatalogWriterOptions {
  /** The store's currency (Shopify, WooCommerce: prices in it are written without a code). */
  currency?: string;
  /** The store's address (Shopify, WooCommerce: default links are not written out; Google: channel link). */
  storeUrl?: string;
  /** Attribute, override and metafield/meta columns (CSV formats); see `describeRecords`. */
  shape?: RecordShape;
  /** Generic CSV: `,` or a tab. */
  delimiter?: "," | "\t";
  /** Google XML: the channel title. */
  title?: string;
}

/** Writer for a catalog format, for conversions and fixtures. */
export function createCatalogWriter(
  format: FileFormat,
  output: Writable,
  options: CatalogWriterOptions = {},
): CatalogWriter {
  switch (format) {
    case "csv":
      return createCsvWriter(output, { delimiter: options.delimiter, shape: options.shape });
    case "json":
      return createJsonWriter(output);
    case "jsonl":
      return createJsonlWriter(output);
    case "shopify-csv":
      return createShopifyCsvWriter(output, options);
    case "woocommerce-csv":
      return createWooCommerceCsvWriter(output, options);
    case "google-xml":
      return createGoogleXmlWriter(output, {
        currency: options.currency,
        link: options.storeUrl,
        title: options.title,
      });
    default:
      throw new OmnifeedError("config", `no writer for the catalog format "${String(format)}"`);
  }
}
