import { z } from "zod";
import { AvailabilitySchema, LocationStockSchema, ProductSchema, VariantSchema } from "../core/catalog.js";
import type { Product, Variant } from "../core/catalog.js";
import type { ItemIssue } from "../core/issues.js";
import { didYouMean } from "../core/did-you-mean.js";
import { isEmpty } from "./field-values.js";
import { SpecError } from "./problems.js";
import type { AllocatedStock, FieldValue } from "./types.js";

/**
 * What a mapping reads while it evaluates one variant, and how a path (`variant.price`, `title`,
 * `options.Size`, `output.title`, `settings.currency`) becomes a getter over it. Paths are checked
 * against the catalog's zod schemas when the mapping loads, so a typo is a load error, and compiled
 * to closures, so evaluation does no parsing.
 *
 * A bare name reads the variant and falls back to the product: a variant leaves a field empty to
 * inherit its product's value (`title` → `variant.title`, else `product.title`).
 */
export interface EvalContext {
  product: Product;
  variant: Variant;
  stock: AllocatedStock;
  /** Fields mapped so far, for `output.<field>`. */
  output: Record<string, FieldValue>;
  /** The output field being computed; issues name it. */
  field: string;
  issues: ItemIssue[];
  /** `images` computed once per evaluation. */
  images: readonly string[] | undefined;
}

export type Getter = (context: EvalContext) => unknown;

/** What path compilation needs to know beyond the catalog. */
export interface PathEnv {
  /** The channel's output field names, for `output.<field>`. */
  outputFields: ReadonlySet<string>;
  /** The merged, validated settings; `settings.<key>` reads them once, at load. */
  settings: unknown;
  /** Checks `settings.<key>` names when it can be read (an object schema). */
  settingsSchema?: z.ZodType;
}

export const PATH_ROOTS = ["product", "variant", "stock", "output", "settings"] as const;

/** Names computed from several catalog fields. */
export const COMPUTED_NAMES = [
  "images",
  "image",
  "additional_images",
  "category",
  "option_values",
  "options.<name>",
  "variant_count",
  "sku",
] as const;

const PRODUCT_FIELDS = ProductSchema.shape as unknown as Record<string, z.ZodType>;
const VARIANT_FIELDS = VariantSchema.shape as unknown as Record<string, z.ZodType>;
const STOCK_SCHEMA = z.object({
  quantity: z.number().optional(),
  availability: AvailabilitySchema,
  locations: z.array(LocationStockSchema),
});

/** Canonical field names a path may use: `product.<name>` and `variant.<name>`. */
export const PRODUCT_FIELD_NAMES: readonly string[] = Object.keys(PRODUCT_FIELDS);
export const VARIANT_FIELD_NAMES: readonly string[] = Object.keys(VARIANT_FIELDS);

const BARE_NAMES = new Set([
  ...PRODUCT_FIELD_NAMES,
  ...VARIANT_FIELD_NAMES,
  ...COMPUTED_NAMES.filter((name) => !name.includes("<")),
  "options",
  ...PATH_ROOTS,
]);

interface LooseDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): LooseDef {
  const def: unknown = schema._zod.def;
  return def as LooseDef;
}

/** Looks through optional, default, nullable, pipes and lazies to the schema of the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 20; depth += 1) {
    const def = defOf(current);
    const next = def.innerType ?? def.in ?? def.getter?.();
    if (!next) return current;
    current = next;
  }
  return current;
}

type Step = (value: unknown) => unknown;

function keyStep(key: string): Step {
  return (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)[key]
      : undefined;
}

function indexStep(index: number): Step {
  return (value) => (Array.isArray(value) ? (value[index] as unknown) : undefined);
}

function eachStep(key: string): Step {
  const step = keyStep(key);
  return (value) => (Array.isArray(value) ? value.map(step) : undefined);
}

/**
 * Steps for the keys below a field, checked against its schema: object keys must exist, records
 * take any key, lists take an index or a key of their elements (`variant.options.value` lists
 * every option's value). `strict: false` lets unknown shapes through (settings of any schema).
 */
