import type { Dimensions, LocationStock, Weight } from "../core/catalog.js";
import { currencyDecimals, formatMoney, isMoney } from "../core/money.js";
import type { Money } from "../core/money.js";

/**
 * How the mapping treats values: what counts as empty, how a value reads as text in a template,
 * how it reads as a number in a comparison. Shared by paths, templates, transforms and conditions.
 */

/** Empty = `undefined`, `null`, `""` or `[]`; the mapping's fallbacks and defaults act on these. */
export function isEmpty(value: unknown): boolean {
  return (
    value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)
  );
}

export function isWeight(value: unknown): value is Weight {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Weight).value === "number" &&
    typeof (value as Weight).unit === "string"
  );
}

export function isDimensions(value: unknown): value is Dimensions {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Dimensions).length === "number" &&
    typeof (value as Dimensions).width === "number" &&
    typeof (value as Dimensions).height === "number" &&
    typeof (value as Dimensions).unit === "string"
  );
}

function isLocationStock(value: unknown): value is LocationStock {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as LocationStock).location === "string" &&
    typeof (value as LocationStock).quantity === "number"
  );
}

/**
 * A value as template text: Money as `19.99 USD`, lists joined with `, ` (empty elements
 * skipped), numbers as `String(n)`, empty as `""`.
 */
export function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    let text = "";
    for (const element of value) {
      const part = toText(element);
      if (part === "") continue;
      text = text === "" ? part : `${text}, ${part}`;
    }
    return text;
  }
  if (isMoney(value)) return formatMoney(value);
  if (isWeight(value)) return `${value.value} ${value.unit}`;
  if (isDimensions(value)) return `${value.length} x ${value.width} x ${value.height} ${value.unit}`;
  if (isLocationStock(value)) return `${value.location}:${value.quantity}`;
  if (typeof value === "object") return JSON.stringify(value);
  return "";
}

/** The amount of Money in major units: `{ amount: 1999, currency: "USD" }` → 19.99. */
export function moneyMajor(money: Money): number {
  return money.amount / 10 ** currencyDecimals(money.currency);
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

/** Numbers, numeric strings and Money (major units) as a number; anything else `undefined`. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return NUMERIC.test(value) ? Number(value) : undefined;
  if (isMoney(value)) return moneyMajor(value);
  return undefined;
}

/** Removes float noise such as `23.987999999999996` from a computed number. */
export function cleanNumber(value: number): number {
  if (Number.isInteger(value)) return value;
  return Number(value.toPrecision(12));
}

const SHOWN_LENGTH = 80;

/** A value as a short human text for traces: `"on sale"`, `19.99 USD`, `[a, b]`, `(empty)`. */
export function showValue(value: unknown): string {
  if (isEmpty(value)) return "(empty)";
  if (typeof value === "string") {
    const flat = value.replace(/\s+/g, " ");
    return JSON.stringify(flat.length > SHOWN_LENGTH ? `${flat.slice(0, SHOWN_LENGTH - 1)}…` : flat);
  }
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  return toText(value);
}
