import type {
  AgeGroupSchema,
  Availability,
  ConditionSchema,
  Dimensions,
  GenderSchema,
  LocationStock,
  Weight,
} from "../core/catalog.js";
import type { RowIssue, Severity } from "../core/issues.js";
import { parseMoney, type Money } from "../core/money.js";
import { lengthUnitNamed, weightUnitNamed } from "../core/units.js";
import type { z } from "zod";

/**
 * Reading one value of a catalog record: each reader takes the raw text as it appears in the file,
 * returns the typed value (or `undefined` when the text is empty) and reports what it cannot read
 * as a row issue naming the file, the record's line and the field as the merchant wrote it.
 * The same `FieldSite` is reused for every field of a record; its error count tells the caller
 * whether the variant (or product) must be left out.
 */
export interface FieldSite {
  file: string;
  line: number;
  /** SKU or product id of the record, when known. */
  id: string | undefined;
  issues: RowIssue[];
  /** Errors reported through this site; reset by the caller per record. */
  errors: number;
}

export function createFieldSite(file: string, issues: RowIssue[]): FieldSite {
  return { file, line: 0, id: undefined, issues, errors: 0 };
}

/** Points the site at a new record. */
export function resetFieldSite(site: FieldSite, line: number, id: string | undefined): FieldSite {
  site.line = line;
  site.id = id;
  site.errors = 0;
  return site;
}

export function reportIssue(
  site: FieldSite,
  field: string,
  message: string,
  severity: Severity = "error",
): void {
  if (severity === "error") site.errors++;
  const issue: RowIssue = { file: site.file, line: site.line, field, severity, message };
  if (site.id !== undefined) issue.id = site.id;
  site.issues.push(issue);
}

/** Trimmed text, or `undefined` when blank. */
export function readText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  return text === "" ? undefined : text;
}

/** A price such as `19.99`, `19.99 USD`, `USD 19.99`, `1,299.00`. */
export function readMoney(
  site: FieldSite,
  field: string,
  value: string | undefined,
  currency: string,
): Money | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const parsed = parseMoney(text, currency);
  if (!parsed.ok) {
    reportIssue(site, field, parsed.reason);
    return undefined;
  }
  if (parsed.rounded) {
    reportIssue(
      site,
      field,
      `"${text}" has more decimals than ${parsed.money.currency} allows; rounded`,
      "warning",
    );
  }
  return parsed.money;
}

const CURRENCY = /^[A-Z]{3}$/;

/** An ISO 4217 code; lower case is accepted. */
export function readCurrency(site: FieldSite, field: string, value: string | undefined): string | undefined {
  const text = readText(value)?.toUpperCase();
  if (text === undefined) return undefined;
  if (CURRENCY.test(text)) return text;
  reportIssue(site, field, `"${text}" is not an ISO 4217 currency code such as USD`);
  return undefined;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A plain decimal number (`.` as separator). */
export function readNumber(site: FieldSite, field: string, value: string | undefined): number | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  if (DECIMAL.test(text)) return Number(text);
  reportIssue(site, field, `"${text}" is not a number`);
  return undefined;
}

/**
 * A stock quantity: a whole number. Negative stock (WooCommerce reports back-ordered units that
 * way) counts as 0.
 */
export function readQuantity(site: FieldSite, field: string, value: string | undefined): number | undefined {
  const number = readNumber(site, field, value);
  if (number === undefined) return undefined;
  if (!Number.isInteger(number)) {
    reportIssue(site, field, `"${readText(value)}" is not a whole number`);
    return undefined;
  }
  return Math.max(0, number);
}

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "t"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "f"]);

export function readBoolean(site: FieldSite, field: string, value: string | undefined): boolean | undefined {
  const text = readText(value)?.toLowerCase();
  if (text === undefined) return undefined;
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  reportIssue(site, field, `"${text}" is not true or false`);
  return undefined;
}

/** Spellings of an enum, keyed by the normalised text (lower case, spaces and dashes as `_`). */
export type Spellings<T extends string> = ReadonlyMap<string, T>;

export function spellings<T extends string>(table: Record<T, readonly string[]>): Spellings<T> {
  const map = new Map<string, T>();
  for (const [value, words] of Object.entries(table) as [T, readonly string[]][]) {
    map.set(value, value);
    for (const word of words) map.set(word, value);
  }
  return map;
}

const SEPARATORS = /[\s-]+/g;

export function readEnum<T extends string>(
  site: FieldSite,
  field: string,
  value: string | undefined,
  table: Spellings<T>,
  what: string,
): T | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const known = table.get(text.toLowerCase().replace(SEPARATORS, "_"));
  if (known !== undefined) return known;
  reportIssue(site, field, `"${text}" is not ${what}`);
  return undefined;
}

export const AVAILABILITY_SPELLINGS: Spellings<Availability> = spellings({
  in_stock: ["instock", "available"],
  out_of_stock: ["outofstock", "sold_out", "unavailable"],
  preorder: ["pre_order"],
  backorder: ["back_order", "onbackorder", "on_backorder"],
});
export const CONDITION_SPELLINGS: Spellings<z.infer<typeof ConditionSchema>> = spellings({
  new: [],
  refurbished: [],
  used: [],
});
export const GENDER_SPELLINGS: Spellings<z.infer<typeof GenderSchema>> = spellings({
  male: ["men", "man", "mens"],
  female: ["women", "woman", "womens"],
  unisex: [],
});
export const AGE_GROUP_SPELLINGS: Spellings<z.infer<typeof AgeGroupSchema>> = spellings({
  newborn: [],
  infant: [],
  toddler: [],
  kids: ["kid"],
  adult: ["adults"],
});

