import { sectionTable } from "../publish-values.js";

/** Meta's fields by section: a price or stock change is a batch `UPDATE` of those fields alone. */
export const metaSectionOf = sectionTable(
  ["price", "sale_price", "sale_price_effective_date"],
  ["availability", "quantity_to_sell_on_facebook"],
);
