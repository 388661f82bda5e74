import { compilePath } from "./context.js";
import type { EvalContext, PathEnv } from "./context.js";
import { isEmpty, showValue, toNumber, toText } from "./field-values.js";
import { problemAt, siteAt, SpecError, within } from "./problems.js";
import type { Site } from "./problems.js";
import type { Condition, LeafCondition } from "./schema.js";

/**
 * Conditions of rules and filters, compiled to predicates at load. Text compares ignoring case
 * unless `case_sensitive: true`; numbers numerically; Money by its amount in major units. A list
 * value (tags, images) holds when any of its elements does.
 */
export interface CompiledCondition {
  test: (context: EvalContext) => boolean;
  /** The condition as short text, for traces: `variant.price gt 100`. */
  text: string;
}

type Scalar = string | number | boolean;
type Check = (actual: unknown) => boolean;

/** Holds when the value, or any element of a list value, passes. Absent values never pass. */
function anyOf(actual: unknown, check: Check): boolean {
  if (actual === undefined || actual === null) return false;
  if (!Array.isArray(actual)) return check(actual);
  for (const element of actual as unknown[]) if (check(element)) return true;
  return false;
}

function equalsTo(expected: Scalar, caseSensitive: boolean): Check {
  if (typeof expected === "boolean") {
    const text = String(expected);
    return (actual) => actual === expected || (typeof actual === "string" && actual.toLowerCase() === text);
  }
  const number = toNumber(expected);
  const wanted = caseSensitive ? String(expected) : String(expected).toLowerCase();
  return (actual) => {
    if (number !== undefined && typeof actual !== "string") {
      const value = toNumber(actual);
      if (value !== undefined) return value === number;
    }
    if (typeof actual === "string" && typeof expected === "number") {
      const value = toNumber(actual);
      return value !== undefined && value === number;
    }
    const text = toText(actual);
    return (caseSensitive ? text : text.toLowerCase()) === wanted;
  };
}

function textCheck(
  expected: Scalar,
  caseSensitive: boolean,
  test: (text: string, wanted: string) => boolean,
): Check {
  const wanted = caseSensitive ? String(expected) : String(expected).toLowerCase();
  return (actual) => {
    const text = toText(actual);
    return test(caseSensitive ? text : text.toLowerCase(), wanted);
  };
}

const ORDER: Record<"gt" | "gte" | "lt" | "lte", (difference: number) => boolean> = {
  gt: (d) => d > 0,
  gte: (d) => d >= 0,
  lt: (d) => d < 0,
  lte: (d) => d <= 0,
};

function orderCheck(op: keyof typeof ORDER, expected: Scalar): Check {
  const holds = ORDER[op];
  const number = toNumber(expected);
  if (number !== undefined) {
    return (actual) => {
      const value = toNumber(actual);
      return value !== undefined && holds(value - number);
    };
  }
  // ISO dates (and other text) compare as text.
  const wanted = String(expected);
  return (actual) => typeof actual === "string" && holds(actual < wanted ? -1 : actual > wanted ? 1 : 0);
}

function scalarValue(condition: LeafCondition): Scalar {
  const { value, op } = condition;
  if (value === undefined) throw new SpecError(`"${op}" needs a value`);
  if (Array.isArray(value))
    throw new SpecError(`"${op}" compares with one value, not a list (use "in" for a list)`);
  return value;
}

function leafText(condition: LeafCondition): string {
  const value = condition.value === undefined ? "" : ` ${showValue(condition.value)}`;
  return `${condition.field} ${condition.op}${value}`;
}

function compileLeaf(condition: LeafCondition, site: Site, env: PathEnv): CompiledCondition {
  const read = within(siteAt(site, "field"), () => compilePath(condition.field, env));
  const caseSensitive = condition.case_sensitive ?? false;
  const check = within(
    siteAt(site, condition.value === undefined ? "op" : "value"),
    (): Check | "exists" | "empty" | { whole: Check } => {
      switch (condition.op) {
        case "exists":
        case "empty":
          if (condition.value !== undefined) throw new SpecError(`"${condition.op}" takes no value`);
          return condition.op;
        case "eq":
        case "ne":
          return equalsTo(scalarValue(condition), caseSensitive);
        case "in": {
          if (!Array.isArray(condition.value)) throw new SpecError(`"in" needs a list value, e.g. [a, b]`);
          const checks = condition.value.map((value) => equalsTo(value, caseSensitive));
          return (actual) => checks.some((check) => check(actual));
        }
        case "contains": {
          const expected = scalarValue(condition);
          const equal = equalsTo(expected, caseSensitive);
          const inside = textCheck(expected, caseSensitive, (text, wanted) => text.includes(wanted));
          // A list contains a value when one element equals it; a text when it holds it.
          return {
            whole: (actual) =>
              Array.isArray(actual) ? (actual as unknown[]).some(equal) : !isEmpty(actual) && inside(actual),
          };
        }
        case "starts_with":
          return textCheck(scalarValue(condition), caseSensitive, (text, wanted) => text.startsWith(wanted));
        case "matches": {
          const expected = scalarValue(condition);
          let pattern: RegExp;
          try {
            pattern = new RegExp(String(expected), caseSensitive ? "" : "i");
          } catch (error) {
            throw new SpecError(`bad regular expression: ${(error as Error).message}`);
          }
          return (actual) => pattern.test(toText(actual));
        }
        case "gt":
        case "gte":
        case "lt":
        case "lte": {
          const expected = scalarValue(condition);
          if (typeof expected === "boolean")
            throw new SpecError(`"${condition.op}" compares numbers, prices or dates`);
          return orderCheck(condition.op, expected);
        }
      }
    },
  );
  const text = leafText(condition);
  if (check === "exists") return { text, test: (context) => !isEmpty(read(context)) };
  if (check === "empty") return { text, test: (context) => isEmpty(read(context)) };
  if (typeof check === "object") {
    const whole = check.whole;
    return { text, test: (context) => whole(read(context)) };
  }
  if (condition.op === "ne") return { text, test: (context) => !anyOf(read(context), check) };
  return { text, test: (context) => anyOf(read(context), check) };
}

/** Compiles a condition; problems are located at `site` (the condition's node in the file). */
export function compileCondition(condition: Condition, site: Site, env: PathEnv): CompiledCondition {
  if ("all" in condition || "any" in condition) {
    const list = "all" in condition ? condition.all : condition.any;
    const key = "all" in condition ? "all" : "any";
    if (list.length === 0) throw problemAt(siteAt(site, key), `"${key}" needs at least one condition`);
    const parts = list.map((part, index) => compileCondition(part, siteAt(site, key, index), env));
    const tests = parts.map((part) => part.test);
    const text = `(${parts.map((part) => part.text).join(key === "all" ? " and " : " or ")})`;
    if (key === "all") return { text, test: (context) => tests.every((test) => test(context)) };
    return { text, test: (context) => tests.some((test) => test(context)) };
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not, siteAt(site, "not"), env);
    return { text: `not ${inner.text}`, test: (context) => !inner.test(context) };
  }
  return compileLeaf(condition, site, env);
}
