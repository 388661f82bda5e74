import type { CatalogEntry, ProductInput, VariantInput } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { parseMoney, type Money } from "../../core/money.js";
import { fillOptionFields, finishProduct, type FieldNamer } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import type { JsonOptions } from "./config.js";
import type { JsonGroup } from "./records.js";
import { MONEY_RECORD_KEYS, PRODUCT_RECORD_KEYS, VARIANT_RECORD_KEYS } from "./record.js";

export function decodeJsonBatch(batch: RecordBatch, options: JsonOptions): DecodedBatch {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for (const group of batch.groups as JsonGroup[]) {
    const entry = decodeJsonRecord(group, batch.file, options, issues);
    if (entry) entries.push(entry);
  }
  return { entries, issues };
}

/**
 * One product record: parsed, its money read (text, number or minor units), unknown keys
 * reported as warnings, then checked by the product schema. Fields are named by their JSON path
 * (`variants[2].price`).
 */
export function decodeJsonRecord(
  group: JsonGroup,
  file: string,
  options: JsonOptions,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const report = (
    field: string | undefined,
    message: string,
    id?: string,
    severity: "error" | "warning" = "error",
  ) => {
    const issue: RowIssue = { file, line: group.line, severity, message };
    if (field !== undefined) issue.field = field;
    if (id !== undefined) issue.id = id;
    issues.push(issue);
  };
  let record: unknown;
  try {
    record = JSON.parse(group.text);
  } catch (error) {
    report(undefined, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (!isObject(record)) {
    report(undefined, "expected a product object");
    return undefined;
  }
  const productId = typeof record.id === "string" && record.id.trim() !== "" ? record.id.trim() : undefined;
  for (const key of Object.keys(record)) {
    if (!PRODUCT_RECORD_KEYS.has(key)) report(key, `unknown key "${key}", not read`, productId, "warning");
  }
  const variants: unknown[] = Array.isArray(record.variants) ? record.variants : [];
  const kept: unknown[] = [];
  const keptIndexes: number[] = [];
  variants.forEach((variant, index) => {
    if (!isObject(variant)) {
      kept.push(variant);
      keptIndexes.push(index);
      return;
    }
    const sku = typeof variant.sku === "string" && variant.sku.trim() !== "" ? variant.sku.trim() : productId;
    for (const key of Object.keys(variant)) {
      if (!VARIANT_RECORD_KEYS.has(key)) {
        report(`variants[${index}].${key}`, `unknown key "${key}", not read`, sku, "warning");
      }
    }
    const read = { ...variant };
    let readable = true;
    for (const key of MONEY_RECORD_KEYS) {
      if (read[key] === undefined) continue;
      const money = readMoneyRecord(read[key], options.currency);
      if (typeof money === "string") {
        report(`variants[${index}].${key}`, money, sku);
        readable = false;
      } else read[key] = money;
    }
    if (!readable) return;
    fillOptionFields(read as VariantInput);
    kept.push(read);
    keptIndexes.push(index);
  });
  if (variants.length > 0 && kept.length === 0) return undefined;
  const product = { ...record, variants: kept } as unknown as ProductInput;
  const draft = { product, line: group.line, variantLines: kept.map(() => group.line) };
  return finishProduct(draft, file, issues, jsonFieldNamer(keptIndexes));
}

/** Money as a JSON record may write it; a string is the reason it cannot be read. */
export function readMoneyRecord(value: unknown, currency: string): Money | string {
  if (typeof value === "string") {
    const parsed = parseMoney(value, currency);
    return parsed.ok ? parsed.money : parsed.reason;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return `${value} is not a price`;
    const parsed = parseMoney(String(value), currency);
    return parsed.ok ? parsed.money : parsed.reason;
  }
  if (isObject(value) && typeof value.amount === "number") {
    if (!Number.isInteger(value.amount) || value.amount < 0) {
      return `${value.amount} is not an amount in minor units (a whole number of cents)`;
    }
    const code = value.currency === undefined ? currency : value.currency;
    if (typeof code !== "string" || !/^[A-Z]{3}$/.test(code))
      return `${JSON.stringify(code)} is not an ISO 4217 currency code`;
    return { amount: value.amount, currency: code };
  }
  return "expected a price as text, a number, or {amount, currency} in minor units";
}

/** `["variants", 1, "price"]` → `variants[2].price` as in the file: variants left out shift indexes. */
function jsonFieldNamer(keptIndexes: readonly number[]): FieldNamer {
  return (path) => {
    let text = "";
    path.forEach((part, position) => {
      if (typeof part === "number") {
        const index = position === 1 && path[0] === "variants" ? (keptIndexes[part] ?? part) : part;
        text += `[${index}]`;
      } else text += text === "" ? String(part) : `.${String(part)}`;
    });
    return text;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
