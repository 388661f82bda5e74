import { firstLine, splitHeaderLine } from "../csv-header.js";
import { defineSource } from "../source.js";
import { isWooHeader } from "./columns.js";
import { WooCommerceCsvOptionsSchema, type WooCommerceCsvOptions } from "./config.js";
import { decodeWooBatch } from "./decode.js";
import { readWooBatches } from "./records.js";

/** A WooCommerce product CSV from the core exporter (simple, variable and variation rows, Meta columns). */
export const wooCommerceCsvSource = defineSource<WooCommerceCsvOptions>({
  format: "woocommerce-csv",
  description: "WooCommerce product CSV export (core exporter; variations linked by Parent; Meta columns)",
  optionsSchema: WooCommerceCsvOptionsSchema,
  sniff(head) {
    return isWooHeader(splitHeaderLine(firstLine(head), ","));
  },
  records: readWooBatches,
  decode: decodeWooBatch,
});
