import { z } from "zod";
import {
  addToMoney,
  formatAmount,
  formatMoney,
  isMoney,
  moneyWithEnding,
  multiplyMoney,
  roundMoney,
  roundWith,
  withPriceEnding,
  type RoundMode,
} from "../core/money.js";
import { LENGTH_UNITS, measureScale, WEIGHT_UNITS } from "../core/units.js";
import type { ItemIssue } from "../core/issues.js";
import type { EvalContext } from "./context.js";
import { didYouMean } from "../core/did-you-mean.js";
import { cleanNumber, isDimensions, isEmpty, isWeight, toNumber, toText } from "./field-values.js";
import type { CompiledLookup } from "./lookups.js";
import { collapseWhitespace as collapseRuns, isWhitespace, stripHtml } from "./html-text.js";

export { stripHtml };
import { SpecError } from "./problems.js";
import type { TransformStep } from "./schema.js";

/**
 * Named transforms: used in a field's `transforms:` list (`trim`, `{ truncate: 150 }`,
 * `{ truncate: { length: 150, ellipsis: "…" } }`) and as template filters with positional
 * arguments (`{{ description | truncate: 150, true, "…" }}`). Arguments are checked with zod when
 * the mapping loads; the compiled function does no parsing.
 */
export type TransformFn = (value: unknown, context: EvalContext) => unknown;

export interface TransformEnv {
  lookups: ReadonlyMap<string, CompiledLookup>;
}

interface TransformDef {
  /** Argument names, in the order template filters give them. */
  params: readonly string[];
  summary: string;
  /** Builds the function from raw arguments; throws {@link SpecError} on bad ones. */
  make(args: Record<string, unknown>, env: TransformEnv): TransformFn;
}

