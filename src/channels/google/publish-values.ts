import type { PublishValue, PublishValues } from "../../core/publish.js";
import { moneyOfPriceText } from "../feed-text.js";
import { compilePublishValues } from "../publish-values.js";
import { GOOGLE_FIELDS } from "./fields.js";
import type { GoogleItem } from "./transform.js";

const attributeValues = compilePublishValues(GOOGLE_FIELDS);

/**
 * A Google item as typed values; the store rows of the local inventory as `local_inventory` (the
 * feed file writes every row's price; the API takes a row's price only where it differs).
 */
export function googlePublishValues(item: GoogleItem): PublishValues {
  const values = attributeValues(item.attributes);
  if (item.localInventory.length > 0) {
    values.local_inventory = item.localInventory.map((row) => {
      const typed: Record<string, PublishValue> = {
        store_code: row.store_code,
        quantity: row.quantity,
        availability: row.availability,
      };
      // A store row without a price sells at the online price; leaving it out when it is the same
      // keeps a price change to one call (the product's price), not one more per store.
      if (row.price !== undefined && row.price !== item.attributes.price) {
        typed.price = moneyOfPriceText(row.price) ?? row.price;
      }
      if (row.pickup_method !== undefined) typed.pickup_method = row.pickup_method;
      if (row.pickup_sla !== undefined) typed.pickup_sla = row.pickup_sla;
      return typed;
    });
  }
  return values;
}
