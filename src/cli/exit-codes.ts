import type { ErrorKind } from "../core/errors.js";

/** Exit codes scripts can rely on; documented in `omnifeed --help` and the README. */
export const EXIT = {
  ok: 0,
  /** Something unexpected failed (a bug). */
  failure: 1,
  /** Bad command line, config or mapping file, a catalog that does not exist, a full or unwritable disk. */
  usage: 2,
  /** `--strict` export or `validate` found rows or items with errors. */
  inputProblems: 3,
  /** A feed was held by the shrink guard; the published file was kept. */
  held: 4,
  /** `publish`: some changes failed (retries used up); the next run sends them again. */
  incomplete: 5,
  /** `reconcile` without `--fix` found items out of step. */
  differences: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code of a run stopped by an OmnifeedError: what the caller must fix before running
 * again (a flag, a file, a mapping, a disk that is full or not writable) is 2; the rest is 1.
 */
export function exitCodeForKind(kind: ErrorKind): ExitCode {
  return kind === "config" || kind === "not_found" ? EXIT.usage : EXIT.failure;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  done (bad rows and rejected items are reported, not fatal)
  1  unexpected failure
  2  bad command line, config or mapping file, a catalog that cannot be read, a bad manifest,
     or an --out that is a file, or an output folder that cannot be written (full, read-only, no permission)
  3  --strict export or validate found rows or items with errors; explain did not find the SKU
     or its row was rejected
  4  a feed, or publish's deletes, held by the shrink guard (the published file / items were kept)
  5  publish or reconcile --fix: some changes failed (retries used up); the next run sends them again
  6  reconcile found items out of step (without --fix)
  130/143  stopped by SIGINT/SIGTERM (this run's temp files removed, published files kept)`;
