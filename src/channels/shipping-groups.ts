import type { FieldValue } from "../mapping/types.js";
import { priceTextOf, textOf } from "./feed-text.js";

/**
 * A `shipping` group of Google and Meta feeds
 * (https://support.google.com/merchants/answer/6324484): where, which service, at what price.
 * XML feeds write every sub-attribute; text feeds write `country:region:service:price`.
 */
export interface ShippingGroup {
  /** ISO 3166-1 alpha-2. */
  country: string;
  region?: string;
  postal_code?: string;
  location_id?: string;
  location_group_name?: string;
  service?: string;
  /** `4.99 USD`; `0.00 USD` for free shipping. */
  price: string;
  min_handling_time?: string;
  max_handling_time?: string;
  min_transit_time?: string;
  max_transit_time?: string;
}

/** Sub-attributes in the order the feeds write them. */
export const SHIPPING_KEYS = [
  "country",
  "region",
  "postal_code",
  "location_id",
  "location_group_name",
  "service",
  "price",
  "min_handling_time",
  "max_handling_time",
  "min_transit_time",
  "max_transit_time",
] as const satisfies readonly (keyof ShippingGroup)[];

// Groups are separated by commas; a comma inside a price (`1,299.00 USD`) is not followed by `XX:`.
const GROUP_SEPARATOR = /\s*,\s*(?=[A-Za-z]{2}\s*:)/;

/**
 * Reads shipping groups from the text form `US:CA:Ground:4.99 USD,US::Express:9.99 USD` (a string
 * or a list of such strings). A group without a country or a price is kept with what it has, for
 * validation to report.
 */
export function shippingGroupsOf(
  value: FieldValue,
  currency: string | undefined,
): ShippingGroup[] | undefined {
  if (value === undefined) return undefined;
  const texts: string[] = [];
  const values = Array.isArray(value) ? (value as readonly FieldValue[]) : [value];
  for (const element of values) {
    const text = textOf(element);
    if (text !== undefined) texts.push(...text.split(GROUP_SEPARATOR));
  }
  const groups = texts.filter((text) => text !== "").map((text) => shippingGroupOfText(text, currency));
  return groups.length === 0 ? undefined : groups;
}

function shippingGroupOfText(text: string, currency: string | undefined): ShippingGroup {
  const [country = "", region = "", service = "", ...rest] = text.split(":");
  const group: ShippingGroup = { country: country.trim().toUpperCase(), price: "" };
  if (region.trim() !== "") group.region = region.trim();
  if (service.trim() !== "") group.service = service.trim();
  group.price = priceTextOf(rest.join(":"), currency) ?? "";
  return group;
}

/** `country:region:service:price` — the text form of one group (region and service may be empty). */
export function shippingGroupText(group: ShippingGroup): string {
  return `${group.country}:${group.region ?? ""}:${group.service ?? ""}:${group.price}`;
}
