import type { ItemIssue } from "../../core/issues.js";
import type { Money } from "../../core/money.js";
import { isMoney, moneyToNumber, parseMoney } from "../../core/money.js";
import { lengthUnitNamed, weightUnitNamed, type LengthUnit, type WeightUnit } from "../../core/units.js";
import { isDimensions, isWeight } from "../../mapping/field-values.js";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import { channelKeyText } from "../channel-key.js";
import { normaliseOffset } from "../feed-checks.js";
import { textListOf, textOf } from "../feed-text.js";
import { checkGtin } from "../gtin.js";
import { screenGtin, screenMpn } from "../identifiers.js";
import type { AmazonSettings } from "./config.js";

/** A JSON value inside a listing attribute. */
export type AmazonJson = string | number | boolean | AmazonAttributeValue | readonly AmazonJson[];

/** One value object of an attribute, e.g. `{ value: "Acme", language_tag: "en_US", marketplace_id: "…" }`. */
export interface AmazonAttributeValue {
  readonly [key: string]: AmazonJson;
}

/** Listing attributes as the Listings Items API and JSON_LISTINGS_FEED take them: arrays of value objects. */
export type AmazonAttributes = Record<string, AmazonAttributeValue[]>;

/** An Amazon listing: one variant, one message of the JSON_LISTINGS_FEED. */
export interface AmazonItem {
  sku: string;
  productType: string;
  attributes: AmazonAttributes;
}

// Amazon's unit names for the units of core/units.ts (which also reads the names merchants write).
const AMAZON_WEIGHT_UNITS: Readonly<Record<WeightUnit, string>> = {
  g: "grams",
  kg: "kilograms",
  oz: "ounces",
  lb: "pounds",
};

const AMAZON_LENGTH_UNITS: Readonly<Record<LengthUnit, string>> = {
  mm: "millimeters",
  cm: "centimeters",
  m: "meters",
  in: "inches",
  ft: "feet",
};

function amazonWeightUnit(name: string): string | undefined {
  const unit = weightUnitNamed(name);
  return unit && AMAZON_WEIGHT_UNITS[unit];
}

function amazonLengthUnit(name: string): string | undefined {
  const unit = lengthUnitNamed(name);
  return unit && AMAZON_LENGTH_UNITS[unit];
}

const CONDITIONS: Readonly<Record<string, string>> = {
  new: "new_new",
  used: "used_good",
  refurbished: "refurbished_refurbished",
};

