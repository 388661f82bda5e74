import { sectionTable } from "../publish-values.js";

/**
 * Google's fields by section: a change to price or stock alone takes the Merchant API's cheap path
 * (a `productInputs.patch` with an update mask, `localInventories`), and counts against the
 * per-product update budget like any other.
 */
export const googleSectionOf = sectionTable(
  ["price", "sale_price", "sale_price_effective_date", "cost_of_goods_sold", "auto_pricing_min_price"],
  ["availability", "availability_date", "local_inventory"],
);