function nestedSteps(schema: z.ZodType, keys: readonly string[], label: string, strict: boolean): Step[] {
  const steps: Step[] = [];
  let current: z.ZodType | undefined = schema;
  let at = label;
  for (const key of keys) {
    if (key === "") throw new SpecError(`"${at}." is missing a name after the dot`);
    const def: LooseDef | undefined = current ? defOf(unwrap(current)) : undefined;
    if (def?.type === "object" && def.shape) {
      if (!(key in def.shape)) {
        if (!strict) {
          steps.push(keyStep(key));
          current = undefined;
          at = `${at}.${key}`;
          continue;
        }
        const known = Object.keys(def.shape);
        throw new SpecError(
          `unknown field "${key}" in ${at}${didYouMean(key, known)}; it has ${known.join(", ")}`,
        );
      }
      steps.push(keyStep(key));
      current = def.shape[key];
    } else if (def?.type === "record") {
      steps.push(keyStep(key));
      current = def.valueType;
    } else if (def?.type === "array") {
      if (/^\d+$/.test(key)) {
        steps.push(indexStep(Number(key)));
        current = def.element;
      } else {
        const element: LooseDef | undefined = def.element ? defOf(unwrap(def.element)) : undefined;
        if (element?.type !== "object" || !element.shape || !(key in element.shape)) {
          if (!strict) {
            steps.push(eachStep(key));
            current = undefined;
            at = `${at}.${key}`;
            continue;
          }
          const known = element?.shape ? Object.keys(element.shape) : [];
          throw new SpecError(
            `${at} is a list: use an index (${at}.0)${known.length ? ` or a field of its entries (${known.join(", ")})` : ""}, not "${key}"`,
          );
        }
        steps.push(eachStep(key));
        current = element.shape[key];
      }
    } else if (strict && current) {
      throw new SpecError(`${at} has no field "${key}"`);
    } else {
      steps.push(keyStep(key));
      current = undefined;
    }
    at = `${at}.${key}`;
  }
  return steps;
}

function walk(steps: readonly Step[]): Step | undefined {
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (value) => {
    let current = value;
    for (const step of steps) {
      if (current === undefined || current === null) return undefined;
      current = step(current);
    }
    return current;
  };
}

function productField(name: string, steps: readonly Step[]): Getter {
  const rest = walk(steps);
  if (!rest) return (context) => (context.product as Record<string, unknown>)[name];
  return (context) => rest((context.product as Record<string, unknown>)[name]);
}

function variantField(name: string, steps: readonly Step[]): Getter {
  const rest = walk(steps);
  if (!rest) return (context) => (context.variant as Record<string, unknown>)[name];
  return (context) => rest((context.variant as Record<string, unknown>)[name]);
}

/** The variant's value when it has one, else the product's. */
function inheritedField(name: string, steps: readonly Step[]): Getter {
  const fromVariant = variantField(name, steps);
  const fromProduct = productField(name, steps);
  return (context) => {
    const value = fromVariant(context);
    return isEmpty(value) ? fromProduct(context) : value;
  };
}

/** Both records merged, the variant's entries winning (`attributes`, `overrides` read whole). */
function mergedRecord(name: "attributes" | "overrides"): Getter {
  return (context) => ({ ...context.product[name], ...context.variant[name] });
}

function hasNoRepeats(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i += 1) {
    for (let j = 0; j < i; j += 1) if (list[i] === list[j]) return false;
  }
  return true;
}

/** Variant images then product images, without repeats; computed once per evaluation. */
export function mergedImages(context: EvalContext): readonly string[] {
  if (context.images) return context.images;
  const own = context.variant.images;
  const inherited = context.product.images;
  let images: readonly string[];
  if (inherited.length === 0 && hasNoRepeats(own)) images = own;
  else if (own.length === 0 && hasNoRepeats(inherited)) images = inherited;
  else images = [...new Set([...own, ...inherited])];
  context.images = images;
  return images;
}

const optionKeys = new Map<string, string>();

/** Option names compare ignoring case, spaces, `-` and `_`: `options.shoe_size` finds "Shoe Size". */
function optionKey(name: string): string {
  let key = optionKeys.get(name);
  if (key === undefined) {
    key = name.toLowerCase().replace(/[\s_-]+/g, "");
    // A catalog has a handful of option names; the bound only guards against odd data.
    if (optionKeys.size > 1000) optionKeys.clear();
    optionKeys.set(name, key);
  }
  return key;
}

function optionValue(name: string): Getter {
  const wanted = optionKey(name);
  return (context) => {
    for (const option of context.variant.options) {
      if (option.name === name || optionKey(option.name) === wanted) return option.value;
    }
    return undefined;
  };
}

function computed(name: string, rest: readonly string[]): Getter | undefined {
  if (name === "options" && rest.length > 0) {
    if (rest.length > 1) throw new SpecError(`options.${rest.join(".")}: an option's value has no fields`);
    return optionValue(rest[0] ?? "");
  }
  const getter = computedName(name);
  if (getter && rest.length > 0) throw new SpecError(`"${name}" has no field "${rest.join(".")}"`);
  return getter;
}

