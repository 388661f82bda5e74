import type { FeedFormat } from "../../feeds/format.js";
import { tabCell } from "../tab-text.js";
import type { GoogleSettings } from "./config.js";
import type { GoogleItem } from "./transform.js";

/**
 * `google-local-inventory.tsv`: stock per store for local inventory ads and free local listings
 * (https://support.google.com/merchants/answer/3061342). An entry holds all rows of one item, one
 * per store; an item without store inventory gives an empty entry.
 */
const COLUMNS = ["store_code", "id", "quantity", "price", "availability", "pickup_method", "pickup_sla"];

export const googleLocalInventoryFeed: FeedFormat<GoogleItem, GoogleSettings> = {
  id: "google-local-inventory",
  description: "Google local inventory feed, tab-delimited text (google-local-inventory.tsv)",
  fileName: () => "google-local-inventory.tsv",
  unit: "items",
  layout: "tsv-item-rows",
  header: () => `${COLUMNS.join("\t")}\n`,
  footer: () => "",
  render: (items) =>
    items.map((item) => {
      let rows = "";
      for (const row of item.localInventory) {
        rows +=
          `${tabCell(row.store_code)}\t${tabCell(row.id)}\t${row.quantity}\t${row.price ?? ""}\t` +
          `${row.availability}\t${row.pickup_method ?? ""}\t${row.pickup_sla ?? ""}\n`;
      }
      return rows;
    }),
};
