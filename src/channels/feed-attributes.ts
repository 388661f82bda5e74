import type { ItemIssue } from "../core/issues.js";
import type { FieldValue } from "../mapping/types.js";
import type { ChannelField } from "./channel.js";
import type { Axis } from "./feed-text.js";
import {
  currencyOf,
  dateRangeOf,
  dateTextOf,
  dimensionTextOf,
  enumReader,
  integerTextOf,
  priceTextOf,
  textListOf,
  textOf,
  weightTextOf,
  yesNoOf,
} from "./feed-text.js";
import type { FeedAttributeValue } from "./rss.js";
import type { ShippingGroup } from "./shipping-groups.js";
import { shippingGroupsOf } from "./shipping-groups.js";

/**
 * The attributes of Google-style feeds (Google Merchant Center, Meta catalog), described once per
 * channel in its `fields.ts`: what kind of value each takes and its published limits. The
 * description drives the transform (how a mapped value becomes feed text) and the generic part of
 * validation (lengths, closed lists).
 */
export type FeedFieldKind =
  | "text"
  | "url"
  | "price"
  | "flag"
  | "integer"
  | "weight"
  | Axis
  | "date"
  | "date_range"
  | "enum"
  | "list"
  | "url_list"
  | "shipping";

export interface FeedFieldSpec extends ChannelField {
  kind: FeedFieldKind;
  /** Longest value (each value of a list), in characters. */
  maxLength?: number;
  /** Most values of a list; the rest are dropped with a warning. */
  maxItems?: number;
  /** The closed list of an `enum` (or of each value of a `list`), in the channel's spelling. */
  values?: readonly string[];
  /** Other spellings read as one of `values`, e.g. `preorder` → `available for order`. */
  aliases?: Readonly<Record<string, string>>;
}

type ValueOfKind<Kind> = Kind extends "list" | "url_list"
  ? string[]
  : Kind extends "shipping"
    ? ShippingGroup[]
    : string;

/** The item attributes a field list describes, each optional, typed by its kind. */
export type AttributesOf<Specs extends readonly FeedFieldSpec[]> = {
  [Spec in Specs[number] as Spec["name"]]?: ValueOfKind<Spec["kind"]>;
};

type Reader = (value: FieldValue, currency: string | undefined) => FeedAttributeValue | undefined;

function readerOf(spec: FeedFieldSpec): Reader {
  switch (spec.kind) {
    case "text":
    case "url":
      return (value) => textOf(value);
    case "price":
      return priceTextOf;
    case "flag":
      return (value) => yesNoOf(value);
    case "integer":
      return (value) => integerTextOf(value);
    case "weight":
      return (value) => weightTextOf(value);
    case "length":
    case "width":
    case "height": {
      const axis = spec.kind;
      return (value) => dimensionTextOf(value, axis);
    }
    case "date":
      return (value) => dateTextOf(value);
    case "date_range":
      return (value) => dateRangeOf(value);
    case "enum": {
      const read = enumReader(spec.values ?? [], spec.aliases);
      return (value) => read(value);
    }
    case "list":
    case "url_list": {
      const urls = spec.kind === "url_list";
      if (!spec.values) return (value) => textListOf(value, urls);
      const read = enumReader(spec.values, spec.aliases);
      return (value) => textListOf(value, urls)?.map((element) => read(element) ?? element);
    }
    case "shipping":
      return shippingGroupsOf;
  }
}

export interface AttributeReading<Attributes> {
  attributes: Attributes;
  issues: ItemIssue[];
}

/**
 * Compiles a field list into one function that reads an item's mapped fields into attributes, in
 * the list's order (the feed's canonical order). Every known attribute is a key of the result,
 * `undefined` when the item lacks it. A field the mapping leaves absent takes its value from
 * `defaults`, if any. Prices without a currency take the currency of `price`. Lists longer than
 * allowed are cut, with a `too_many_values` warning.
 */
export function compileAttributeReader<const Specs extends readonly FeedFieldSpec[]>(
  specs: Specs,
): (
  fields: Readonly<Record<string, FieldValue>>,
  defaults?: Readonly<AttributesOf<Specs>>,
) => AttributeReading<AttributesOf<Specs>> {
  const known = new Map(specs.map((spec) => [spec.name, { read: readerOf(spec), maxItems: spec.maxItems }]));
  // Every item starts as a copy of one object holding all attributes in order: items then share
  // one shape, which keeps building them and reading them in the renderers fast (an object grown
  // key by key past a dozen keys falls back to slow dictionary mode).
  const template = templateOf(specs.map((spec) => spec.name));

  return (fields, defaults) => {
    const issues: ItemIssue[] = [];
    const currency = currencyOf(fields.price);
    const attributes: Record<string, FeedAttributeValue | undefined> = { ...template };
    // Only the mapped fields are visited: far fewer than the known ones.
    for (const name in fields) {
      const mapped = fields[name];
      const field = known.get(name);
      if (mapped === undefined || field === undefined) continue;
      let value = field.read(mapped, currency);
      const max = field.maxItems;
      if (value !== undefined && max !== undefined && typeof value !== "string" && value.length > max) {
        issues.push({
          severity: "warning",
          code: "too_many_values",
          field: name,
          message: `${value.length} values, at most ${max} are sent; the rest are dropped`,
        });
        value = value.slice(0, max);
      }
      attributes[name] = value;
    }
    if (defaults !== undefined) {
      const fallbacks = defaults as Readonly<Record<string, FeedAttributeValue | undefined>>;
      for (const name in fallbacks) {
        if (known.has(name) && fields[name] === undefined) attributes[name] = fallbacks[name];
      }
    }
    return { attributes: attributes as AttributesOf<Specs>, issues };
  };
}

/** An object with every name as a key, in order, each `undefined`; built once per field list. */
function templateOf(names: readonly string[]): Record<string, undefined> {
  // JSON.parse makes an object with fast properties, where adding 80 keys one by one would not.
  const template = JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, 0])))) as Record<
    string,
    unknown
  >;
  for (const name of names) template[name] = undefined;
  return template as Record<string, undefined>;
}
