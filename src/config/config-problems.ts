import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { OmnifeedError } from "../core/errors.js";

/** How bad a problem is: an error stops `omnifeed config check` (exit 2); a warning is told only. */
export type ConfigSeverity = "error" | "warning";

/** A key of a config path: an object key or a list index. */
export type ConfigPathKey = string | number;

/** One thing wrong in omnifeed.config.yaml, at its dotted path and its `file:line:col`. */
export interface ConfigProblem {
  severity: ConfigSeverity;
  /** Dotted path of the setting, e.g. `schedules.nightly.channels[1]`; `""` for the whole file. */
  path: string;
  message: string;
  /** `file:line:col` of the YAML node (or of the nearest node above it when it is missing). */
  where: string;
}

/** `schedules.nightly.channels[1]` */
export function dottedPath(path: readonly ConfigPathKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? key : `.${key}`;
  }
  return text;
}

/** `file:line:col: path: message`, the way the CLI prints a problem and load errors list them. */
export function problemLine(problem: ConfigProblem): string {
  return `${problem.where}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
}

/** Problems in file order (line, then column); problems without a position come first. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const place = (problem: ConfigProblem): [number, number] => {
    const match = /:(\d+):(\d+)$/.exec(problem.where);
    return [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  };
  const seen = new Set<string>();
  return problems
    .filter((problem) => {
      const key = `${problem.severity}\n${problemLine(problem)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((problem, index) => ({ problem, index, at: place(problem) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.index - b.index)
    .map((entry) => entry.problem);
}

/**
 * A config file that does not load. `where` is the first problem's place and the message lists
 * every problem, one `file:line:col: path: message` a line; with one problem it reads as before
 * (`file:line:col: path: message`), so scripts matching that shape keep working.
 */
export class ConfigFileError extends OmnifeedError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const [first, ...rest] = problems;
    const head = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid config";
    super("config", [head, ...rest.map(problemLine)].join("\n"), first ? { where: first.where } : {});
    this.problems = problems;
  }
}

/** A parsed config file that can tell where any of its settings is written. */
export interface ConfigYaml {
  file: string;
  document: Document;
  /**
   * `file:line:col` of the node at `path`; with `key`, of the last key itself (an unknown key).
   * A path that is not in the file (a missing setting) gives the nearest node above it.
   */
  where(path: readonly ConfigPathKey[], options?: { key?: boolean }): string;
}

/** Parses YAML text, keeping positions; YAML syntax errors come back as problems, every one. */
export function parseConfigYaml(text: string, file: string): { yaml: ConfigYaml; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const where = (path: readonly ConfigPathKey[], options: { key?: boolean } = {}): string => {
    if (options.key && path.length > 0) {
      const parent = document.getIn(path.slice(0, -1), true);
      const key = path[path.length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return at(range[0]);
      }
    }
    for (let depth = path.length; depth > 0; depth -= 1) {
      const node = document.getIn(path.slice(0, depth), true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return at(node.range[0]);
    }
    const root = document.contents as { range?: [number, number, number] } | null;
    return root?.range ? at(root.range[0]) : file;
  };
  const problems = document.errors.map((error) => ({
    severity: "error" as const,
    path: "",
    message: error.message.split("\n")[0] ?? "invalid YAML",
    where: at(error.pos[0]),
  }));
  return { yaml: { file, document, where }, problems };
}
