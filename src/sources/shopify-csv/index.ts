import { firstLine, splitHeaderLine } from "../csv-header.js";
import { defineSource } from "../source.js";
import { isShopifyHeader } from "./columns.js";
import { ShopifyCsvOptionsSchema, type ShopifyCsvOptions } from "./config.js";
import { decodeShopifyBatch } from "./decode.js";
import { readShopifyBatches } from "./records.js";

/** A Shopify product CSV export, current (`URL handle`) or legacy (`Handle`) dialect. */
export const shopifyCsvSource = defineSource<ShopifyCsvOptions>({
  format: "shopify-csv",
  description: "Shopify product CSV export (current and legacy dialects, metafield columns)",
  optionsSchema: ShopifyCsvOptionsSchema,
  sniff(head) {
    return isShopifyHeader(splitHeaderLine(firstLine(head), ","));
  },
  records: readShopifyBatches,
  decode: decodeShopifyBatch,
});
