import { readFileSync } from "node:fs";
import { CsvError, parse } from "csv-parse/sync";
import type { EvalContext } from "./context.js";
import { isEmpty, toText } from "./field-values.js";
import { SpecError } from "./problems.js";
import type { Lookup } from "./schema.js";

/**
 * Lookup tables: translate a value through a table (category mapping, colour names, …). Tables are
 * read and indexed once at load; a miss without a default is reported as a `lookup_miss` warning.
 */
export interface CompiledLookup {
  name: string;
  match: Lookup["match"];
  /** The table's value for a key, without the default. */
  find(key: string): string | undefined;
  /**
   * Translates a value: a list is translated element by element, except that `longest_prefix`
   * reads a list as the segments of one category path. Misses give the default, or nothing and a
   * `lookup_miss` warning on the item.
   */
  translate(value: unknown, context: EvalContext): unknown;
}

/** A row of a table, with the CSV line it came from when it came from a file. */
export interface LookupRow {
  key: string;
  value: string;
  line?: number;
}

function ignoreCaseKey(key: string): string {
  return key.trim().toLowerCase();
}

/** `Apparel >  Tops` and `apparel > tops` are the same category path. */
function pathSegments(key: string): string[] {
  const segments: string[] = [];
  for (const part of key.split(">")) {
    const segment = part.trim().toLowerCase();
    if (segment !== "") segments.push(segment);
  }
  return segments;
}

function normalizer(match: Lookup["match"]): (key: string) => string {
  if (match === "exact") return (key) => key;
  if (match === "ignore_case") return ignoreCaseKey;
  return (key) => pathSegments(key).join(" > ");
}

/** Builds the index of a table; two rows with the same key and different values are an error. */
export function compileLookup(
  name: string,
  rows: Iterable<LookupRow>,
  options: { match: Lookup["match"]; default?: string | undefined },
): CompiledLookup {
  const normalize = normalizer(options.match);
  const table = new Map<string, LookupRow>();
  for (const row of rows) {
    const key = normalize(row.key);
    const seen = table.get(key);
    if (seen && seen.value !== row.value) {
      const lines =
        seen.line !== undefined && row.line !== undefined ? ` (lines ${seen.line} and ${row.line})` : "";
      throw new SpecError(
        `lookup "${name}": key "${row.key}" appears twice with different values "${seen.value}" and "${row.value}"${lines}`,
      );
    }
    table.set(key, row);
  }

  const find =
    options.match === "longest_prefix"
      ? remembered((key: string) => findLongestPrefix(table, pathSegments(key)))
      : options.match === "exact"
        ? (key: string) => table.get(key)?.value
        : remembered((key: string) => table.get(normalize(key))?.value);
  const fallback = options.default;

  function translateOne(key: string, context: EvalContext): string | undefined {
    const found = find(key);
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    context.issues.push({
      severity: "warning",
      code: "lookup_miss",
      field: context.field,
      message: `lookup "${name}" has no row for "${key}"`,
    });
    return undefined;
  }

  return {
    name,
    match: options.match,
    find,
    translate(value, context) {
      if (isEmpty(value)) return undefined;
      if (!Array.isArray(value)) return translateOne(toText(value), context);
      if (options.match === "longest_prefix") return translateOne(value.map(toText).join(" > "), context);
      const translated: string[] = [];
      for (const element of value as unknown[]) {
        if (isEmpty(element)) continue;
        const found = translateOne(toText(element), context);
        if (found !== undefined) translated.push(found);
      }
      return translated;
    },
  };
}

const REMEMBERED_KEYS = 10_000;

/**
 * Remembers the answers for keys already looked up: catalogs repeat the same categories and
 * colours, and normalising a key costs more than a map read. The table never changes.
 */
function remembered(find: (key: string) => string | undefined): (key: string) => string | undefined {
  const answers = new Map<string, string | undefined>();
  return (key) => {
    if (answers.has(key)) return answers.get(key);
    const found = find(key);
    if (answers.size >= REMEMBERED_KEYS) answers.clear();
    answers.set(key, found);
    return found;
  };
}

function findLongestPrefix(
  table: ReadonlyMap<string, LookupRow>,
  segments: readonly string[],
): string | undefined {
  const prefixes: string[] = [];
  let prefix = "";
  for (const segment of segments) {
    prefix = prefix === "" ? segment : `${prefix} > ${segment}`;
    prefixes.push(prefix);
  }
  for (let index = prefixes.length - 1; index >= 0; index -= 1) {
    const row = table.get(prefixes[index] ?? "");
    if (row) return row.value;
  }
  return undefined;
}

/** The rows of an inline `values:` table. */
export function inlineRows(values: Record<string, string>): LookupRow[] {
  return Object.entries(values).map(([key, value]) => ({ key, value }));
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Reads a lookup CSV (header row, then rows). Throws {@link SpecError} for an unreadable file, a
 * CSV syntax error or a missing column, naming the CSV file and line.
 */
export function readLookupCsv(file: string, keyColumn: string, valueColumn: string): LookupRow[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SpecError(`cannot read lookup file ${file}: ${(error as Error).message}`);
  }
  let records: CsvRecord[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as CsvRecord[];
  } catch (error) {
    const line = error instanceof CsvError && typeof error.lines === "number" ? `:${error.lines}` : "";
    throw new SpecError(`${file}${line}: ${(error as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new SpecError(`lookup file ${file} is empty`);
  const keyIndex = header.record.indexOf(keyColumn);
  const valueIndex = header.record.indexOf(valueColumn);
  for (const [column, index] of [
    [keyColumn, keyIndex],
    [valueColumn, valueIndex],
  ] as const) {
    if (index === -1) {
      throw new SpecError(
        `lookup file ${file} has no column "${column}" (columns: ${header.record.join(", ")})`,
      );
    }
  }
  const rows: LookupRow[] = [];
  for (const { record, info } of body) {
    const key = record[keyIndex] ?? "";
    if (key === "") continue;
    rows.push({ key, value: record[valueIndex] ?? "", line: info.lines });
  }
  return rows;
}
