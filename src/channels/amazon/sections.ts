import { sectionTable } from "../publish-values.js";

/** Amazon's attributes by section: a price or stock change is a PATCH of that one attribute. */
export const amazonSectionOf = sectionTable(
  ["purchasable_offer", "list_price"],
  ["fulfillment_availability"],
);