function argumentProblem(name: string, error: z.ZodError): string {
  const details = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys")
      return `unknown argument ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
    const trimmed = issue.message.replace(/^Invalid (?:input|option): /, "");
    const message = trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
    return issue.path.length > 0 ? `${issue.path.join(".")}: ${message}` : message;
  });
  return `${name}: ${details.join("; ")}`;
}

function defineTransform<S extends z.ZodType<Record<string, unknown>>>(spec: {
  params: readonly string[];
  summary: string;
  args: S;
  /** String-like transforms apply to each element of a list; the others see the list. */
  each: boolean;
  build: (args: z.output<S>, env: TransformEnv, name: string) => TransformFn;
}): Omit<TransformDef, "make"> & {
  make(args: Record<string, unknown>, env: TransformEnv, name: string): TransformFn;
} {
  return {
    params: spec.params,
    summary: spec.summary,
    make(raw, env, name) {
      const parsed = spec.args.safeParse(raw);
      if (!parsed.success) throw new SpecError(argumentProblem(name, parsed.error));
      const fn = spec.build(parsed.data, env, name);
      return spec.each ? eachElement(fn) : fn;
    },
  };
}

/** Applies an element transform to each element of a list, dropping elements that become empty. */
function eachElement(fn: TransformFn): TransformFn {
  return (value, context) => {
    if (!Array.isArray(value)) return fn(value, context);
    const out: unknown[] = [];
    for (const element of value as unknown[]) {
      const mapped = fn(element, context);
      if (!isEmpty(mapped)) out.push(mapped);
    }
    return out;
  };
}

/**
 * A text transform: empty values pass through, other values are read as text first. Each compiled
 * step remembers its last result, since the variants of a product come one after another and
 * share its texts (a 1,300-character description is stripped once per product, not per variant).
 */
function onText(fn: (text: string) => string): TransformFn {
  const memo = lastValueMemo(fn);
  return (value) => (isEmpty(value) ? value : memo(typeof value === "string" ? value : toText(value)));
}

/** Text cut to a limit is a warning on the item, so that no cut goes unnoticed. */
function truncatedIssue(field: string, limit: number, length: number): ItemIssue {
  return {
    severity: "warning",
    code: "truncated",
    field,
    message: `cut to ${limit} characters (the text had ${length}); shorten it at the source to choose the words`,
  };
}

function warnInput(context: EvalContext, name: string, expected: string, value: unknown): void {
  context.issues.push({
    severity: "warning",
    code: "transform_input",
    field: context.field,
    message: `${name}: expected ${expected}, got ${JSON.stringify(value)}; the value is kept as it was`,
  });
}

const NoArgs = z.strictObject({});
/** Text arguments: YAML reads `with: 10` as a number, so scalars are taken as text. */
const Text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** No leading, trailing or repeated space and no other whitespace: nothing to collapse. */
function isTidy(text: string): boolean {
  let afterSpace = true;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 32) {
      if (afterSpace) return false;
      afterSpace = true;
    } else if (isWhitespace(code)) return false;
    else afterSpace = false;
  }
  return !afterSpace || text.length === 0;
}

// Most text is already tidy: check before building a new string.
function collapseWhitespace(text: string): string {
  return isTidy(text) ? text : collapseRuns(text);
}

/** Remembers the last input and output of a pure text function. */
function lastValueMemo(fn: (text: string) => string): (text: string) => string {
  let lastInput: string | undefined;
  let lastOutput = "";
  return (text) => {
    if (text !== lastInput) {
      lastOutput = fn(text);
      lastInput = text;
    }
    return lastOutput;
  };
}

/**
 * Remembers the last two inputs: the default mappings strip and collapse both the title and the
 * description of every channel in turn, so one slot would miss on every call.
 */
function lastTwoValuesMemo(fn: (text: string) => string): (text: string) => string {
  let inputA: string | undefined;
  let outputA = "";
  let inputB: string | undefined;
  let outputB = "";
  return (text) => {
    if (text === inputA) return outputA;
    if (text === inputB) return outputB;
    inputB = inputA;
    outputB = outputA;
    inputA = text;
    outputA = fn(text);
    return outputA;
  };
}

// --- truncate ---------------------------------------------------------------------------------

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts at most `length` UTF-16 units, stepping back rather than splitting a surrogate pair. */
function safeCut(text: string, length: number): number {
  if (length <= 0) return 0;
  if (length >= text.length) return text.length;
  return isHighSurrogate(text.charCodeAt(length - 1)) ? length - 1 : length;
}

/**
 * Shortens text to at most `length` characters (UTF-16 units, so the limit holds whichever way a
 * channel counts), the ellipsis included. With `atWord`, the cut moves back to the last whitespace
 * when one falls in the last third of the room left, so no word is split.
 */
export function truncate(text: string, length: number, atWord: boolean, ellipsis: string): string {
  if (text.length <= length) return text;
  const room = length - ellipsis.length;
  if (room <= 0) return ellipsis.slice(0, safeCut(ellipsis, length));
  let cut = safeCut(text, room);
  if (atWord && !/\s/.test(text.charAt(cut))) {
    const lowest = Math.ceil((room * 2) / 3);
    for (let index = cut - 1; index >= lowest; index -= 1) {
      if (/\s/.test(text.charAt(index))) {
        cut = index;
        break;
      }
    }
  }
  return text.slice(0, cut).trimEnd() + ellipsis;
}

// --- case -------------------------------------------------------------------------------------

function titleCase(text: string): string {
  return text
    .toLowerCase()
    .replace(
      /(^|[^\p{L}\p{M}\p{N}'’])(\p{L})/gu,
      (_m, before: string, letter: string) => before + letter.toUpperCase(),
    );
}

function sentenceCase(text: string): string {
  return text
    .toLowerCase()
    .replace(
      /(^\s*|[.!?]\s+)(\p{L})/gu,
      (_m, before: string, letter: string) => before + letter.toUpperCase(),
    );
}

// --- numbers and money ------------------------------------------------------------------------

function roundNumber(value: number, decimals: number, mode: RoundMode): number {
  const factor = 10 ** decimals;
  return cleanNumber(roundWith(cleanNumber(value * factor), mode) / factor);
}

/** Number of decimals written in a number: `0.99` → 2. */
function decimalsOf(value: number): number {
  const text = String(value);
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

const Unit = z.enum([...WEIGHT_UNITS, ...LENGTH_UNITS]);

function convertNumber(value: number, from: string, to: string): number | undefined {
  const scale = measureScale(from);
  if (!scale || scale !== measureScale(to)) return undefined;
  return Math.round(cleanNumber(((value * (scale[from] ?? 1)) / (scale[to] ?? 1)) * 1000)) / 1000;
}

function uniqueKey(value: unknown): unknown {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : value;
}

// --- the table --------------------------------------------------------------------------------

// Shared by every compiled mapping of the thread: the build maps each variant for all channels in
// turn, so the second and third channel find the product's description already stripped.
const sharedStripHtml = lastTwoValuesMemo(stripHtml);
const sharedCollapseWhitespace = lastTwoValuesMemo(collapseWhitespace);

const DEFINITIONS = {
  trim: defineTransform({
    params: [],
    summary: "removes spaces at both ends",
    args: NoArgs,
    each: true,
    build: () => onText((text) => text.trim()),
  }),
  collapse_whitespace: defineTransform({
    params: [],
    summary: "turns runs of whitespace (line breaks included) into one space and trims",
    args: NoArgs,
    each: true,
    build: () => onText(sharedCollapseWhitespace),
  }),
  strip_html: defineTransform({
    params: [],
    summary: "HTML to plain text: tags and comments dropped, block ends as line breaks, entities decoded",
    args: NoArgs,
    each: true,
    build: () => onText(sharedStripHtml),
  }),
  truncate: defineTransform({
    params: ["length", "at_word", "ellipsis"],
    summary: "at most `length` characters, ellipsis included, cut at a word boundary",
    args: z.strictObject({
      length: z.number().int().min(1),
      at_word: z.boolean().default(true),
      ellipsis: Text.default(""),
    }),
    each: true,
    build: ({ length, at_word, ellipsis }) => {
      if (ellipsis.length > length) throw new SpecError(`truncate: the ellipsis is longer than ${length}`);
      const cut = lastValueMemo((text: string) => truncate(text, length, at_word, ellipsis));
      // Not `onText`: its memo would skip the warning on the second variant of a product.
      return (value, context) => {
        if (isEmpty(value)) return value;
        const text = typeof value === "string" ? value : toText(value);
        if (text.length > length) context.issues.push(truncatedIssue(context.field, length, text.length));
        return cut(text);
      };
    },
  }),
  upper: defineTransform({
    params: [],
    summary: "UPPER CASE",
    args: NoArgs,
    each: true,
    build: () => onText((text) => text.toUpperCase()),
  }),
  lower: defineTransform({
    params: [],
    summary: "lower case",
    args: NoArgs,
    each: true,
    build: () => onText((text) => text.toLowerCase()),
  }),
  title_case: defineTransform({
    params: [],
    summary: "Each Word Capitalised, The Rest Lower Case",
    args: NoArgs,
    each: true,
    build: () => onText(titleCase),
  }),
  sentence_case: defineTransform({
    params: [],
    summary: "First letter of each sentence capitalised, the rest lower case",
    args: NoArgs,
    each: true,
    build: () => onText(sentenceCase),
  }),
  replace: defineTransform({
    params: ["find", "with"],
    summary: "replaces every occurrence of a text (case-sensitive)",
    args: z.strictObject({ find: Text.pipe(z.string().min(1)), with: Text.default("") }),
    each: true,
    build: (args) => onText((text) => text.replaceAll(args.find, args.with)),
  }),
  regex_replace: defineTransform({
    params: ["pattern", "with", "flags"],
    summary: "replaces matches of a regular expression; `$1` in `with` inserts a group",
    args: z.strictObject({
      pattern: z.string().min(1),
      with: Text.default(""),
      flags: z
        .string()
        .regex(/^[dgimsuvy]*$/, "flags are letters among d g i m s u v y")
        .default("g"),
    }),
    each: true,
    build: (args) => {
      let pattern: RegExp;
      try {
        pattern = new RegExp(args.pattern, args.flags);
      } catch (error) {
        throw new SpecError(`regex_replace: bad regular expression: ${(error as Error).message}`);
      }
      return onText((text) => text.replace(pattern, args.with));
    },
  }),
  prefix: defineTransform({
    params: ["text"],
    summary: "puts text before a non-empty value",
    args: z.strictObject({ text: Text }),
    each: true,
    build: ({ text: before }) => onText((text) => before + text),
  }),
  suffix: defineTransform({
    params: ["text"],
    summary: "puts text after a non-empty value",
    args: z.strictObject({ text: Text }),
    each: true,
    build: ({ text: after }) => onText((text) => text + after),
  }),
  default: defineTransform({
    params: ["value"],
    summary: "a value used when the value is empty",
    args: z.strictObject({ value: z.union([Scalar, z.array(Scalar)]) }),
    each: false,
    build:
      ({ value: fallback }) =>
      (value) =>
        isEmpty(value) ? fallback : value,
  }),
  number: defineTransform({
    params: ["decimals"],
    summary: "a number as text with fixed decimals (Money in major units)",
    args: z.strictObject({ decimals: z.number().int().min(0).max(20) }),
    each: true,
    build:
      ({ decimals }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        const number = toNumber(value);
        if (number === undefined) {
          warnInput(context, name, "a number", value);
          return value;
        }
        return number.toFixed(decimals);
      },
  }),
  price: defineTransform({
    params: ["with_currency"],
    summary: "Money as `19.99 USD`, or `19.99` without the currency",
    args: z.strictObject({ with_currency: z.boolean().default(true) }),
    each: true,
    build:
      ({ with_currency }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        if (!isMoney(value)) {
          warnInput(context, name, "a price", value);
          return value;
        }
        return with_currency ? formatMoney(value) : formatAmount(value);
      },
  }),
  round: defineTransform({
    params: ["decimals", "mode"],
    summary: "rounds numbers and Money to `decimals` (major units), nearest (half up), up or down",
    args: z.strictObject({
      decimals: z.number().int().min(-9).max(12).default(0),
      mode: z.enum(["nearest", "up", "down"]).default("nearest"),
    }),
    each: true,
    build:
      ({ decimals, mode }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        if (isMoney(value)) return roundMoney(value, decimals, mode);
        const number = toNumber(value);
        if (number === undefined) {
          warnInput(context, name, "a number or a price", value);
          return value;
        }
        return roundNumber(number, decimals, mode);
      },
  }),
  price_ending: defineTransform({
    params: ["ending"],
    summary: "charm pricing: 23.45 with ending 0.99 → 23.99 (never below the price)",
    args: z.strictObject({ ending: z.number().min(0) }),
    each: true,
    build:
      ({ ending }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        if (isMoney(value)) {
          const ended = moneyWithEnding(value, ending);
          if (ended === undefined) {
            warnInput(context, name, `a currency with the decimals of ${ending}`, value);
            return value;
          }
          return ended;
        }
        const number = toNumber(value);
        if (number === undefined) {
          warnInput(context, name, "a number or a price", value);
          return value;
        }
        const decimals = decimalsOf(ending);
        const scaled = withPriceEnding(Math.round(number * 10 ** decimals), decimals, ending);
        return scaled === undefined ? number : cleanNumber(scaled / 10 ** decimals);
      },
  }),
  multiply: defineTransform({
    params: ["factor"],
    summary: "multiplies numbers and Money (Money rounded half up to the minor unit)",
    args: z.strictObject({ factor: z.number() }),
    each: true,
    build:
      ({ factor }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        if (isMoney(value)) return multiplyMoney(value, factor);
        const number = toNumber(value);
        if (number === undefined) {
          warnInput(context, name, "a number or a price", value);
          return value;
        }
        return cleanNumber(number * factor);
      },
  }),
  add: defineTransform({
    params: ["amount"],
    summary: "adds to numbers and Money (the amount in major units)",
    args: z.strictObject({ amount: z.number() }),
    each: true,
    build:
      ({ amount }, _env, name) =>
      (value, context) => {
        if (isEmpty(value)) return value;
        if (isMoney(value)) return addToMoney(value, amount);
        const number = toNumber(value);
        if (number === undefined) {
          warnInput(context, name, "a number or a price", value);
          return value;
        }
        return cleanNumber(number + amount);
      },
  }),
  convert: defineTransform({
    params: ["to", "from"],
    summary: "weights and dimensions to another unit; a number `from` one unit `to` another (3 decimals)",
    args: z.strictObject({ to: Unit, from: Unit.optional() }),
    each: true,
    build: ({ to, from }, _env, name) => {
      if (from !== undefined && measureScale(from) !== measureScale(to)) {
        throw new SpecError(`convert: cannot convert ${from} to ${to}`);
      }
      return (value, context) => {
        if (isEmpty(value)) return value;
        if (isWeight(value)) {
          const converted = convertNumber(value.value, value.unit, to);
          if (converted !== undefined) return { value: converted, unit: to };
        } else if (isDimensions(value)) {
          const length = convertNumber(value.length, value.unit, to);
          const width = convertNumber(value.width, value.unit, to);
          const height = convertNumber(value.height, value.unit, to);
          if (length !== undefined && width !== undefined && height !== undefined) {
            return { length, width, height, unit: to };
          }
        } else if (from !== undefined) {
          const number = toNumber(value);
          if (number !== undefined) return convertNumber(number, from, to);
        }
        warnInput(
          context,
          name,
          from ? `a number in ${from}` : `a weight or dimensions convertible to ${to}`,
          value,
        );
        return value;
      };
    },
  }),
  join: defineTransform({
    params: ["separator"],
    summary: "a list as text",
    args: z.strictObject({ separator: Text.default(", ") }),
    each: false,
    build:
      ({ separator }) =>
      (value) => {
        if (!Array.isArray(value)) return value;
        const parts: string[] = [];
        for (const element of value as unknown[]) {
          const text = toText(element);
          if (text !== "") parts.push(text);
        }
        return parts.join(separator);
      },
  }),
  split: defineTransform({
    params: ["separator"],
    summary: "text to a list; parts trimmed, empty parts dropped",
    args: z.strictObject({ separator: Text.pipe(z.string().min(1)).default(",") }),
    each: false,
    build: ({ separator }) => {
      const splitOne = (text: string, out: string[]): void => {
        for (const part of text.split(separator)) {
          const trimmed = part.trim();
          if (trimmed !== "") out.push(trimmed);
        }
      };
      return (value) => {
        if (typeof value === "string") {
          const out: string[] = [];
          splitOne(value, out);
          return out;
        }
        if (!Array.isArray(value)) return value;
        const out: string[] = [];
        for (const element of value as unknown[]) {
          if (typeof element === "string") splitOne(element, out);
        }
        return out;
      };
    },
  }),
  first: defineTransform({
    params: [],
    summary: "the first element of a list",
    args: NoArgs,
    each: false,
    build: () => (value) => (Array.isArray(value) ? (value[0] as unknown) : value),
  }),
  last: defineTransform({
    params: [],
    summary: "the last element of a list",
    args: NoArgs,
    each: false,
    build: () => (value) => (Array.isArray(value) ? (value[value.length - 1] as unknown) : value),
  }),
  slice: defineTransform({
    params: ["start", "end"],
    summary: "part of a list, or of a text (by characters); negative counts from the end",
    args: z.strictObject({ start: z.number().int(), end: z.number().int().optional() }),
    each: false,
    build:
      ({ start, end }) =>
      (value) => {
        if (Array.isArray(value)) return (value as unknown[]).slice(start, end);
        if (typeof value === "string") return Array.from(value).slice(start, end).join("");
        return value;
      },
  }),
  unique: defineTransform({
    params: [],
    summary: "a list without repeated elements, first kept",
    args: NoArgs,
    each: false,
    build: () => (value) => {
      if (!Array.isArray(value)) return value;
      const seen = new Set<unknown>();
      const out: unknown[] = [];
      for (const element of value as unknown[]) {
        const key = uniqueKey(element);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(element);
      }
      return out;
    },
  }),
  lookup: defineTransform({
    params: ["table"],
    summary: "translates through a table of `lookups`",
    args: z.strictObject({ table: z.string().min(1) }),
    each: false,
    build: ({ table }, env) => {
      const lookup = env.lookups.get(table);
      if (!lookup) throw new SpecError(`unknown lookup "${table}"${didYouMean(table, env.lookups.keys())}`);
      return (value, context) => lookup.translate(value, context);
    },
  }),
};

export type TransformName = keyof typeof DEFINITIONS;

/** Every transform name with its positional arguments and a one-line summary (docs, errors). */
export const TRANSFORMS: Readonly<Record<string, { params: readonly string[]; summary: string }>> =
  DEFINITIONS;

function definition(name: string): (typeof DEFINITIONS)[TransformName] {
  if (!Object.hasOwn(DEFINITIONS, name)) {
    throw new SpecError(`unknown transform "${name}"${didYouMean(name, Object.keys(DEFINITIONS))}`);
  }
  return DEFINITIONS[name as TransformName];
}

/** Compiles a transform from named arguments. */
export function compileTransform(
  name: string,
  args: Record<string, unknown>,
  env: TransformEnv,
): TransformFn {
  return definition(name).make(args, env, name);
}

/** Compiles a template filter: arguments by position, in the transform's parameter order. */
export function compileFilter(name: string, positional: readonly unknown[], env: TransformEnv): TransformFn {
  const { params } = definition(name);
  if (positional.length > params.length) {
    throw new SpecError(
      params.length === 0
        ? `${name} takes no arguments`
        : `${name} takes at most ${params.length} argument${params.length > 1 ? "s" : ""} (${params.join(", ")})`,
    );
  }
  const args: Record<string, unknown> = {};
  positional.forEach((value, index) => {
    args[params[index] ?? ""] = value;
  });
  return compileTransform(name, args, env);
}

/**
 * A step of a `transforms:` list: `trim`, `{ truncate: 150 }` (a single value is the first
 * argument) or `{ truncate: { length: 150 } }`.
 */
export function compileTransformStep(step: TransformStep, env: TransformEnv): TransformFn {
  if (typeof step === "string") return compileTransform(step, {}, env);
  const [name = "", raw] = Object.entries(step)[0] ?? [];
  const { params } = definition(name);
  if (raw === null || raw === undefined) return compileTransform(name, {}, env);
  if (typeof raw === "object" && !Array.isArray(raw))
    return compileTransform(name, raw as Record<string, unknown>, env);
  // `{ replace: [" - ", " "] }` gives the arguments in order; `default` takes a list as its value.
  if (Array.isArray(raw) && params.length > 1) return compileFilter(name, raw, env);
  const [first] = params;
  if (first === undefined) throw new SpecError(`${name} takes no arguments`);
  return compileTransform(name, { [first]: raw }, env);
}

/** Chains compiled transforms into one function. */
export function chainTransforms(steps: readonly TransformFn[]): TransformFn | undefined {
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (value, context) => {
    let current = value;
    for (const step of steps) current = step(current, context);
    return current;
  };
}
