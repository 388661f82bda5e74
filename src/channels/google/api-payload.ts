import { currencyDecimals, isMoney, moneyToMicros, type Money } from "../../core/money.js";
import type { PublishValue, PublishValues } from "../../core/publish.js";

/**
 * Typed item values ↔ Merchant API v1 JSON (../shared/reference/google.md §1.6, §4.3–4.5). Pure:
 * the publisher sends what `productAttributesOf` makes and reads back with `valuesOfProduct`.
 * Feed names are snake_case; the API's are lowerCamelCase of the proto names, some plural.
 */

/** Feed attribute → `productAttributes` field where it is not the plain lowerCamelCase. */
const API_NAMES: Readonly<Record<string, string>> = {
  additional_image_link: "additionalImageLinks",
  lifestyle_image_link: "lifestyleImageLinks",
  product_type: "productTypes",
  gtin: "gtins",
  promotion_id: "promotionIds",
  included_destination: "includedDestinations",
  excluded_destination: "excludedDestinations",
  shopping_ads_excluded_country: "shoppingAdsExcludedCountries",
  size_type: "sizeTypes",
  product_highlight: "productHighlights",
  product_detail: "productDetails",
};
const FEED_NAMES = new Map(Object.entries(API_NAMES).map(([feed, api]) => [api, feed]));

/** Fields that are lists in the API even when the item holds one value. */
const LIST_FIELDS = new Set(["gtins", "productTypes", "promotionIds", "sizeTypes", "productHighlights"]);

/** Fields whose value is an enum spelt UPPER_SNAKE in the API. */
const ENUM_FIELDS = new Set([
  "availability",
  "condition",
  "gender",
  "ageGroup",
  "sizeTypes",
  "pause",
  "pickupMethod",
  "pickupSla",
  "includedDestinations",
  "excludedDestinations",
]);
const ENERGY_FIELDS = new Set([
  "energyEfficiencyClass",
  "minEnergyEfficiencyClass",
  "maxEnergyEfficiencyClass",
]);
const DATE_FIELDS = new Set(["availabilityDate", "expirationDate"]);
const INT64_FIELDS = new Set(["multipack"]);
const SHIPPING_TIMES = ["min_handling_time", "max_handling_time", "min_transit_time", "max_transit_time"];

/** Not product attributes: the key is `offerId`, stores go through `localInventories`. */
const NOT_ATTRIBUTES = new Set(["id", "local_inventory", "min_handling_time", "max_handling_time"]);

const SLA_WORDS: Readonly<Record<string, string>> = {
  "same day": "SAME_DAY",
  "next day": "NEXT_DAY",
  "2-day": "TWO_DAY",
  "3-day": "THREE_DAY",
  "4-day": "FOUR_DAY",
  "5-day": "FIVE_DAY",
  "6-day": "SIX_DAY",
  "7-day": "SEVEN_DAY",
  "multi-week": "MULTI_WEEK",
};
const SLA_FEED = new Map(Object.entries(SLA_WORDS).map(([feed, api]) => [api, feed]));

/** The API name of a feed attribute: `sale_price` → `salePrice`, `gtin` → `gtins`. */
export function apiNameOf(field: string): string {
  return API_NAMES[field] ?? field.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function feedNameOf(apiName: string): string {
  return FEED_NAMES.get(apiName) ?? apiName.replace(/[A-Z0-9]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Merchant API `Price`. */
export function priceOf(money: Money): { amountMicros: string; currencyCode: string } {
  return { amountMicros: moneyToMicros(money), currencyCode: money.currency };
}

/** `Price` → Money; `undefined` for micros finer than the currency's minor unit or a bad shape. */
export function moneyOfPrice(value: unknown): Money | undefined {
  const price = value as { amountMicros?: unknown; currencyCode?: unknown } | undefined;
  if (typeof price !== "object" || price === null || typeof price.currencyCode !== "string") return undefined;
  const micros = price.amountMicros ?? "0";
  if (!(typeof micros === "string" || typeof micros === "number") || !/^\d+$/.test(String(micros)))
    return undefined;
  const factor = 10n ** BigInt(6 - currencyDecimals(price.currencyCode));
  const big = BigInt(String(micros));
  if (big % factor !== 0n) return undefined;
  const amount = Number(big / factor);
  return Number.isSafeInteger(amount) ? { amount, currency: price.currencyCode } : undefined;
}

function enumOf(field: string, value: string): string {
  if (field === "pickupSla") return SLA_WORDS[value] ?? value.toUpperCase();
  return value.toUpperCase().replace(/[\s-]+/g, "_");
}

function energyOf(value: string): string {
  return value.replace(/\+/g, "P");
}

// ISO 8601 as the feed takes it (`2026-02-24T11:07+0100`) → RFC 3339; text Date cannot read stays.
function rfc3339(value: string): string {
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const time = Date.parse(normalised);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

function apiValue(field: string, value: PublishValue): unknown {
  if (isMoney(value)) return priceOf(value);
  if (typeof value === "string") {
    if (ENUM_FIELDS.has(field)) return enumOf(field, value);
    if (ENERGY_FIELDS.has(field)) return energyOf(value);
    if (DATE_FIELDS.has(field)) return rfc3339(value);
    if (INT64_FIELDS.has(field)) return value;
    if (LIST_FIELDS.has(field)) return [value];
    if (field === "unitPricingMeasure" || field === "unitPricingBaseMeasure")
      return unitMeasureOf(field, value);
    return value;
  }
  if (typeof value === "number") return INT64_FIELDS.has(field) ? String(value) : value;
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    const list = value as readonly PublishValue[];
    if (field === "productDetails") return list.map((entry) => productDetailOf(entry));
    return list.map((entry) =>
      typeof entry === "string" && ENUM_FIELDS.has(field) ? enumOf(field, entry) : entry,
    );
  }
  const record = value as { readonly [key: string]: PublishValue };
  if (
    field === "salePriceEffectiveDate" &&
    typeof record.start === "string" &&
    typeof record.end === "string"
  ) {
    return { startTime: rfc3339(record.start), endTime: rfc3339(record.end) };
  }
  return record;
}

// `750ml` → {value: 750, unit: "ml"}; the base measure's value is int64.
function unitMeasureOf(field: string, text: string): unknown {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  if (!match) return text;
  const value = Number(match[1]);
  return { value: field === "unitPricingBaseMeasure" ? String(value) : value, unit: match[2]!.toLowerCase() };
}

// `section:attribute:value` → {sectionName, attributeName, attributeValue}.
function productDetailOf(entry: PublishValue): unknown {
  if (typeof entry !== "string") return entry;
  const [sectionName, attributeName, ...rest] = entry.split(":");
  return rest.length > 0
    ? { sectionName, attributeName, attributeValue: rest.join(":") }
    : { attributeName: sectionName, attributeValue: attributeName ?? "" };
}

function shippingOf(groups: PublishValue, values: PublishValues): unknown {
  if (!Array.isArray(groups)) return groups;
  return groups.map((group) => {
    const entry = group as { readonly [key: string]: PublishValue };
    const api: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entry)) {
      if (isMoney(value)) api[apiNameOf(name)] = priceOf(value);
      else if ((SHIPPING_TIMES.includes(name) || name === "location_id") && typeof value === "number")
        api[apiNameOf(name)] = String(value);
      else api[apiNameOf(name)] = value;
    }
    // v1 keeps handling times inside each shipping group, not on the product.
    for (const name of ["min_handling_time", "max_handling_time"]) {
      const value = values[name];
      if (api[apiNameOf(name)] === undefined && (typeof value === "number" || typeof value === "string")) {
        api[apiNameOf(name)] = String(value);
      }
    }
    return api;
  });
}

/** `productAttributes` of the given values (all of an item's, or one section's). */
export function productAttributesOf(values: PublishValues): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    if (NOT_ATTRIBUTES.has(field)) continue;
    const name = apiNameOf(field);
    attributes[name] = field === "shipping" ? shippingOf(value, values) : apiValue(name, value);
  }
  return attributes;
}

