import type { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import { didYouMean } from "../core/did-you-mean.js";
import { whereOf } from "./yaml-source.js";
import type { MappingSource, PathKey } from "./yaml-source.js";

/** One thing wrong in a mapping file, at `file:line:col`. */
export interface Problem {
  where: string;
  message: string;
}

/**
 * A problem found by a compiler that does not know where its input came from (a path, a
 * template, a transform's arguments). `offset` is a position inside the text it was given.
 * The caller, which knows the YAML node, turns it into a located {@link ConfigProblem}.
 */
export class SpecError extends Error {
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super(message);
    this.name = "SpecError";
    this.offset = offset;
  }
}

/** A problem with its place in the file. Thrown while compiling one unit, collected by the loader. */
export class ConfigProblem extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.where}: ${problem.message}`);
    this.name = "ConfigProblem";
    this.problem = problem;
  }
}

/** A place in a mapping file: the file and the path of a node inside it. */
export interface Site {
  source: MappingSource;
  path: readonly PathKey[];
}

export function siteAt(site: Site, ...keys: PathKey[]): Site {
  return { source: site.source, path: [...site.path, ...keys] };
}

export function problemAt(
  site: Site,
  message: string,
  options: { key?: boolean; offset?: number } = {},
): ConfigProblem {
  const { where, note } = whereOf(site.source, site.path, options);
  return new ConfigProblem({ where, message: note ? `${message} (${note})` : message });
}

/** Runs a compiler on the value at `site`, turning its {@link SpecError} into a located problem. */
export function within<T>(site: Site, compile: () => T, options: { key?: boolean } = {}): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof SpecError) {
      throw problemAt(site, error.message, {
        ...options,
        ...(error.offset === undefined ? {} : { offset: error.offset }),
      });
    }
    throw error;
  }
}

/** Gathers problems from independent units (fields, rules, filters) so they are reported together. */
export class ProblemList {
  readonly problems: Problem[] = [];

  add(problem: Problem): void {
    this.problems.push(problem);
  }

  /** Runs `compile`; a {@link ConfigProblem} it throws is recorded and `undefined` returned. */
  attempt<T>(compile: () => T): T | undefined {
    try {
      return compile();
    } catch (error) {
      if (error instanceof ConfigProblem) {
        this.problems.push(error.problem);
        return undefined;
      }
      throw error;
    }
  }

  /** Throws every problem gathered, in file order then line order. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const files: string[] = [];
    const place = (problem: Problem): [number, number, number] => {
      const match = /^(.*):(\d+):(\d+)$/.exec(problem.where);
      const file = match?.[1] ?? problem.where;
      if (!files.includes(file)) files.push(file);
      return [files.indexOf(file), Number(match?.[2] ?? 0), Number(match?.[3] ?? 0)];
    };
    const placed = this.problems.map((problem) => ({ problem, at: place(problem) }));
    placed.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.at[2] - b.at[2]);
    throw new MappingLoadError(placed.map((entry) => entry.problem));
  }
}

/**
 * A mapping that does not load. `where` is the first problem's place; the message lists every
 * problem, one `file:line:col: message` a line, so `omnifeed mapping check` can print it as is.
 */
export class MappingLoadError extends OmnifeedError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const [first, ...rest] = problems;
    const message = [
      first?.message ?? "the mapping does not load",
      ...rest.map((p) => `${p.where}: ${p.message}`),
    ].join("\n");
    super("config", message, first ? { where: first.where } : {});
    this.problems = problems;
  }
}

type Issue = z.core.$ZodIssue;

function describePath(path: readonly PathKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? key : `.${key}`;
  }
  return text;
}

/** How badly a union branch missed: a wrong type at its root rules it out. */
function branchScore(issues: readonly Issue[]): number {
  let total = 0;
  for (const issue of issues) {
    if (issue.code === "invalid_type" && issue.path.length === 0) return Number.POSITIVE_INFINITY;
    if (issue.code === "unrecognized_keys") total += issue.keys.length;
    else if (issue.code === "invalid_union") total += Math.min(...issue.errors.map(branchScore));
    else total += 1;
  }
  return total;
}

function plainMessage(message: string): string {
  const trimmed = message.replace(/^Invalid (?:input|option): /, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/** Known keys at a path, to suggest a spelling for an unknown key. */
export type KnownKeys = (path: readonly PathKey[]) => readonly string[] | undefined;

function flattenIssue(
  issue: Issue,
  prefix: readonly PathKey[],
  site: Site,
  knownKeys: KnownKeys,
  out: ConfigProblem[],
): void {
  const path = [...prefix, ...(issue.path as PathKey[])];
  const full = [...site.path, ...path];
  const label = full.length > 0 ? `${describePath(full)}: ` : "";
  const at = siteAt(site, ...path);
  switch (issue.code) {
    case "invalid_union": {
      const scores = issue.errors.map(branchScore);
      const best = Math.min(...scores);
      if (best === Number.POSITIVE_INFINITY || issue.errors.length === 0) {
        const expected = new Set(
          issue.errors.flat().map((inner) => (inner.code === "invalid_type" ? inner.expected : "")),
        );
        expected.delete("");
        const list = [...expected].join(" or ");
        out.push(problemAt(at, `${label}${list ? `expected ${list}` : plainMessage(issue.message)}`));
        return;
      }
      for (const inner of issue.errors[scores.indexOf(best)] ?? [])
        flattenIssue(inner, path, site, knownKeys, out);
      return;
    }
    case "unrecognized_keys":
      for (const key of issue.keys) {
        const hint = didYouMean(key, knownKeys(path) ?? []);
        out.push(problemAt(siteAt(at, key), `${label}unknown key "${key}"${hint}`, { key: true }));
      }
      return;
    case "invalid_type":
      if (/received undefined$/.test(issue.message) && path.length > 0) {
        const parent = path.slice(0, -1);
        const where =
          site.path.length + parent.length > 0 ? `${describePath([...site.path, ...parent])}: ` : "";
        out.push(problemAt(siteAt(site, ...parent), `${where}missing "${String(path[path.length - 1])}"`));
        return;
      }
      out.push(problemAt(at, `${label}${plainMessage(issue.message)}`));
      return;
    default:
      out.push(problemAt(at, `${label}${plainMessage(issue.message)}`));
  }
}

/** zod issues of the value at `site` as located problems, union branches narrowed to the likely one. */
export function schemaProblems(
  issues: readonly Issue[],
  site: Site,
  knownKeys: KnownKeys = () => undefined,
): Problem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) flattenIssue(issue, [], site, knownKeys, out);
  return out.map((problem) => problem.problem);
}
