import path from "node:path";
import type { Product, Variant } from "../core/catalog.js";
import type { ItemIssue } from "../core/issues.js";
import { allocate } from "./allocation.js";
import { compileCondition } from "./conditions.js";
import type { CompiledCondition } from "./conditions.js";
import type { EvalContext } from "./context.js";
import { didYouMean } from "../core/did-you-mean.js";
import { showValue } from "./field-values.js";
import { compileSpec } from "./field-specs.js";
import type { CompiledSpec } from "./field-specs.js";
import { compileLookup, inlineRows, readLookupCsv } from "./lookups.js";
import type { CompiledLookup } from "./lookups.js";
import type { Located, MergedMapping } from "./merge.js";
import { problemAt, ProblemList, schemaProblems, siteAt, within } from "./problems.js";
import type { Site } from "./problems.js";
import type { Allocation, FieldSpec, Lookup } from "./schema.js";
import type { TemplateEnv } from "./template.js";
import type {
  AllocatedStock,
  ChannelDescriptor,
  CompiledMapping,
  FieldValue,
  MappingResult,
  TraceStep,
} from "./types.js";

/**
 * Compiles a merged mapping into `evaluate(product, variant)`: every path, template, transform,
 * condition and lookup is checked and turned into a closure here, once, so evaluation does no
 * parsing and no schema validation. Problems are collected per field, rule, filter and lookup and
 * thrown together.
 */

interface CompiledField {
  name: string;
  spec: CompiledSpec;
}

interface CompiledRule {
  id: string;
  when: CompiledCondition;
  then: CompiledField[];
  otherwise: CompiledField[];
}

interface CompiledFilter {
  id: string;
  reason: string;
  include: CompiledCondition | undefined;
  exclude: CompiledCondition | undefined;
}

function compileLookupTable(name: string, located: Located<Lookup>): CompiledLookup {
  const { value: lookup, site } = located;
  if ((lookup.values === undefined) === (lookup.file === undefined)) {
    throw problemAt(
      site,
      `lookup "${name}" needs either "values" (an inline table) or "file" (a CSV), not ${lookup.values ? "both" : "neither"}`,
    );
  }
  const options = { match: lookup.match, default: lookup.default };
  if (lookup.values) {
    const values = lookup.values;
    return within(siteAt(site, "values"), () => compileLookup(name, inlineRows(values), options));
  }
  // The CSV sits beside the mapping file that names it.
  const file = path.join(path.dirname(site.source.file), lookup.file ?? "");
  return within(siteAt(site, "file"), () =>
    compileLookup(name, readLookupCsv(file, lookup.key_column, lookup.value_column), options),
  );
}

function describeAllocation(variant: Variant, stock: AllocatedStock, policy: Allocation | undefined): string {
  const base = variant.quantity ?? (variant.inventory.length > 0 ? "the sum of its locations" : undefined);
  const rules: string[] = [];
  if (policy?.buffer) rules.push(`buffer ${policy.buffer}`);
  if (policy?.percentage !== undefined) rules.push(`${policy.percentage}%`);
  if (policy?.cap !== undefined) rules.push(`cap ${policy.cap}`);
  if (policy?.out_of_stock_threshold) rules.push(`out of stock at ${policy.out_of_stock_threshold} or less`);
  if (policy?.locations) rules.push(`locations ${policy.locations.join(", ")}`);
  const offered =
    base === undefined ? "stock not tracked" : `quantity ${String(base)} → offered ${String(stock.quantity)}`;
  return `${offered}${rules.length ? ` (${rules.join(", ")})` : ""}, availability ${stock.availability}`;
}

function assignmentText(fields: readonly CompiledField[], output: Record<string, FieldValue>): string {
  return fields.map((field) => `${field.name} = ${showValue(output[field.name])}`).join(", ");
}

/**
 * Compiles a merged mapping for a channel; throws a `MappingLoadError` listing every problem.
 * `account` (already checked against the channel's account schema) goes over the mapping's settings.
 */
