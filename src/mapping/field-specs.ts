import { compilePath } from "./context.js";
import type { Getter } from "./context.js";
import { didYouMean } from "../core/did-you-mean.js";
import { isEmpty, showValue } from "./field-values.js";
import { problemAt, siteAt, within } from "./problems.js";
import type { Site } from "./problems.js";
import type { FieldSource, FieldSpec } from "./schema.js";
import { compileTemplate } from "./template.js";
import type { TemplateEnv } from "./template.js";
import { chainTransforms, compileTransformStep } from "./transforms.js";

/**
 * Field specs — a template string, or one source (`path`, `value`, `template`, `lookup` + `from`,
 * `first`) with `transforms` and a `default` — compiled into getters. Used for `fields` and for
 * the `then`/`else` of rules.
 */

export interface CompiledSpec {
  read: Getter;
  /** Where the value comes from, for traces: `path variant.gtin | trim`. */
  text: string;
}

const SOURCES = ["path", "value", "template", "lookup", "first"] as const;

function constant(value: unknown): Getter {
  return () => value;
}

function compileSource(
  source: FieldSource | string,
  site: Site,
  env: TemplateEnv,
  inFirst: boolean,
): CompiledSpec {
  if (typeof source === "string") {
    // In `first`, a string is a path unless it holds `{{`; elsewhere a string is a template.
    if (inFirst && !source.includes("{{")) {
      return { read: within(site, () => compilePath(source, env)), text: source };
    }
    return {
      read: within(site, () => compileTemplate(source, env)),
      text: `template ${showValue(source)}`,
    };
  }
  const given = SOURCES.filter(
    (key) => key in source && (source as Record<string, unknown>)[key] !== undefined,
  );
  if (source.from !== undefined && source.lookup === undefined) {
    throw problemAt(
      siteAt(site, "from"),
      `"from" goes with "lookup": it names the path whose value is translated`,
    );
  }
  if (given.length === 0) {
    throw problemAt(site, `needs a source: one of ${(inFirst ? SOURCES.slice(0, 4) : SOURCES).join(", ")}`);
  }
  if (given.length > 1) {
    throw problemAt(
      siteAt(site, given[1] ?? ""),
      `gives ${given.join(" and ")}: a field takes exactly one source`,
      { key: true },
    );
  }
  if (source.path !== undefined) {
    const text = source.path;
    return { read: within(siteAt(site, "path"), () => compilePath(text, env)), text: `path ${text}` };
  }
  if (source.value !== undefined)
    return { read: constant(source.value), text: `value ${showValue(source.value)}` };
  if (source.template !== undefined) {
    const template = source.template;
    return {
      read: within(siteAt(site, "template"), () => compileTemplate(template, env)),
      text: `template ${showValue(template)}`,
    };
  }
  const tableName = source.lookup ?? "";
  const table = env.lookups.get(tableName);
  if (!table) {
    throw problemAt(
      siteAt(site, "lookup"),
      `unknown lookup "${tableName}"${didYouMean(tableName, env.lookups.keys())}`,
    );
  }
  if (source.from === undefined)
    throw problemAt(site, `"lookup" needs "from": the path whose value is translated`);
  const fromText = source.from;
  const from = within(siteAt(site, "from"), () => compilePath(fromText, env));
  return {
    read: (context) => table.translate(from(context), context),
    text: `lookup ${tableName} from ${fromText}`,
  };
}

/** Compiles the field spec at `site`; problems are thrown located in the file. */
export function compileSpec(spec: FieldSpec, site: Site, env: TemplateEnv): CompiledSpec {
  if (typeof spec === "string") return compileSource(spec, site, env, false);
  let source: CompiledSpec;
  if (spec.first !== undefined) {
    if (SOURCES.some((key) => key !== "first" && spec[key] !== undefined)) {
      throw problemAt(
        siteAt(site, "first"),
        `gives "first" and another source: a field takes exactly one source`,
      );
    }
    const options = spec.first.map((option, index) =>
      compileSource(option, siteAt(site, "first", index), env, true),
    );
    const reads = options.map((option) => option.read);
    source = {
      text: `first of [${options.map((option) => option.text).join(", ")}]`,
      read: (context) => {
        let value: unknown;
        for (const read of reads) {
          value = read(context);
          if (!isEmpty(value)) return value;
        }
        return value;
      },
    };
  } else {
    source = compileSource(spec, site, env, false);
  }
  const steps = (spec.transforms ?? []).map((step, index) =>
    within(siteAt(site, "transforms", index), () => compileTransformStep(step, env)),
  );
  const chain = chainTransforms(steps);
  const fallback = spec.default;
  const names = (spec.transforms ?? []).map((step) =>
    typeof step === "string" ? step : Object.keys(step)[0],
  );
  const text = `${source.text}${names.length ? ` | ${names.join(" | ")}` : ""}${
    fallback === undefined ? "" : `, default ${showValue(fallback)}`
  }`;
  const read = source.read;
  if (!chain && fallback === undefined) return { read, text };
  if (!chain)
    return {
      text,
      read: (context) => {
        const value = read(context);
        return isEmpty(value) ? fallback : value;
      },
    };
  return {
    text,
    read: (context) => {
      const value = chain(read(context), context);
      return fallback !== undefined && isEmpty(value) ? fallback : value;
    },
  };
}
