/**
 * Shopify's search syntax for the `query:` argument of connections (`sku:ABC`,
 * `updated_at:>'2026-01-01T00:00:00Z'`, `source_identifier:112-…`, `tag:amazon status:active`),
 * enough of it for what omnifeed sends: terms joined by whitespace or AND, OR, a leading `-` or NOT
 * to negate, comparators `:>` `:>=` `:<` `:<=`, quoted values, a trailing `*` for a prefix.
 *
 * As on Shopify, a field the connection does not know is ignored (the term matches everything)
 * and reported as a warning in `extensions.search`: a typo in a filter returns everything.
 */

export type SearchValue = string | number | boolean | readonly string[] | undefined;

/** How a connection reads one search field from a record; `kind` says how to compare. */
export interface SearchField<T> {
  kind: "text" | "date" | "number" | "list";
  read(record: T): SearchValue;
}

export interface SearchWarning {
  field: string;
  message: string;
}

type Comparator = ":" | ":>" | ":>=" | ":<" | ":<=";

interface Term {
  negate: boolean;
  field: string | undefined;
  comparator: Comparator;
  value: string;
}

/** Disjunction of conjunctions: `a b OR c` is `(a AND b) OR c`, as Shopify reads it. */
type Parsed = Term[][];

export interface CompiledSearch<T> {
  matches(record: T): boolean;
  warnings: SearchWarning[];
}

export function compileSearch<T>(
  query: string | null | undefined,
  fields: Readonly<Record<string, SearchField<T>>>,
  /** Fields a bare word is searched in (products: title). */
  defaultFields: readonly string[],
): CompiledSearch<T> {
  if (query === undefined || query === null || query.trim() === "")
    return { matches: () => true, warnings: [] };
  const parsed = parse(query);
  const warnings: SearchWarning[] = [];
  for (const group of parsed) {
    for (const term of group) {
      if (term.field !== undefined && fields[term.field] === undefined) {
        warnings.push({ field: term.field, message: "Invalid search field for this query." });
      }
    }
  }
  const termMatches = (record: T, term: Term): boolean => {
    let result: boolean;
    if (term.field === undefined) {
      result = defaultFields.some((name) => {
        const field = fields[name];
        return field !== undefined && compare(field, field.read(record), ":", term.value, true);
      });
    } else {
      const field = fields[term.field];
      // Shopify ignores an unknown field: the term keeps every record.
      if (field === undefined) return true;
      result = compare(field, field.read(record), term.comparator, term.value, false);
    }
    return term.negate ? !result : result;
  };
  return {
    matches: (record) => parsed.some((group) => group.every((term) => termMatches(record, term))),
    warnings,
  };
}

function compare<T>(
  field: SearchField<T>,
  actual: SearchValue,
  comparator: Comparator,
  wanted: string,
  bareWord: boolean,
): boolean {
  if (actual === undefined) return false;
  if (field.kind === "list" || Array.isArray(actual)) {
    const values: readonly string[] = Array.isArray(actual)
      ? (actual as readonly string[])
      : [String(actual)];
    return values.some((value) => textMatches(value, wanted, bareWord));
  }
  if (field.kind === "date") {
    const left = Date.parse(String(actual));
    const right = Date.parse(wanted);
    if (Number.isNaN(right)) return false;
    return ordered(left, right, comparator);
  }
  if (field.kind === "number") {
    const right = Number(wanted);
    if (Number.isNaN(right)) return false;
    return ordered(Number(actual), right, comparator);
  }
  if (comparator !== ":") return ordered(String(actual).localeCompare(wanted), 0, comparator);
  return textMatches(String(actual), wanted, bareWord);
}

function ordered(left: number, right: number, comparator: Comparator): boolean {
  switch (comparator) {
    case ":>":
      return left > right;
    case ":>=":
      return left >= right;
    case ":<":
      return left < right;
    case ":<=":
      return left <= right;
    default:
      return left === right;
  }
}

function textMatches(actual: string, wanted: string, bareWord: boolean): boolean {
  const value = actual.toLowerCase();
  const target = wanted.toLowerCase();
  if (target.endsWith("*")) return value.startsWith(target.slice(0, -1));
  // A bare word matches a word of the text (a title); a field term matches the whole value.
  return bareWord ? value.split(/\s+/).includes(target) || value === target : value === target;
}

function parse(query: string): Parsed {
  const groups: Parsed = [[]];
  let index = 0;
  let negateNext = false;
  while (index < query.length) {
    const char = query[index]!;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const word = /^[A-Za-z]+(?=\s|$)/.exec(query.slice(index))?.[0];
    if (word === "AND") {
      index += 3;
      continue;
    }
    if (word === "OR") {
      groups.push([]);
      index += 2;
      continue;
    }
    if (word === "NOT") {
      negateNext = true;
      index += 3;
      continue;
    }
    let negate = negateNext;
    negateNext = false;
    if (char === "-") {
      negate = true;
      index += 1;
    }
    const fieldMatch = /^([A-Za-z_][A-Za-z0-9_.]*)(:>=|:<=|:>|:<|:)/.exec(query.slice(index));
    let field: string | undefined;
    let comparator: Comparator = ":";
    if (fieldMatch) {
      field = fieldMatch[1]!.toLowerCase();
      comparator = fieldMatch[2] as Comparator;
      index += fieldMatch[0].length;
    }
    let value = "";
    const quote = query[index];
    if (quote === "'" || quote === '"') {
      const end = query.indexOf(quote, index + 1);
      value = query.slice(index + 1, end === -1 ? undefined : end);
      index = end === -1 ? query.length : end + 1;
    } else {
      const start = index;
      while (index < query.length && !/\s/.test(query[index]!)) index += 1;
      value = query.slice(start, index);
    }
    groups[groups.length - 1]!.push({ negate, field, comparator, value });
  }
  return groups.filter((group) => group.length > 0);
}