export function compileMapping<S>(
  channel: ChannelDescriptor<S>,
  merged: MergedMapping,
  account: Readonly<Record<string, unknown>> = {},
): CompiledMapping<S> {
  const problems = new ProblemList();
  const channelFields = new Set(channel.fieldNames);

  // Merchants' files from before adr/0009 still name the account here: say where it went.
  for (const key of channel.accountKeys ?? []) {
    if (!(key in merged.settings)) continue;
    const message =
      `settings.${key} is an account setting now, not a mapping setting: remove it here and add ` +
      `channels.${channel.id}.account.${key} to omnifeed.config.yaml or pass --set ${channel.id}.${key}=…`;
    problems.add(problemAt(merged.settingSite([key]), message, { key: true }).problem);
  }
  problems.throwIfAny();

  const parsedSettings = channel.settingsSchema.safeParse({ ...merged.settings, ...account });
  if (!parsedSettings.success) {
    for (const issue of parsedSettings.error.issues) {
      const { source } = merged.settingSite(issue.path as (string | number)[]);
      for (const problem of schemaProblems([issue], { source, path: ["settings"] })) {
        problems.add(problem);
      }
    }
  }
  const settings = parsedSettings.success ? parsedSettings.data : (merged.settings as S);

  const lookups = new Map<string, CompiledLookup>();
  for (const [name, located] of merged.lookups) {
    const table = problems.attempt(() => compileLookupTable(name, located));
    if (table) lookups.set(name, table);
  }
  // Tables that failed to load still exist for the checks below, so they give no second error.
  for (const name of merged.lookups.keys()) {
    if (!lookups.has(name)) lookups.set(name, compileLookup(name, [], { match: "exact" }));
  }

  const env: TemplateEnv = {
    outputFields: channelFields,
    settings,
    settingsSchema: channel.settingsSchema,
    lookups,
  };

  const checkField = (name: string, site: Site): void => {
    if (!channelFields.has(name)) {
      throw problemAt(
        site,
        `unknown output field "${name}" for ${channel.id}${didYouMean(name, channel.fieldNames)}`,
        {
          key: true,
        },
      );
    }
  };

  const fields: CompiledField[] = [];
  for (const [name, located] of merged.fields) {
    const field = problems.attempt(() => {
      checkField(name, located.site);
      return { name, spec: compileSpec(located.value, located.site, env) };
    });
    if (field) fields.push(field);
  }

  const assignments = (specs: Record<string, FieldSpec> | undefined, site: Site): CompiledField[] =>
    Object.entries(specs ?? {}).flatMap(([name, spec]) => {
      const field = problems.attempt(() => {
        checkField(name, siteAt(site, name));
        return { name, spec: compileSpec(spec, siteAt(site, name), env) };
      });
      return field ? [field] : [];
    });

  const rules: CompiledRule[] = [];
  for (const { value: rule, site } of merged.rules) {
    const when = problems.attempt(() => compileCondition(rule.when, siteAt(site, "when"), env));
    const then = assignments(rule.then, siteAt(site, "then"));
    const otherwise = assignments(rule.else, siteAt(site, "else"));
    if (when) rules.push({ id: rule.id, when, then, otherwise });
  }

  const filters: CompiledFilter[] = [];
  for (const { value: filter, site } of merged.filters) {
    const compiled = problems.attempt((): CompiledFilter => {
      if (!filter.include && !filter.exclude)
        throw problemAt(site, `filter "${filter.id}" needs "include" or "exclude"`);
      return {
        id: filter.id,
        reason: filter.reason,
        include: filter.include ? compileCondition(filter.include, siteAt(site, "include"), env) : undefined,
        exclude: filter.exclude ? compileCondition(filter.exclude, siteAt(site, "exclude"), env) : undefined,
      };
    });
    if (compiled) filters.push(compiled);
  }

  problems.throwIfAny();

  const fieldNames = [...merged.fields.keys()];
  for (const rule of rules) {
    for (const field of [...rule.then, ...rule.otherwise]) {
      if (!fieldNames.includes(field.name)) fieldNames.push(field.name);
    }
  }
  // Copying an object of a fixed shape and filling its keys costs far less than adding a few
  // dozen keys to an empty object for every item.
  const blankOutput: Record<string, FieldValue> = Object.fromEntries(
    fieldNames.map((name) => [name, undefined]),
  );
  const policy = merged.allocation;
  const channelId = channel.id;

  function applyOverrides(
    overrides: Record<string, string> | undefined,
    from: "product" | "variant",
    output: Record<string, FieldValue>,
    issues: ItemIssue[],
    trace: TraceStep[] | undefined,
  ): void {
    if (!overrides) return;
    for (const [name, value] of Object.entries(overrides)) {
      if (!channelFields.has(name)) {
        issues.push({
          severity: "warning",
          code: "unknown_override_field",
          field: name,
          message: `the ${from} override of "${name}" for ${channelId} is ignored: ${channelId} has no such field${didYouMean(name, channelFields)}`,
        });
        continue;
      }
      output[name] = value;
      trace?.push({ kind: "override", id: name, detail: `${from} override: ${name} = ${showValue(value)}` });
    }
  }

  function evaluate(product: Product, variant: Variant, options?: { trace?: boolean }): MappingResult {
    const stock = allocate(variant, policy);
    const output: Record<string, FieldValue> = { ...blankOutput };
    const issues: ItemIssue[] = [];
    const trace: TraceStep[] | undefined = options?.trace ? [] : undefined;
    const context: EvalContext = { product, variant, stock, output, field: "", issues, images: undefined };
    trace?.push({ kind: "allocation", id: "stock", detail: describeAllocation(variant, stock, policy) });

    for (const field of fields) {
      context.field = field.name;
      const value = field.spec.read(context) as FieldValue;
      output[field.name] = value;
      trace?.push({ kind: "field", id: field.name, detail: `${field.spec.text} → ${showValue(value)}` });
    }

    const firedRules: string[] = [];
    for (const rule of rules) {
      const holds = rule.when.test(context);
      if (holds) firedRules.push(rule.id);
      const set = holds ? rule.then : rule.otherwise;
      for (const field of set) {
        context.field = field.name;
        output[field.name] = field.spec.read(context) as FieldValue;
      }
      if (trace) {
        const effect = set.length > 0 ? ` → ${assignmentText(set, output)}` : "";
        const verdict = holds ? "fired" : "did not fire";
        trace.push({
          kind: "rule",
          id: rule.id,
          detail: `rule ${rule.id} ${verdict}: ${rule.when.text}${effect}`,
        });
      }
    }

    applyOverrides(product.overrides[channelId], "product", output, issues, trace);
    applyOverrides(variant.overrides[channelId], "variant", output, issues, trace);

    let excludedBy: MappingResult["excludedBy"];
    for (const filter of filters) {
      const excluded = filter.exclude ? filter.exclude.test(context) : false;
      const notIncluded = !excluded && filter.include ? !filter.include.test(context) : false;
      if (excluded || notIncluded) {
        excludedBy = { filter: filter.id, reason: filter.reason };
        const why = excluded
          ? `exclude ${filter.exclude?.text ?? ""} holds`
          : `include ${filter.include?.text ?? ""} does not hold`;
        trace?.push({
          kind: "filter",
          id: filter.id,
          detail: `filter ${filter.id} dropped the item (${filter.reason}): ${why}`,
        });
        break;
      }
      trace?.push({ kind: "filter", id: filter.id, detail: `filter ${filter.id} kept the item` });
    }

    const result: MappingResult = { fields: output, stock, firedRules, issues };
    if (excludedBy) result.excludedBy = excludedBy;
    if (trace) result.trace = trace;
    return result;
  }

  return {
    channel: channel.id,
    files: merged.files,
    settings,
    feeds: merged.feeds,
    fieldNames,
    evaluate,
  };
}
