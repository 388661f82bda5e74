import type { PublishValue, PublishValues, Section } from "../core/publish.js";
import type { FeedFieldSpec } from "./feed-attributes.js";
import { moneyOfPriceText } from "./feed-text.js";
import type { ShippingGroup } from "./shipping-groups.js";

/**
 * Items of Google-style channels hold their attributes in feed spelling, which is what the feed
 * files need. Publishing needs them typed: this turns each attribute back into the value the APIs
 * take before their own spelling (money as `Money`, counts as numbers, flags as booleans). A value
 * that does not read as its kind (validation already reported it) stays text.
 */
export function compilePublishValues(
  specs: readonly FeedFieldSpec[],
): (attributes: Readonly<Record<string, unknown>>) => Record<string, PublishValue> {
  const converters = specs.map((spec) => [spec.name, converterOf(spec)] as const);
  return (attributes) => {
    const values: Record<string, PublishValue> = {};
    for (const [name, convert] of converters) {
      const value = attributes[name];
      if (value === undefined) continue;
      const typed = convert(value);
      if (typed !== undefined) values[name] = typed;
    }
    return values;
  };
}

type Converter = (value: unknown) => PublishValue | undefined;

function converterOf(spec: FeedFieldSpec): Converter {
  switch (spec.kind) {
    case "price":
      return (value) => (typeof value === "string" ? (moneyOfPriceText(value) ?? value) : undefined);
    case "flag":
      return (value) => (value === "yes" ? true : value === "no" ? false : textValue(value));
    case "integer":
      return (value) => numberOrText(value);
    case "weight":
    case "length":
    case "width":
    case "height":
      return (value) => measureOf(value);
    case "date_range":
      return (value) => dateRangeOf(value);
    case "list":
    case "url_list":
      return (value) =>
        Array.isArray(value) ? value.filter((entry) => typeof entry === "string") : textValue(value);
    case "shipping":
      return (value) => (Array.isArray(value) ? (value as ShippingGroup[]).map(shippingValue) : undefined);
    default:
      return textValue;
  }
}

function textValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function numberOrText(value: unknown): PublishValue | undefined {
  if (typeof value !== "string") return undefined;
  const number = Number(value);
  return value.trim() !== "" && Number.isFinite(number) ? number : value;
}

const MEASURE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/;

// `2 kg` → { value: 2, unit: "kg" }.
function measureOf(value: unknown): PublishValue | undefined {
  if (typeof value !== "string") return undefined;
  const match = MEASURE.exec(value.trim());
  return match ? { value: Number(match[1]), unit: match[2]! } : value;
}

// `start/end` → { start, end }.
function dateRangeOf(value: unknown): PublishValue | undefined {
  if (typeof value !== "string") return undefined;
  const slash = value.indexOf("/");
  return slash > 0 ? { start: value.slice(0, slash), end: value.slice(slash + 1) } : value;
}

const SHIPPING_TIMES = [
  "min_handling_time",
  "max_handling_time",
  "min_transit_time",
  "max_transit_time",
] as const;

function shippingValue(group: ShippingGroup): PublishValue {
  const typed: Record<string, PublishValue> = { country: group.country };
  for (const key of ["region", "postal_code", "location_id", "location_group_name", "service"] as const) {
    const value = group[key];
    if (value !== undefined) typed[key] = value;
  }
  typed.price = moneyOfPriceText(group.price) ?? group.price;
  for (const key of SHIPPING_TIMES) {
    const value = group[key];
    if (value !== undefined) typed[key] = numberOrText(value) ?? value;
  }
  return typed;
}

/** A section table: the fields of the price and inventory sections; every other field is content. */
export function sectionTable(
  price: readonly string[],
  inventory: readonly string[],
): (field: string) => Section {
  const sections = new Map<string, Section>([
    ...price.map((field) => [field, "price"] as const),
    ...inventory.map((field) => [field, "inventory"] as const),
  ]);
  return (field) => sections.get(field) ?? "content";
}

/** Values without the fields of other sections: what an update of `sections` sends. */
export function valuesOfSections(
  values: PublishValues,
  sections: readonly Section[],
  sectionOf: (field: string) => Section,
): Record<string, PublishValue> {
  const picked: Record<string, PublishValue> = {};
  for (const [field, value] of Object.entries(values)) {
    if (sections.includes(sectionOf(field))) picked[field] = value;
  }
  return picked;
}