/** `categoryPath` joined with ` > `, remembered for the product's other variants. */
function categoryText(): Getter {
  let lastPath: readonly string[] | undefined;
  let lastText = "";
  return (context) => {
    const path = context.product.categoryPath;
    if (path !== lastPath) {
      lastText = path.join(" > ");
      lastPath = path;
    }
    return lastText;
  };
}

function computedName(name: string): Getter | undefined {
  switch (name) {
    case "images":
      return mergedImages;
    case "image":
      return (context) => mergedImages(context)[0];
    case "additional_images":
      return (context) => mergedImages(context).slice(1);
    case "category":
      return categoryText();
    case "option_values":
      return (context) => context.variant.options.map((option) => option.value);
    case "variant_count":
      return (context) => context.product.variants.length;
    case "sku":
      return (context) => context.variant.sku;
    default:
      return undefined;
  }
}

function bareName(name: string, rest: readonly string[], text: string): Getter {
  const special = computed(name, rest);
  if (special) return special;
  const inProduct = name in PRODUCT_FIELDS;
  const inVariant = name in VARIANT_FIELDS;
  if (inProduct && inVariant) {
    if (rest.length === 0 && (name === "attributes" || name === "overrides")) return mergedRecord(name);
    const steps = nestedSteps(VARIANT_FIELDS[name] as z.ZodType, rest, name, true);
    return inheritedField(name, steps);
  }
  if (inVariant) return variantField(name, nestedSteps(VARIANT_FIELDS[name] as z.ZodType, rest, name, true));
  if (inProduct) return productField(name, nestedSteps(PRODUCT_FIELDS[name] as z.ZodType, rest, name, true));
  throw new SpecError(
    `unknown path "${text}": "${name}" is neither a root (${PATH_ROOTS.join(", ")}) nor a catalog field${didYouMean(name, BARE_NAMES)}`,
  );
}

function settingsValue(keys: readonly string[], env: PathEnv, text: string): Getter {
  const shape = env.settingsSchema ? defOf(unwrap(env.settingsSchema)).shape : undefined;
  const first = keys[0] ?? "";
  if (shape && !(first in shape)) {
    throw new SpecError(`unknown setting "${first}" in "${text}"${didYouMean(first, Object.keys(shape))}`);
  }
  let value: unknown = env.settings;
  for (const key of keys) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  const constant = value;
  return () => constant;
}

/**
 * Compiles a dot-separated path into a getter. Throws {@link SpecError} for an unknown root, an
 * unknown catalog field, an unknown nested key, an unknown output field or setting.
 */
export function compilePath(text: string, env: PathEnv): Getter {
  const trimmed = text.trim();
  if (trimmed === "") throw new SpecError("a path is empty");
  const [root = "", ...rest] = trimmed.split(".");
  switch (root) {
    case "product":
    case "variant": {
      const [name, ...nested] = rest;
      const fields = root === "product" ? PRODUCT_FIELDS : VARIANT_FIELDS;
      if (name === undefined || name === "")
        throw new SpecError(`"${trimmed}" needs a field name: ${root}.<field>`);
      const schema = fields[name];
      if (!schema) {
        throw new SpecError(
          `unknown ${root} field "${name}" in "${trimmed}"${didYouMean(name, Object.keys(fields))}`,
        );
      }
      const steps = nestedSteps(schema, nested, `${root}.${name}`, true);
      return root === "product" ? productField(name, steps) : variantField(name, steps);
    }
    case "stock": {
      if (rest.length === 0)
        throw new SpecError(`"stock" needs a field: stock.quantity, stock.availability or stock.locations`);
      const steps = nestedSteps(STOCK_SCHEMA, rest, "stock", true);
      const read = walk(steps) ?? ((value: unknown) => value);
      return (context) => read(context.stock);
    }
    case "output": {
      const [name, ...nested] = rest;
      if (name === undefined || name === "")
        throw new SpecError(`"output" needs a field name: output.<field>`);
      if (!env.outputFields.has(name)) {
        throw new SpecError(
          `unknown output field "${name}" in "${trimmed}"${didYouMean(name, env.outputFields)}`,
        );
      }
      const read = walk(nested.map(keyStep));
      if (!read) return (context) => context.output[name];
      return (context) => read(context.output[name]);
    }
    case "settings":
      if (rest.length === 0) throw new SpecError(`"settings" needs a key: settings.<key>`);
      return settingsValue(rest, env, trimmed);
    default:
      return bareName(root, rest, trimmed);
  }
}