export function readAvailability(site: FieldSite, field: string, value: string | undefined) {
  return readEnum(
    site,
    field,
    value,
    AVAILABILITY_SPELLINGS,
    "an availability: expected in_stock, out_of_stock, preorder or backorder",
  );
}

export function readCondition(site: FieldSite, field: string, value: string | undefined) {
  return readEnum(site, field, value, CONDITION_SPELLINGS, "a condition: expected new, refurbished or used");
}

export function readGender(site: FieldSite, field: string, value: string | undefined) {
  return readEnum(site, field, value, GENDER_SPELLINGS, "a gender: expected male, female or unisex");
}

export function readAgeGroup(site: FieldSite, field: string, value: string | undefined) {
  return readEnum(
    site,
    field,
    value,
    AGE_GROUP_SPELLINGS,
    "an age group: expected newborn, infant, toddler, kids or adult",
  );
}

// The same shape as IsoDateTimeSchema in core/catalog.ts; a regex here keeps zod out of the field loop.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time, kept as written: `2026-11-27`, `2026-11-27T00:00-08:00`. */
export function readDate(site: FieldSite, field: string, value: string | undefined): string | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  if (ISO_DATE.test(text) && inCalendar(text)) return text;
  reportIssue(site, field, `"${text}" is not an ISO 8601 date such as 2026-11-27T00:00-08:00`);
  return undefined;
}

/** Month, day, hour and minute within their ranges (the pattern only checks the digits). */
function inCalendar(text: string): boolean {
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (text.length < 16) return true;
  return Number(text.slice(11, 13)) < 24 && Number(text.slice(14, 16)) < 60;
}

const URL_PATTERN = /^https?:\/\/\S+$/i;

export function readUrl(site: FieldSite, field: string, value: string | undefined): string | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  if (URL_PATTERN.test(text)) return text;
  reportIssue(site, field, `"${clip(text)}" is not an http(s) URL`);
  return undefined;
}

/** Parts of a separated list, trimmed, blanks dropped. */
export function readList(value: string | undefined, separator = ","): string[] {
  if (value === undefined || value === "") return [];
  const parts: string[] = [];
  for (const part of value.split(separator)) {
    const text = part.trim();
    if (text !== "") parts.push(text);
  }
  return parts;
}

/** A list of URLs; every entry must be an http(s) URL. */
export function readUrlList(site: FieldSite, field: string, parts: readonly string[]): string[] {
  const urls: string[] = [];
  for (const part of parts) {
    const url = readUrl(site, field, part);
    if (url !== undefined) urls.push(url);
  }
  return urls;
}

/** A category path written as `Apparel > Tops > T-Shirts`. */
export function readCategoryPath(value: string | undefined): string[] {
  return readList(value, ">");
}

// The names merchants write for units are read through core's one unit table.
export const weightUnit = weightUnitNamed;
export const lengthUnit = lengthUnitNamed;

const MEASURE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z"]*)$/;

/** A weight such as `1.2 kg`, `350 g`, `3 lbs`; a bare number takes `defaultUnit` when given. */
export function readWeight(
  site: FieldSite,
  field: string,
  value: string | undefined,
  defaultUnit?: Weight["unit"],
): Weight | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const parts = MEASURE.exec(text);
  const unit = parts && (parts[2] ? weightUnit(parts[2]) : defaultUnit);
  if (!parts || !unit) {
    reportIssue(site, field, `"${text}" is not a weight such as 1.2 kg (units g, kg, oz, lb)`);
    return undefined;
  }
  return { value: Number(parts[1]), unit };
}

const DIMENSIONS =
  /^(\d+(?:\.\d+)?|\.\d+)\s*[x×*]\s*(\d+(?:\.\d+)?|\.\d+)\s*[x×*]\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z"]+)$/;

/** Length × width × height with one unit: `30 x 20 x 10 cm`. */
export function readDimensions(
  site: FieldSite,
  field: string,
  value: string | undefined,
): Dimensions | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const parts = DIMENSIONS.exec(text);
  const unit = parts ? lengthUnit(parts[4]!) : undefined;
  if (!parts || !unit) {
    reportIssue(site, field, `"${text}" is not dimensions such as 30 x 20 x 10 cm (units mm, cm, m, in, ft)`);
    return undefined;
  }
  return { length: Number(parts[1]), width: Number(parts[2]), height: Number(parts[3]), unit };
}

const WHOLE = /^\d+$/;

/** Stock per store: `STORE-001:5, STORE-002:0`. */
export function readInventory(site: FieldSite, field: string, value: string | undefined): LocationStock[] {
  const stock: LocationStock[] = [];
  for (const entry of readList(value, ",")) {
    const colon = entry.lastIndexOf(":");
    const location = colon > 0 ? entry.slice(0, colon).trim() : "";
    const quantity = colon > 0 ? entry.slice(colon + 1).trim() : "";
    if (location === "" || !WHOLE.test(quantity)) {
      reportIssue(site, field, `"${entry}" is not store stock such as STORE-001:5`);
      continue;
    }
    stock.push({ location, quantity: Number(quantity) });
  }
  return stock;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