/** The `localInventories.insert` bodies of an item's `local_inventory` rows. */
export function localInventoriesOf(values: PublishValues): Record<string, unknown>[] {
  const rows = values.local_inventory;
  if (!Array.isArray(rows)) return [];
  return rows.map((row) => {
    const entry = row as { readonly [key: string]: PublishValue };
    const attributes: Record<string, unknown> = {};
    if (typeof entry.availability === "string")
      attributes.availability = enumOf("availability", entry.availability);
    if (typeof entry.quantity === "number") attributes.quantity = String(entry.quantity);
    if (isMoney(entry.price)) attributes.price = priceOf(entry.price);
    if (typeof entry.pickup_method === "string")
      attributes.pickupMethod = enumOf("pickupMethod", entry.pickup_method);
    if (typeof entry.pickup_sla === "string") attributes.pickupSla = enumOf("pickupSla", entry.pickup_sla);
    return {
      storeCode: typeof entry.store_code === "string" ? entry.store_code : "",
      localInventoryAttributes: attributes,
    };
  });
}

/**
 * A product's attributes back as typed values in feed names, as `Change.values` has them: money
 * as Money, enums in feed spelling (`in_stock`), int64 as numbers, GTIN as text. Reconcile compares
 * these with what we sent.
 */
export function valuesOfProduct(attributes: Readonly<Record<string, unknown>>): Record<string, PublishValue> {
  const values: Record<string, PublishValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const typed = typedValue(name, value);
    if (typed !== undefined) values[feedNameOf(name)] = typed;
  }
  return values;
}

function typedValue(name: string, value: unknown): PublishValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "object" && !Array.isArray(value) && "currencyCode" in value)
    return moneyOfPrice(value);
  if (typeof value === "string") {
    if (name === "pickupSla") return SLA_FEED.get(value) ?? value.toLowerCase();
    // `ship to store`, `not supported`: the feed spells pickup methods with spaces.
    if (name === "pickupMethod") return value.toLowerCase().replace(/_/g, " ");
    if (ENUM_FIELDS.has(name)) return value.toLowerCase();
    if (ENERGY_FIELDS.has(name)) return value.replace(/P/g, "+");
    if (INT64_FIELDS.has(name) && /^\d+$/.test(value)) return Number(value);
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    const entries = value
      .map((entry) => typedValue(name, entry))
      .filter((entry): entry is PublishValue => entry !== undefined);
    // One GTIN is how the item holds it.
    return name === "gtins" && entries.length === 1 ? entries[0] : entries;
  }
  if (typeof value === "object") {
    // The sale period goes out as {startTime, endTime}; the item holds it as {start, end}.
    if (name === "salePriceEffectiveDate") {
      const period = value as { startTime?: unknown; endTime?: unknown };
      if (typeof period.startTime === "string" && typeof period.endTime === "string") {
        return { start: period.startTime, end: period.endTime };
      }
    }
    const record: Record<string, PublishValue> = {};
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      const typed = typedValue(key, entry);
      if (typed !== undefined) record[feedNameOf(key)] = typed;
    }
    return record;
  }
  return undefined;
}