const WEIGHT_TEXT = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;
const DIMENSIONS_TEXT = /^(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*([a-z]+)$/i;
const NUMBER_TEXT = /^[+-]?\d+(?:\.\d+)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_OTHER_IMAGES = 8;

/**
 * Mapped fields → an Amazon listing. Pure. The attribute shapes follow the Listings Items API
 * (https://developer-docs.amazon.com/sp-api/docs/building-listings-management-workflows-guide);
 * required attributes per product type come from its definition. Values that cannot be read
 * (a price, a quantity, a weight) are left out with an error issue.
 */
export function toAmazonItem(
  mapped: MappingResult,
  settings: AmazonSettings,
): { item: AmazonItem; issues: ItemIssue[] } {
  const fields = mapped.fields;
  const issues: ItemIssue[] = [];
  const marketplace = settings.marketplace_id;
  const language = settings.language_tag;
  const attributes: AmazonAttributes = {};

  const localized = (field: string, attribute = field): void => {
    const value = textOf(fields[field]);
    if (value !== undefined)
      attributes[attribute] = [{ value, language_tag: language, marketplace_id: marketplace }];
  };
  const plain = (field: string, attribute = field): void => {
    const value = textOf(fields[field]);
    if (value !== undefined) attributes[attribute] = [{ value, marketplace_id: marketplace }];
  };

  localized("item_name");
  localized("brand");
  localized("manufacturer");
  plain("model_number");
  localized("product_description");
  const bullets = textListOf(fields.bullet_point, false);
  if (bullets) {
    attributes.bullet_point = bullets.map((value) => ({
      value,
      language_tag: language,
      marketplace_id: marketplace,
    }));
  }
  // Search terms are one text; several keywords are separated by spaces.
  const keywords = textListOf(fields.generic_keyword, false);
  if (keywords) {
    attributes.generic_keyword = [
      { value: keywords.join(" "), language_tag: language, marketplace_id: marketplace },
    ];
  }
  plain("item_type_keyword");
  const browseNodes = textListOf(fields.recommended_browse_nodes, false);
  if (browseNodes)
    attributes.recommended_browse_nodes = browseNodes.map((value) => ({
      value,
      marketplace_id: marketplace,
    }));

  identifiersOf(fields, settings, attributes, issues);
  const condition = textOf(fields.condition_type);
  if (condition !== undefined) {
    const key = condition.toLowerCase();
    attributes.condition_type = [{ value: CONDITIONS[key] ?? key, marketplace_id: marketplace }];
  }
  localized("condition_note");

  offerOf(fields, settings, attributes, issues);
  fulfillmentOf(fields, settings, attributes, issues);
  plain("merchant_shipping_group");
  imagesOf(fields, marketplace, attributes, issues);

  localized("color");
  localized("size");
  localized("material");
  localized("pattern");
  localized("style");
  localized("department");
  const gender = textOf(fields.target_gender);
  if (gender !== undefined)
    attributes.target_gender = [{ value: gender.toLowerCase(), marketplace_id: marketplace }];
  localized("age_range_description");
  plain("country_of_origin");

  weightOf(fields, "item_weight", marketplace, attributes, issues);
  weightOf(fields, "item_package_weight", marketplace, attributes, issues);
  dimensionsOf(fields, "item_dimensions", marketplace, attributes, issues);
  dimensionsOf(fields, "item_package_dimensions", marketplace, attributes, issues);
  const count = wholeNumberOf(fields.number_of_items, "number_of_items", issues);
  if (count !== undefined) attributes.number_of_items = [{ value: count, marketplace_id: marketplace }];

  variationOf(fields, marketplace, attributes);

  const item: AmazonItem = {
    sku: channelKeyText(textOf(fields.sku) ?? ""),
    productType: textOf(fields.product_type)?.toUpperCase() ?? "",
    attributes,
  };
  return { item, issues };
}

// Identifiers: a GTIN with its type, or an ASIN to match, or the declaration that the product has
// no GTIN (accepted for brands with an approved GTIN exemption). An invalid GTIN is never sent, and
// its absence declares no exemption: the product has a barcode, only the file damaged it.
function identifiersOf(
  fields: MappingResult["fields"],
  settings: AmazonSettings,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const marketplace = settings.marketplace_id;
  const policy = settings.invalid_identifiers;
  const mapped = textOf(fields.externally_assigned_product_identifier);
  const gtin =
    mapped === undefined
      ? undefined
      : screenGtin(mapped, "externally_assigned_product_identifier", policy, issues);
  const asin = textOf(fields.merchant_suggested_asin);
  const partNumber = textOf(fields.part_number);
  const part =
    partNumber === undefined
      ? undefined
      : screenMpn(partNumber, gtin === undefined ? mapped : undefined, "part_number", policy, issues);
  if (part !== undefined) attributes.part_number = [{ value: part, marketplace_id: marketplace }];
  if (gtin !== undefined) {
    const type = textOf(fields.external_product_id_type)?.toLowerCase() ?? checkGtin(gtin).type;
    attributes.externally_assigned_product_identifier = [
      type === undefined
        ? { value: gtin, marketplace_id: marketplace }
        : { type, value: gtin, marketplace_id: marketplace },
    ];
  }
  if (asin !== undefined) attributes.merchant_suggested_asin = [{ value: asin, marketplace_id: marketplace }];
  if (mapped === undefined && asin === undefined) {
    attributes.supplier_declared_has_product_identifier_exemption = [
      { value: true, marketplace_id: marketplace },
    ];
  }
}

// purchasable_offer: the price schedule per marketplace, currency and audience; the sale as a
// discounted_price schedule with its period. list_price is the suggested retail price.
function offerOf(
  fields: MappingResult["fields"],
  settings: AmazonSettings,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const marketplace = settings.marketplace_id;
  const ourPrice = moneyOf(fields.our_price, "our_price", settings.currency, issues);
  const salePrice = moneyOf(fields.sale_price, "sale_price", settings.currency, issues);
  const listPrice = moneyOf(fields.list_price, "list_price", settings.currency, issues);
  if (ourPrice !== undefined) {
    const offer: Record<string, AmazonJson> = {
      marketplace_id: marketplace,
      currency: ourPrice.currency,
      audience: "ALL",
      our_price: [{ schedule: [{ value_with_tax: moneyToNumber(ourPrice) }] }],
    };
    if (salePrice !== undefined) {
      const schedule: Record<string, AmazonJson> = { value_with_tax: moneyToNumber(salePrice) };
      const start = dateOf(fields.sale_price_start);
      const end = dateOf(fields.sale_price_end);
      if (start !== undefined) schedule.start_at = start;
      if (end !== undefined) schedule.end_at = end;
      offer.discounted_price = [{ schedule: [schedule] }];
    }
    attributes.purchasable_offer = [offer];
  }
  if (listPrice !== undefined) {
    attributes.list_price = [
      { value_with_tax: moneyToNumber(listPrice), currency: listPrice.currency, marketplace_id: marketplace },
    ];
  }
}

// fulfillment_availability: merchant-fulfilled (DEFAULT) sends the quantity; FBA codes send none.
function fulfillmentOf(
  fields: MappingResult["fields"],
  settings: AmazonSettings,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const code = settings.fulfillment_channel_code;
  if (code !== "DEFAULT") {
    attributes.fulfillment_availability = [{ fulfillment_channel_code: code }];
    return;
  }
  // A fractional or negative quantity is kept for validation to report; only unreadable text is dropped.
  const quantity = numberOf(fields.quantity, "quantity", "quantity_invalid", issues);
  if (quantity === undefined) return;
  const availability: Record<string, AmazonJson> = { fulfillment_channel_code: code, quantity };
  const handling = wholeNumberOf(fields.handling_time, "handling_time", issues);
  if (handling !== undefined) availability.lead_time_to_ship_max_days = handling;
  attributes.fulfillment_availability = [availability];
}

function imagesOf(
  fields: MappingResult["fields"],
  marketplace: string,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const main = textOf(fields.main_image);
  if (main !== undefined)
    attributes.main_product_image_locator = [{ media_location: main, marketplace_id: marketplace }];
  const others = textListOf(fields.other_images, true) ?? [];
  if (others.length > MAX_OTHER_IMAGES) {
    issues.push({
      severity: "warning",
      code: "too_many_values",
      field: "other_images",
      message: `${others.length} other images, at most ${MAX_OTHER_IMAGES} are sent; the rest are dropped`,
    });
  }
  others.slice(0, MAX_OTHER_IMAGES).forEach((url, index) => {
    attributes[`other_product_image_locator_${index + 1}`] = [
      { media_location: url, marketplace_id: marketplace },
    ];
  });
  const swatch = textOf(fields.swatch_image);
  if (swatch !== undefined) {
    attributes.swatch_product_image_locator = [{ media_location: swatch, marketplace_id: marketplace }];
  }
}

function weightOf(
  fields: MappingResult["fields"],
  field: string,
  marketplace: string,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const value = fields[field];
  if (value === undefined) return;
  let amount: number | undefined;
  let unit: string | undefined;
  if (isWeight(value)) {
    amount = value.value;
    unit = amazonWeightUnit(value.unit);
  } else {
    const match = WEIGHT_TEXT.exec(textOf(value) ?? "");
    if (match) {
      amount = Number(match[1]);
      unit = amazonWeightUnit(match[2] ?? "");
    }
  }
  if (amount === undefined || unit === undefined) {
    measureIssue(field, value, "a weight such as 1.2 kg", issues);
    return;
  }
  attributes[field] = [{ value: amount, unit, marketplace_id: marketplace }];
}

function dimensionsOf(
  fields: MappingResult["fields"],
  field: string,
  marketplace: string,
  attributes: AmazonAttributes,
  issues: ItemIssue[],
): void {
  const value = fields[field];
  if (value === undefined) return;
  let sides: [number, number, number] | undefined;
  let unit: string | undefined;
  if (isDimensions(value)) {
    sides = [value.length, value.width, value.height];
    unit = amazonLengthUnit(value.unit);
  } else {
    const match = DIMENSIONS_TEXT.exec(textOf(value) ?? "");
    if (match) {
      sides = [Number(match[1]), Number(match[2]), Number(match[3])];
      unit = amazonLengthUnit(match[4] ?? "");
    }
  }
  if (sides === undefined || unit === undefined) {
    measureIssue(field, value, "dimensions such as 20 x 10 x 5 cm", issues);
    return;
  }
  attributes[field] = [
    {
      length: { value: sides[0], unit },
      width: { value: sides[1], unit },
      height: { value: sides[2], unit },
      marketplace_id: marketplace,
    },
  ];
}

// Variations: the child names its parent SKU and the theme; the parent listing itself is not
// generated (one message per variant), it must exist on Amazon already.
function variationOf(
  fields: MappingResult["fields"],
  marketplace: string,
  attributes: AmazonAttributes,
): void {
  const parent = textOf(fields.parent_sku);
  if (parent === undefined) return;
  attributes.parentage_level = [{ value: "child", marketplace_id: marketplace }];
  attributes.child_parent_sku_relationship = [
    { child_relationship_type: "variation", parent_sku: parent, marketplace_id: marketplace },
  ];
  const theme = textOf(fields.variation_theme);
  if (theme !== undefined) attributes.variation_theme = [{ name: theme.toUpperCase() }];
}

function moneyOf(value: FieldValue, field: string, currency: string, issues: ItemIssue[]): Money | undefined {
  if (value === undefined) return undefined;
  if (isMoney(value)) return value;
  const text = typeof value === "number" ? String(value) : textOf(value);
  if (text === undefined) return undefined;
  const parsed = parseMoney(text, currency);
  if (parsed.ok) return parsed.money;
  issues.push({ severity: "error", code: "price_invalid", field, message: parsed.reason });
  return undefined;
}

function numberOf(value: FieldValue, field: string, code: string, issues: ItemIssue[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const text = textOf(value);
  if (text === undefined) return undefined;
  if (NUMBER_TEXT.test(text)) return Number(text);
  issues.push({ severity: "error", code, field, message: `"${text}" is not a number` });
  return undefined;
}

function wholeNumberOf(value: FieldValue, field: string, issues: ItemIssue[]): number | undefined {
  const number = numberOf(value, field, "number_invalid", issues);
  if (number === undefined) return undefined;
  if (Number.isInteger(number) && number >= 0) return number;
  issues.push({
    severity: "error",
    code: "number_invalid",
    field,
    message: `${number} is not a whole number ≥ 0`,
  });
  return undefined;
}

/** A date stays a date; a date-time is sent in UTC with `Z`, as the SP-API asks. */
function dateOf(value: FieldValue): string | undefined {
  const text = textOf(value);
  if (text === undefined || DATE_ONLY.test(text)) return text;
  const time = Date.parse(normaliseOffset(text.replace(" ", "T")));
  return Number.isNaN(time) ? text : new Date(time).toISOString().replace(".000Z", "Z");
}

function measureIssue(field: string, value: FieldValue, expected: string, issues: ItemIssue[]): void {
  issues.push({
    severity: "error",
    code: "measure_invalid",
    field,
    message: `"${textOf(value) ?? ""}" is not ${expected}`,
  });
}
