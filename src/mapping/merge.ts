import type { ChannelId } from "../core/ids.js";
import { problemAt, siteAt } from "./problems.js";
import type { Problem, Site } from "./problems.js";
import type { Allocation, DisabledEntry, FieldSpec, Filter, Lookup, MappingFile, Rule } from "./schema.js";
import type { MappingSource, PathKey } from "./yaml-source.js";

/**
 * Merging a mapping file over the file it `extends`: settings key by key (nested objects one level
 * deeper), lookups by name, fields in place (`null` removes, new keys are appended), rules and
 * filters by id in place (`enabled: false` removes, new ones are appended), allocation key by key,
 * feeds replaced. Every merged entry keeps its place in the file it came from, for messages.
 */

/** One file of the chain, validated against the schema. */
export interface Layer {
  source: MappingSource;
  file: MappingFile;
}

export interface Located<T> {
  value: T;
  site: Site;
}

export interface MergedMapping {
  channel: ChannelId;
  /** The files of the chain, the one extended first. */
  files: string[];
  settings: Record<string, unknown>;
  /** Where a setting was last given, for the channel's settings errors. */
  settingSite(path: readonly PathKey[]): Site;
  feeds: string[] | undefined;
  lookups: Map<string, Located<Lookup>>;
  fields: Map<string, Located<FieldSpec>>;
  rules: Located<Rule>[];
  filters: Located<Filter>[];
  allocation: Allocation | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mergeSettings(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const inherited = merged[key];
    merged[key] = isPlainObject(inherited) && isPlainObject(value) ? { ...inherited, ...value } : value;
  }
  return merged;
}

function isDisabled<T extends { id: string; enabled?: boolean }>(entry: T | DisabledEntry): boolean {
  return entry.enabled === false;
}

/** Rules or filters merged by id: same id replaces in place, `enabled: false` removes. */
function mergeById<T extends { id: string; enabled?: boolean }>(
  merged: Located<T>[],
  entries: readonly (T | DisabledEntry)[] | undefined,
  site: Site,
  problems: Problem[],
): Located<T>[] {
  if (!entries) return merged;
  const result = [...merged];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const at = siteAt(site, index);
    if (seen.has(entry.id)) {
      problems.push(problemAt(siteAt(at, "id"), `the id "${entry.id}" is used twice in this file`).problem);
      return;
    }
    seen.add(entry.id);
    const position = result.findIndex((existing) => existing.value.id === entry.id);
    if (isDisabled(entry)) {
      if (position !== -1) result.splice(position, 1);
      return;
    }
    const located = { value: entry as T, site: at };
    if (position === -1) result.push(located);
    else result[position] = located;
  });
  return result;
}

/**
 * Merges the chain of files, the one extended first. Problems (a file of another channel, an id
 * used twice) are returned, not thrown, so they are reported with the others.
 */
export function mergeLayers(
  channel: ChannelId,
  layers: readonly Layer[],
): { merged: MergedMapping; problems: Problem[] } {
  const problems: Problem[] = [];
  let settings: Record<string, unknown> = {};
  let feeds: string[] | undefined;
  let allocation: Allocation | undefined;
  const lookups = new Map<string, Located<Lookup>>();
  const fields = new Map<string, Located<FieldSpec>>();
  let rules: Located<Rule>[] = [];
  let filters: Located<Filter>[] = [];

  for (const { source, file } of layers) {
    const root: Site = { source, path: [] };
    if (file.channel !== channel) {
      problems.push(
        problemAt(siteAt(root, "channel"), `this file maps channel "${file.channel}", not "${channel}"`)
          .problem,
      );
      continue;
    }
    if (file.settings) settings = mergeSettings(settings, file.settings);
    if (file.feeds) feeds = file.feeds;
    if (file.allocation) allocation = { ...allocation, ...file.allocation };
    for (const [name, lookup] of Object.entries(file.lookups ?? {})) {
      lookups.set(name, { value: lookup, site: siteAt(root, "lookups", name) });
    }
    for (const [name, spec] of Object.entries(file.fields ?? {})) {
      if (spec === null) fields.delete(name);
      else fields.set(name, { value: spec, site: siteAt(root, "fields", name) });
    }
    rules = mergeById(rules, file.rules, siteAt(root, "rules"), problems);
    filters = mergeById(filters, file.filters, siteAt(root, "filters"), problems);
  }

  const top = layers[layers.length - 1];
  const settingSite = (path: readonly PathKey[]): Site => {
    for (let index = layers.length - 1; index >= 0; index -= 1) {
      const layer = layers[index];
      if (layer && path.length > 0 && layer.source.doc.hasIn(["settings", path[0]])) {
        return { source: layer.source, path: ["settings", ...path] };
      }
    }
    if (!top) throw new Error("no mapping file to merge");
    return { source: top.source, path: top.source.doc.has("settings") ? ["settings"] : [] };
  };

  return {
    merged: {
      channel,
      files: layers.map((layer) => layer.source.file),
      settings,
      settingSite,
      feeds,
      lookups,
      fields,
      rules,
      filters,
      allocation,
    },
    problems,
  };
}
