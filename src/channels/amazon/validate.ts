import type { ItemIssue } from "../../core/issues.js";
import { ISO_DATE } from "../feed-checks.js";
import type { AmazonSettings } from "./config.js";
import type { AmazonAttributeValue, AmazonItem, AmazonJson } from "./transform.js";

/**
 * The rules omnifeed checks before a listing is sent. Amazon's own checks run per product type
 * after upload (processing report, listing issues); these catch what is wrong whatever the type.
 * Codes and severities are listed in `docs/channels.md`.
 */

const SKU_MAX = 40;
const ITEM_NAME_MAX = 200;
const PRODUCT_TYPE = /^[A-Z0-9_]+$/;
const ASIN = /^[A-Z0-9]{10}$/;
const HTTPS_URL = /^https:\/\/\S+$/i;
const IMAGE_ATTRIBUTE = /^(?:main|other|swatch)_product_image_locator(?:_\d+)?$/;
/** How a merchant gives the product type; the error repeats it because every new catalog meets it. */
export const PRODUCT_TYPE_HELP =
  "product_type is required: give the item an attribute amazon_product_type such as SHIRT " +
  "(CSV column attr.amazon_product_type), or map product_type in your Amazon mapping from a " +
  "lookup of your categories or in a rule (see channel-mappings/examples/demo/amazon.yaml)";

const CONDITION_TYPES = new Set([
  "new_new",
  "new_open_box",
  "new_oem",
  "refurbished_refurbished",
  "used_like_new",
  "used_very_good",
  "used_good",
  "used_acceptable",
  "collectible_like_new",
  "collectible_very_good",
  "collectible_good",
  "collectible_acceptable",
  "club_club",
]);

export function validateAmazonItem(item: AmazonItem, settings: AmazonSettings): ItemIssue[] {
  const issues: ItemIssue[] = [];
  const attributes = item.attributes;
  checkSku(item.sku, issues);
  if (item.productType === "") {
    issues.push({
      severity: "error",
      code: "product_type_missing",
      field: "product_type",
      message: PRODUCT_TYPE_HELP,
    });
  } else if (!PRODUCT_TYPE.test(item.productType)) {
    issues.push({
      severity: "error",
      code: "product_type_invalid",
      field: "product_type",
      message: `"${item.productType}" is not an Amazon product type such as SHIRT`,
    });
  }
  if (settings.requirements !== "LISTING_OFFER_ONLY") checkProductFacts(attributes, issues);
  if (settings.requirements !== "LISTING_PRODUCT_ONLY") checkOffer(attributes, settings, issues);
  checkIdentifiers(attributes, issues);
  checkImages(attributes, issues);
  const condition = first(attributes.condition_type)?.value;
  if (typeof condition === "string" && !CONDITION_TYPES.has(condition)) {
    issues.push({
      severity: "error",
      code: "condition_type_invalid",
      field: "condition_type",
      message: `"${condition}" is not an Amazon condition such as new_new or used_good`,
    });
  }
  if (attributes.child_parent_sku_relationship !== undefined && attributes.variation_theme === undefined) {
    issues.push({
      severity: "warning",
      code: "variation_theme_missing",
      field: "variation_theme",
      message: "a variation child needs the parent's variation_theme",
    });
  }
  return issues;
}

function checkSku(sku: string, issues: ItemIssue[]): void {
  if (sku === "") {
    issues.push({ severity: "error", code: "sku_missing", field: "sku", message: "sku is required" });
  } else if (sku.length > SKU_MAX) {
    issues.push({
      severity: "error",
      code: "sku_too_long",
      field: "sku",
      message: `${sku.length} characters, Amazon takes at most ${SKU_MAX}`,
    });
  }
}

function checkProductFacts(attributes: AmazonItem["attributes"], issues: ItemIssue[]): void {
  const name = first(attributes.item_name)?.value;
  if (typeof name !== "string") {
    issues.push({
      severity: "error",
      code: "item_name_missing",
      field: "item_name",
      message: "item_name is required",
    });
  } else if (name.length > ITEM_NAME_MAX) {
    issues.push({
      severity: "warning",
      code: "item_name_too_long",
      field: "item_name",
      message: `${name.length} characters; Amazon suppresses titles over ${ITEM_NAME_MAX} in most categories`,
    });
  }
  if (attributes.brand === undefined) {
    issues.push({
      severity: "warning",
      code: "brand_missing",
      field: "brand",
      message: "most product types require a brand",
    });
  }
}

