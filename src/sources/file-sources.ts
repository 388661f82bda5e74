import { csvSource } from "./csv/index.js";
import { googleXmlSource } from "./google-xml/index.js";
import { jsonlSource, jsonSource } from "./json/index.js";
import { shopifyCsvSource } from "./shopify-csv/index.js";
import type { CatalogSource } from "./source.js";
import { wooCommerceCsvSource } from "./woocommerce-csv/index.js";

/**
 * Every catalog file format, by hand. The order is the detection order: the store exports and the
 * structured formats are recognised by their content; the generic CSV takes any delimited file.
 */
export const SOURCES: readonly CatalogSource[] = [
  googleXmlSource,
  jsonlSource,
  jsonSource,
  shopifyCsvSource,
  wooCommerceCsvSource,
  csvSource,
];
