import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ChannelIdSchema, type ChannelId } from "../core/ids.js";
import { compileMapping } from "./compile.js";
import { mergeLayers } from "./merge.js";
import type { Layer } from "./merge.js";
import { MappingLoadError, ProblemList, problemAt, schemaProblems, siteAt } from "./problems.js";
import type { Site } from "./problems.js";
import {
  AllocationSchema,
  FieldSpecObjectSchema,
  FilterSchema,
  LeafConditionSchema,
  LookupSchema,
  MappingFileSchema,
  RuleSchema,
} from "./schema.js";
import type { ChannelDescriptor, CompiledMapping } from "./types.js";
import { readMappingSource } from "./yaml-source.js";
import type { PathKey } from "./yaml-source.js";

/**
 * Loading a mapping: read the YAML with positions, validate it against `MappingFileSchema`,
 * follow `extends` (the channel's built-in file by default), merge, and compile. Every problem
 * becomes an `OmnifeedError` of kind `config` whose `where` is `file:line:col`; problems found
 * together are reported together (see `MappingLoadError`).
 */

const CONDITION_KEYS = [...Object.keys(LeafConditionSchema.shape), "all", "any", "not"];

/** Keys the schema knows at a path, to suggest a spelling for an unknown key. */
function knownKeys(at: readonly PathKey[]): readonly string[] | undefined {
  const [section, , third] = at;
  const last = at[at.length - 1];
  if (at.length === 0) return Object.keys(MappingFileSchema.shape);
  if (
    ["when", "include", "exclude", "not"].includes(String(last)) ||
    (typeof last === "number" && at.length > 3)
  ) {
    return CONDITION_KEYS;
  }
  if (section === "allocation" && at.length === 1) return Object.keys(AllocationSchema.shape);
  if (section === "lookups" && at.length === 2) return Object.keys(LookupSchema.shape);
  if (section === "rules" && at.length === 2) return Object.keys(RuleSchema.shape);
  if (section === "filters" && at.length === 2) return Object.keys(FilterSchema.shape);
  if (section === "fields" && at.length === 2) return Object.keys(FieldSpecObjectSchema.shape);
  if (section === "rules" && (third === "then" || third === "else") && at.length === 4) {
    return Object.keys(FieldSpecObjectSchema.shape);
  }
  return undefined;
}

function readText(file: string): string | Error {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    return error as Error;
  }
}

function sameFile(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

/**
 * Reads a file and the chain it extends, the file extended first. Problems are added to the list;
 * a file that does not parse or validate ends the chain there.
 */
function readChain<S>(
  channel: ChannelDescriptor<S>,
  text: string,
  file: string,
  problems: ProblemList,
): Layer[] {
  const layers: Layer[] = [];
  const chain: string[] = [];

  const visit = (fileText: string, fileName: string): void => {
    chain.push(fileName);
    const { source, syntaxErrors } = readMappingSource(fileText, fileName);
    if (syntaxErrors.length > 0) {
      for (const problem of syntaxErrors) problems.add(problem);
      return;
    }
    const root: Site = { source, path: [] };
    const parsed = MappingFileSchema.safeParse(source.doc.toJS());
    if (!parsed.success) {
      for (const problem of schemaProblems(parsed.error.issues, root, knownKeys)) problems.add(problem);
      return;
    }
    const declared = parsed.data.extends;
    const isBuiltIn = sameFile(fileName, channel.defaultMappingFile);
    const target = declared ?? (isBuiltIn ? "none" : "default");
    if (target !== "none") {
      const parent =
        target === "default" ? channel.defaultMappingFile : path.join(path.dirname(fileName), target);
      const at = declared === undefined ? root : siteAt(root, "extends");
      const seen = chain.findIndex((visited) => sameFile(visited, parent));
      if (seen !== -1) {
        const cycle = [...chain.slice(seen), parent].map((name) => path.basename(name)).join(" → ");
        problems.add(problemAt(at, `extends makes a cycle: ${cycle}`).problem);
        return;
      }
      const parentText = readText(parent);
      if (parentText instanceof Error) {
        const what = target === "default" ? `the built-in ${channel.id} mapping` : `the extended file`;
        problems.add(problemAt(at, `cannot read ${what} ${parent}: ${parentText.message}`).problem);
        return;
      }
      visit(parentText, parent);
    }
    layers.push({ source, file: parsed.data });
  };

  visit(text, file);
  return layers;
}

/**
 * Compiles a mapping given as text, as if read from `fileName` (relative `extends` and lookup
 * files resolve beside it). The seam for tests and for `omnifeed mapping check`.
 */
export function loadMappingFromText<S>(
  channel: ChannelDescriptor<S>,
  text: string,
  fileName: string,
  account?: Readonly<Record<string, unknown>>,
): CompiledMapping<S> {
  const problems = new ProblemList();
  const layers = readChain(channel, text, fileName, problems);
  problems.throwIfAny();
  const { merged, problems: mergeProblems } = mergeLayers(channel.id, layers);
  for (const problem of mergeProblems) problems.add(problem);
  problems.throwIfAny();
  return compileMapping(channel, merged, account);
}

/**
 * Loads the mapping of a channel: the merchant's `file` over the built-in default it extends, or
 * the built-in default alone when no file is given, with the channel's `account` settings over its
 * settings. Throws `OmnifeedError` (kind `config`, `where` = `file:line:col`) when it does not load.
 */
export function loadMapping<S>(
  channel: ChannelDescriptor<S>,
  file?: string,
  account?: Readonly<Record<string, unknown>>,
): CompiledMapping<S> {
  const target = file ?? channel.defaultMappingFile;
  const text = readText(target);
  if (text instanceof Error) {
    throw new MappingLoadError([{ where: target, message: `cannot read the mapping file: ${text.message}` }]);
  }
  return loadMappingFromText(channel, text, target, account);
}

/**
 * The channel a mapping file says it maps (`channel: google`), read before the file is compiled
 * for that channel; `omnifeed mapping check` needs it to pick the channel.
 */
export function mappingChannelOf(file: string): ChannelId {
  const text = readText(file);
  if (text instanceof Error) {
    throw new MappingLoadError([{ where: file, message: `cannot read the mapping file: ${text.message}` }]);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new MappingLoadError([{ where: file, message: (error as Error).message }]);
  }
  const channel = ChannelIdSchema.safeParse((document as { channel?: unknown } | null)?.channel);
  if (!channel.success) {
    throw new MappingLoadError([
      {
        where: file,
        message: `the file must say which channel it maps: channel: ${ChannelIdSchema.options.join(" | ")}`,
      },
    ]);
  }
  return channel.data;
}
