import type { ItemIssue } from "../core/issues.js";
import type { FeedFieldSpec } from "./feed-attributes.js";
import { HTTP_URL, moneyOfPriceText } from "./feed-text.js";
import type { FeedAttributeValue } from "./rss.js";
import type { ShippingGroup } from "./shipping-groups.js";

/**
 * The checks a field list implies for Google-style items, whatever the channel: length limits,
 * closed lists, URLs, whole numbers, weights and sides in the units the feed takes, ISO dates.
 * Compiled once per field list; run over the attributes an item has.
 */

type Check = (value: string, issues: ItemIssue[]) => void;

/** ISO 8601 date, or date-time with optional seconds and offset (`2026-11-27T00:00-0800`). */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const WHOLE_NUMBER = /^\d+$/;
const WEIGHT = /^\d+(?:\.\d+)? (?:lb|oz|g|kg)$/;
const SIDE = /^\d+(?:\.\d+)? (?:in|cm)$/;

export interface FeedCheckOptions {
  /** Severity of a value longer than the limit; `error` unless a channel truncates on its side. */
  tooLong?: "error" | "warning";
}

function checksOf(spec: FeedFieldSpec, options: FeedCheckOptions): Check[] {
  const checks: Check[] = [];
  const field = spec.name;
  const { maxLength, values } = spec;
  if (maxLength !== undefined) {
    const severity = options.tooLong ?? "error";
    checks.push((value, issues) => {
      if (value.length > maxLength) {
        issues.push({
          severity,
          code: "value_too_long",
          field,
          message: `${value.length} characters, at most ${maxLength} allowed`,
        });
      }
    });
  }
  if (spec.kind === "text" || spec.kind === "list") {
    // The file was valid UTF-8 (or reading would have stopped), so U+FFFD is in the text itself:
    // a character lost when the catalog was written. It may go out, but not unnoticed.
    checks.push((value, issues) => {
      if (value.includes("\uFFFD")) {
        issues.push({
          severity: "warning",
          code: "replacement_character",
          field,
          message:
            "holds U+FFFD (\uFFFD), a character lost before the catalog was written; fix it at the source",
        });
      }
    });
  }
  if (values !== undefined) {
    const known = new Set(values);
    checks.push((value, issues) => {
      if (!known.has(value)) {
        issues.push({
          severity: "error",
          code: "enum_invalid",
          field,
          message: `"${value}" is not one of ${values.join(", ")}`,
        });
      }
    });
  }
  const pattern = patternOf(spec);
  if (pattern !== undefined) {
    const { regex, code, expected } = pattern;
    checks.push((value, issues) => {
      if (!regex.test(value)) {
        issues.push({ severity: "error", code, field, message: `"${value}" is not ${expected}` });
      }
    });
  }
  return checks;
}

function patternOf(spec: FeedFieldSpec): { regex: RegExp; code: string; expected: string } | undefined {
  switch (spec.kind) {
    case "url":
    case "url_list":
      return { regex: HTTP_URL, code: "url_invalid", expected: "an http(s) URL" };
    case "integer":
      return { regex: WHOLE_NUMBER, code: "number_invalid", expected: "a whole number" };
    case "weight":
      return { regex: WEIGHT, code: "measure_invalid", expected: "a weight such as 1.2 kg (lb, oz, g, kg)" };
    case "length":
    case "width":
    case "height":
      return { regex: SIDE, code: "measure_invalid", expected: "a size such as 20 cm (in, cm)" };
    case "date":
      return {
        regex: ISO_DATE,
        code: "date_invalid",
        expected: "an ISO 8601 date such as 2026-11-27T00:00-0800",
      };
    default:
      return undefined;
  }
}

/** Runs the field list's checks over an item's attributes. */
export function compileFeedChecks(
  specs: readonly FeedFieldSpec[],
  options: FeedCheckOptions = {},
): (attributes: Readonly<Record<string, FeedAttributeValue | undefined>>, issues: ItemIssue[]) => void {
  const byName = new Map<string, Check[]>();
  for (const spec of specs) {
    const checks = checksOf(spec, options);
    if (checks.length > 0) byName.set(spec.name, checks);
  }
  return (attributes, issues) => {
    for (const name in attributes) {
      const value = attributes[name];
      if (value === undefined) continue;
      const checks = byName.get(name);
      if (checks === undefined) continue;
      if (typeof value === "string") {
        for (const check of checks) check(value, issues);
      } else {
        for (const element of value) {
          if (typeof element !== "string") continue;
          for (const check of checks) check(element, issues);
        }
      }
    }
  };
}

/** Adds a `required_missing` error for each named attribute the item lacks. */
/** How to give a required field whose absence is usually a missing setting rather than bad data. */
const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  link:
    " (a Shopify or WooCommerce export has none: give the shop's address as catalog.options.store_url " +
    "in omnifeed.config.yaml or --store-url, or map link in your mapping)",
};

