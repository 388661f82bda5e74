import { currencyDecimals, formatMoney, isMoney, parseMoney } from "../core/money.js";
import type { Money } from "../core/money.js";
import { isDimensions, isWeight, toText } from "../mapping/field-values.js";
import type { FieldValue } from "../mapping/types.js";

/**
 * Mapped values as the text of Google-style feeds (Google Merchant Center, Meta catalog): every
 * reader accepts the mapping's typed values and the plain strings of per-item overrides, and
 * returns `undefined` for an empty value. A value it cannot read is passed on as text, so that the
 * channel's validation can say what is wrong with it.
 */

/** Trimmed text of a value; lists joined with `, `. */
export function textOf(value: FieldValue): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value.trim() : toText(value).trim();
  return text === "" ? undefined : text;
}

const URL_SEPARATOR = /\s*,\s*(?=https?:\/\/)/i;

/**
 * A multi-valued attribute as a list of texts. A string is one value, except for URL lists, where
 * an override such as `https://a/1.jpg,https://a/2.jpg` holds several.
 */
export function textListOf(value: FieldValue, urls: boolean): string[] | undefined {
  if (value === undefined) return undefined;
  const list: string[] = [];
  if (Array.isArray(value)) {
    for (const element of value as readonly FieldValue[]) {
      const text = textOf(element);
      if (text !== undefined) list.push(text);
    }
  } else {
    const text = textOf(value);
    if (text === undefined) return undefined;
    if (urls) {
      for (const part of text.split(URL_SEPARATOR)) if (part !== "") list.push(part);
    } else list.push(text);
  }
  return list.length === 0 ? undefined : list;
}

/** The currency of a price value, when it names one. */
export function currencyOf(value: FieldValue): string | undefined {
  if (isMoney(value)) return value.currency;
  if (typeof value === "string") {
    const parsed = parseMoney(value, undefined);
    if (parsed.ok) return parsed.money.currency;
  }
  return undefined;
}

/**
 * A price as `15.00 USD`: Money, or text such as `15`, `15.00 USD` or `USD 15.00` (the item's
 * currency is used when the text names none). Unreadable text is returned as it is.
 */
export function priceTextOf(value: FieldValue, defaultCurrency: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (isMoney(value)) return formatMoney(value);
  const text = textOf(value);
  if (text === undefined) return undefined;
  const parsed = parseMoney(text, defaultCurrency);
  return parsed.ok ? formatMoney(parsed.money) : text;
}

/**
 * Reads feed price text (`15.00 USD`: digits, an optional fraction, a space, an ISO 4217 code)
 * back as Money; `undefined` when it is not in that form or has more decimals than the currency.
 * Hand-written because validation runs it for every item.
 */
export function moneyOfPriceText(text: string): Money | undefined {
  const space = text.length - 4;
  if (space < 1 || text.charCodeAt(space) !== 32) return undefined;
  for (let i = space + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 65 || code > 90) return undefined;
  }
  const currency = text.slice(space + 1);
  let whole = 0;
  let fraction = "";
  let dot = -1;
  for (let i = 0; i < space; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 && dot < 0 && i > 0 && i < space - 1) dot = i;
    else if (code < 48 || code > 57) return undefined;
    else if (dot < 0) whole = whole * 10 + (code - 48);
  }
  if (dot >= 0) fraction = text.slice(dot + 1, space);
  const decimals = currencyDecimals(currency);
  if (fraction.length > decimals) return undefined;
  const amount = whole * 10 ** decimals + (fraction === "" ? 0 : Number(fraction.padEnd(decimals, "0")));
  return Number.isSafeInteger(amount) ? { amount, currency } : undefined;
}

const YES = new Set(["yes", "true", "y", "1"]);
const NO = new Set(["no", "false", "n", "0"]);

/** A flag as `yes` or `no`; other text is passed on. */
export function yesNoOf(value: FieldValue): string | undefined {
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = textOf(value);
  if (text === undefined) return undefined;
  const key = text.toLowerCase();
  if (YES.has(key)) return "yes";
  if (NO.has(key)) return "no";
  return text;
}

/** A number as text with at most three decimals and no float noise. */
export function numberText(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** A weight as `1.2 kg`. */
export function weightTextOf(value: FieldValue): string | undefined {
  if (isWeight(value)) return `${numberText(value.value)} ${value.unit}`;
  return textOf(value);
}

export type Axis = "length" | "width" | "height";

const TO_CENTIMETRES: Record<string, number> = { mm: 0.1, cm: 1, m: 100 };
const TO_INCHES: Record<string, number> = { in: 1, ft: 12 };

/**
 * One side of a package as `20 cm` or `8 in` (the only units Google and Meta take): Dimensions
 * give the named axis, metric units become centimetres and feet inches.
 */
export function dimensionTextOf(value: FieldValue, axis: Axis): string | undefined {
  if (isDimensions(value)) {
    const side = value[axis];
    const cm = TO_CENTIMETRES[value.unit];
    if (cm !== undefined) return `${numberText(side * cm)} cm`;
    return `${numberText(side * (TO_INCHES[value.unit] ?? 1))} in`;
  }
  return textOf(value);
}

const DATE_TIME_SPACE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})/;

/** An ISO 8601 date or date-time; a space between date and time becomes `T`. */
export function dateTextOf(value: FieldValue): string | undefined {
  const text = textOf(value);
  return text === undefined || !text.includes(" ") ? text : text.replace(DATE_TIME_SPACE, "$1T$2");
}

/**
 * A period as `start/end` (ISO 8601): a `start/end` text or a list of the two dates. A period with
 * only one end is passed on as it is, for validation to report.
 */
export function dateRangeOf(value: FieldValue): string | undefined {
  if (Array.isArray(value)) {
    const [start, end] = value as readonly FieldValue[];
    const from = dateTextOf(start);
    const to = dateTextOf(end);
    if (from === undefined && to === undefined) return undefined;
    return `${from ?? ""}/${to ?? ""}`;
  }
  const text = textOf(value);
  if (text === undefined) return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return dateTextOf(text);
  return `${dateTextOf(text.slice(0, slash)) ?? ""}/${dateTextOf(text.slice(slash + 1)) ?? ""}`;
}

/** A whole number as text; anything else is passed on for validation to report. */
export function integerTextOf(value: FieldValue): string | undefined {
  if (typeof value === "number") return String(value);
  return textOf(value);
}

/**
 * Reads a closed list's value whatever its spelling: case, spaces and underscores do not matter
 * (`In Stock`, `in_stock` and `in stock` are one key). Built once per field.
 */
export function enumReader(
  values: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): (value: FieldValue) => string | undefined {
  const known = new Map<string, string>();
  for (const canonical of values) known.set(enumKey(canonical), canonical);
  for (const [alias, canonical] of Object.entries(aliases)) known.set(enumKey(alias), canonical);
  const canonical = new Set(values);
  return (value) => {
    const text = typeof value === "boolean" ? String(value) : textOf(value);
    if (text === undefined || canonical.has(text)) return text;
    return known.get(enumKey(text)) ?? text;
  };
}

const SPACES_OR_UNDERSCORES = /[\s_]+/g;

function enumKey(text: string): string {
  return text.trim().toLowerCase().replace(SPACES_OR_UNDERSCORES, " ");
}

/** Text made of http(s) URLs only. */
export const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
