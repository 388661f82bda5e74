import type { ItemIssue, Severity } from "../../core/issues.js";
import { checkPrices, checkRequired, checkShippingGroups, compileFeedChecks } from "../feed-checks.js";
import { hasRestrictedPrefix } from "../gtin.js";
import type { ApparelKind } from "./apparel.js";
import { APPAREL_STRICT_COUNTRIES, apparelKindOf } from "./apparel.js";
import type { GoogleSettings } from "./config.js";
import type { GoogleAttributes } from "./fields.js";
import { GOOGLE_FIELDS } from "./fields.js";
import type { GoogleItem } from "./transform.js";

/**
 * Google's published rules for one item (https://support.google.com/merchants/answer/7052112).
 * Errors are what disapproves an item; warnings what limits it. Codes are stable; the list with
 * severities is in `docs/channels.md`.
 */

const REQUIRED = ["id", "title", "description", "link", "image_link", "availability", "price"] as const;
const checkFields = compileFeedChecks(GOOGLE_FIELDS);
const ITEM_GROUP_ID = /^[A-Za-z0-9_-]{1,50}$/;

export function validateGoogleItem(item: GoogleItem, settings: GoogleSettings): ItemIssue[] {
  const issues: ItemIssue[] = [];
  const attributes = item.attributes;
  checkRequired(attributes, REQUIRED, issues);
  checkFields(attributes, issues);
  checkAvailability(attributes, issues);
  checkPrices(attributes, issues);
  const gtinValid = checkGtinPrefix(attributes.gtin, issues);
  const apparel = apparelKindOf(attributes.google_product_category);
  checkIdentifiers(attributes, gtinValid, apparel.apparel, issues);
  checkApparel(attributes, apparel, settings, issues);
  checkVariantGroup(attributes, issues);
  checkShippingGroups(attributes.shipping, issues);
  if (attributes.multipack !== undefined && !(Number(attributes.multipack) > 1)) {
    issues.push({
      severity: "error",
      code: "number_invalid",
      field: "multipack",
      message: `multipack must be a whole number above 1, not "${attributes.multipack}"`,
    });
  }
  return issues;
}

// https://support.google.com/merchants/answer/7052112 — availability_date is required for preorder and backorder.
function checkAvailability(attributes: GoogleAttributes, issues: ItemIssue[]): void {
  const availability = attributes.availability;
  if (
    (availability === "preorder" || availability === "backorder") &&
    attributes.availability_date === undefined
  ) {
    issues.push({
      severity: "error",
      code: "availability_date_missing",
      field: "availability_date",
      message: `availability_date is required when availability is ${availability}`,
    });
  }
}

// The GTIN was screened when the item was built (channels/identifiers.ts): what is left is valid.
function checkGtinPrefix(gtin: string | undefined, issues: ItemIssue[]): boolean {
  if (gtin === undefined) return false;
  if (hasRestrictedPrefix(gtin)) {
    issues.push({
      severity: "warning",
      code: "gtin_restricted_prefix",
      field: "gtin",
      message: `"${gtin}" uses a GS1 prefix for restricted circulation or coupons, which Google rejects`,
    });
  }
  return true;
}

// Identifiers: https://support.google.com/merchants/answer/6324478
function checkIdentifiers(
  attributes: GoogleAttributes,
  gtinValid: boolean,
  apparel: boolean,
  issues: ItemIssue[],
): void {
  const declaredNone = attributes.identifier_exists === "no";
  if (declaredNone && gtinValid) {
    issues.push({
      severity: "warning",
      code: "identifier_exists_conflict",
      field: "identifier_exists",
      message: "identifier_exists is no but the item has a valid GTIN; Google may ignore the flag",
    });
  }
  const brandAndMpn = attributes.brand !== undefined && attributes.mpn !== undefined;
  if (!declaredNone && attributes.gtin === undefined && !brandAndMpn) {
    issues.push({
      severity: "warning",
      code: "identifiers_missing",
      field: "gtin",
      message:
        "no GTIN and no brand + MPN: send them, or identifier_exists = no for custom or handmade goods",
    });
  }
  const isNew = attributes.condition === undefined || attributes.condition === "new";
  if (isNew && !declaredNone && !apparel && attributes.brand === undefined) {
    issues.push({
      severity: "warning",
      code: "brand_missing",
      field: "brand",
      message: "brand is expected for new products",
    });
  }
}

const APPAREL_FIELDS = ["brand", "color", "gender", "age_group"] as const;

function checkApparel(
  attributes: GoogleAttributes,
  kind: ApparelKind,
  settings: GoogleSettings,
  issues: ItemIssue[],
): void {
  if (!kind.apparel) return;
  const severity: Severity = APPAREL_STRICT_COUNTRIES.has(settings.target_country) ? "error" : "warning";
  const missing: string[] = APPAREL_FIELDS.filter((field) => attributes[field] === undefined);
  if (kind.sized && attributes.size === undefined) missing.push("size");
  for (const field of missing) {
    issues.push({
      severity,
      code: "apparel_attribute_missing",
      field,
      message: `${field} is required for apparel in ${settings.target_country}`,
    });
  }
}

// item_group_id: https://support.google.com/merchants/answer/7052112 — variants share it.
function checkVariantGroup(attributes: GoogleAttributes, issues: ItemIssue[]): void {
  const group = attributes.item_group_id;
  if (group !== undefined && !ITEM_GROUP_ID.test(group)) {
    issues.push({
      severity: "error",
      code: "item_group_id_invalid",
      field: "item_group_id",
      message: `"${group}" must be 1–50 letters, digits, _ or -`,
    });
  }
}