function checkOffer(
  attributes: AmazonItem["attributes"],
  settings: AmazonSettings,
  issues: ItemIssue[],
): void {
  const offer = first(attributes.purchasable_offer);
  if (offer === undefined) {
    issues.push({
      severity: "error",
      code: "price_missing",
      field: "our_price",
      message: "our_price is required",
    });
  } else {
    const price = scheduleValue(offer.our_price);
    const sale = scheduleValue(offer.discounted_price);
    if (price === undefined || price <= 0) {
      issues.push({
        severity: "error",
        code: "price_not_positive",
        field: "our_price",
        message: "our_price must be above 0",
      });
    } else if (sale !== undefined && sale >= price) {
      issues.push({
        severity: "error",
        code: "sale_price_not_lower",
        field: "sale_price",
        message: `sale_price ${sale} is not below our_price ${price}`,
      });
    }
    checkSalePeriod(offer.discounted_price, issues);
    checkCurrency(offer.currency, "our_price", settings, issues);
  }
  checkCurrency(first(attributes.list_price)?.currency, "list_price", settings, issues);

  const availability = first(attributes.fulfillment_availability);
  const quantity = availability?.quantity;
  if (
    quantity !== undefined &&
    !(typeof quantity === "number" && Number.isInteger(quantity) && quantity >= 0)
  ) {
    issues.push({
      severity: "error",
      code: "quantity_invalid",
      field: "quantity",
      message: `quantity must be a whole number ≥ 0, not ${JSON.stringify(quantity)}`,
    });
  }
  if (settings.fulfillment_channel_code === "DEFAULT" && availability === undefined) {
    issues.push({
      severity: "warning",
      code: "quantity_missing",
      field: "quantity",
      message: "no quantity: a merchant-fulfilled offer without one is not buyable",
    });
  }
}

function checkCurrency(
  currency: AmazonJson | undefined,
  field: string,
  settings: AmazonSettings,
  issues: ItemIssue[],
): void {
  if (currency === undefined || currency === settings.currency) return;
  issues.push({
    severity: "error",
    code: "currency_mismatch",
    field,
    message: `${field} is in ${JSON.stringify(currency)}, marketplace ${settings.marketplace_id} sells in ${settings.currency}`,
  });
}

function checkSalePeriod(discounted: AmazonJson | undefined, issues: ItemIssue[]): void {
  const schedule = firstSchedule(discounted);
  if (schedule === undefined) return;
  for (const key of ["start_at", "end_at"] as const) {
    const date = schedule[key];
    if (typeof date === "string" && !ISO_DATE.test(date)) {
      issues.push({
        severity: "error",
        code: "date_invalid",
        field: key === "start_at" ? "sale_price_start" : "sale_price_end",
        message: `"${date}" is not an ISO 8601 date`,
      });
    }
  }
}

function checkIdentifiers(attributes: AmazonItem["attributes"], issues: ItemIssue[]): void {
  // The GTIN was screened when the listing was built (channels/identifiers.ts).
  const asin = first(attributes.merchant_suggested_asin)?.value;
  if (typeof asin === "string" && !ASIN.test(asin)) {
    issues.push({
      severity: "error",
      code: "asin_invalid",
      field: "merchant_suggested_asin",
      message: `"${asin}" is not an ASIN (10 letters and digits)`,
    });
  }
  if (attributes.supplier_declared_has_product_identifier_exemption !== undefined) {
    issues.push({
      severity: "warning",
      code: "gtin_exemption_declared",
      field: "externally_assigned_product_identifier",
      message:
        "no GTIN or ASIN: the listing declares a GTIN exemption, which needs an approved exemption for the brand",
    });
  }
}

function checkImages(attributes: AmazonItem["attributes"], issues: ItemIssue[]): void {
  for (const name in attributes) {
    if (!IMAGE_ATTRIBUTE.test(name)) continue;
    const url = first(attributes[name])?.media_location;
    if (typeof url === "string" && !HTTPS_URL.test(url)) {
      issues.push({
        severity: "error",
        code: "image_not_https",
        field: name,
        message: `"${url}" is not a public https URL`,
      });
    }
  }
}

function first(values: readonly AmazonAttributeValue[] | undefined): AmazonAttributeValue | undefined {
  return values?.[0];
}

function firstSchedule(prices: AmazonJson | undefined): AmazonAttributeValue | undefined {
  if (!Array.isArray(prices)) return undefined;
  const price = (prices as readonly AmazonAttributeValue[])[0];
  const schedule = price?.schedule;
  return Array.isArray(schedule) ? (schedule as readonly AmazonAttributeValue[])[0] : undefined;
}

function scheduleValue(prices: AmazonJson | undefined): number | undefined {
  const value = firstSchedule(prices)?.value_with_tax;
  return typeof value === "number" ? value : undefined;
}