export function checkRequired(
  attributes: Readonly<Record<string, FeedAttributeValue | undefined>>,
  required: readonly string[],
  issues: ItemIssue[],
): void {
  for (const field of required) {
    if (attributes[field] === undefined) {
      issues.push({
        severity: "error",
        code: "required_missing",
        field,
        message: `${field} is required${REQUIRED_HINTS[field] ?? ""}`,
      });
    }
  }
}

const DATE_RANGE_PART = ISO_DATE;

interface PricedAttributes {
  price?: string | undefined;
  sale_price?: string | undefined;
  sale_price_effective_date?: string | undefined;
}

/**
 * `price` in the `15.00 USD` form and above zero; `sale_price` in the same form and currency and
 * below `price`; `sale_price_effective_date` as `start/end` in ISO 8601 with start before end.
 */
export function checkPrices(attributes: PricedAttributes, issues: ItemIssue[]): void {
  const price = attributes.price === undefined ? undefined : moneyOfPriceText(attributes.price);
  if (attributes.price !== undefined) {
    if (price === undefined) {
      issues.push({
        severity: "error",
        code: "price_invalid",
        field: "price",
        message: `"${attributes.price}" is not a price such as 15.00 USD`,
      });
    } else if (price.amount <= 0) {
      issues.push({
        severity: "error",
        code: "price_not_positive",
        field: "price",
        message: "price must be above 0",
      });
    }
  }
  if (attributes.sale_price !== undefined) {
    const sale = moneyOfPriceText(attributes.sale_price);
    if (sale === undefined) {
      issues.push({
        severity: "error",
        code: "sale_price_invalid",
        field: "sale_price",
        message: `"${attributes.sale_price}" is not a price such as 12.00 USD`,
      });
    } else if (price !== undefined && sale.currency !== price.currency) {
      issues.push({
        severity: "error",
        code: "sale_price_invalid",
        field: "sale_price",
        message: `sale_price is in ${sale.currency}, price in ${price.currency}`,
      });
    } else if (price !== undefined && sale.amount >= price.amount) {
      issues.push({
        severity: "error",
        code: "sale_price_not_lower",
        field: "sale_price",
        message: `sale_price ${attributes.sale_price} is not below price ${attributes.price}`,
      });
    }
  }
  const period = attributes.sale_price_effective_date;
  if (period !== undefined && !isDateRange(period)) {
    issues.push({
      severity: "error",
      code: "sale_price_effective_date_invalid",
      field: "sale_price_effective_date",
      message: `"${period}" is not start/end in ISO 8601, e.g. 2026-11-27T00:00-0800/2026-12-01T23:59-0800`,
    });
  }
}

function isDateRange(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const start = text.slice(0, slash);
  const end = text.slice(slash + 1);
  if (!DATE_RANGE_PART.test(start) || !DATE_RANGE_PART.test(end)) return false;
  // Same form and offset (the usual case): the texts compare like the times they name.
  if (start.length === end.length && start.slice(-5) === end.slice(-5)) return start <= end;
  const from = Date.parse(normaliseOffset(start));
  const to = Date.parse(normaliseOffset(end));
  return Number.isNaN(from) || Number.isNaN(to) || from <= to;
}

const COMPACT_OFFSET = /([+-]\d{2})(\d{2})$/;
const HAS_OFFSET = /(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 date-time in the form `Date.parse` reads the same everywhere: `-0800` becomes
 * `-08:00`, and a time without offset is read as UTC rather than the machine's zone.
 */
export function normaliseOffset(text: string): string {
  if (!text.includes("T")) return text;
  const colon = text.replace(COMPACT_OFFSET, "$1:$2");
  return HAS_OFFSET.test(colon) ? colon : `${colon}Z`;
}

const COUNTRY = /^[A-Z]{2}$/;
const PRICE_TEXT = /^\d+(?:\.\d+)? [A-Z]{3}$/;

/** Each shipping group needs a two-letter country and a price such as `4.99 USD`. */
export function checkShippingGroups(groups: readonly ShippingGroup[] | undefined, issues: ItemIssue[]): void {
  if (groups === undefined) return;
  for (const group of groups) {
    const problems: string[] = [];
    if (!COUNTRY.test(group.country)) problems.push(`country "${group.country}" is not a two-letter code`);
    if (!PRICE_TEXT.test(group.price)) problems.push(`price "${group.price}" is not like 4.99 USD`);
    if (problems.length > 0) {
      issues.push({
        severity: "error",
        code: "shipping_invalid",
        field: "shipping",
        message: problems.join("; "),
      });
    }
  }
}
