import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "../support/temp-dirs.js";

/** The repository root; the CLI runs from there, as a merchant's script would run it. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(ROOT, "bin/omnifeed.js");
export const DEMO = join(ROOT, "fixtures/catalogs/demo");
export const DEMO_CONFIG = join(DEMO, "omnifeed.config.yaml");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) and collects its output; `env` adds variables. */
export function omnifeed(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startOmnifeed(args, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function startOmnifeed(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A new temp folder, removed after the test file (test/support/temp-dirs.ts). */
export function freshDir(prefix: string): string {
  return makeTempDir(prefix);
}

/** `export` of a catalog with the demo's config to all three channels, into `out`. */
export function exportArgs(catalog: string, out: string, extra: readonly string[] = []): string[] {
  return [
    "export",
    "--config",
    DEMO_CONFIG,
    "--catalog",
    catalog,
    "--channel",
    "google,meta,amazon",
    "--out",
    out,
    ...extra,
  ];
}

/** The demo export, as `npm start` runs it, into `out`. */
export function demoExport(out: string, extra: readonly string[] = []): Promise<CliResult> {
  return omnifeed([
    "export",
    "--config",
    DEMO_CONFIG,
    "--catalog",
    join(DEMO, "catalog.csv"),
    "--channel",
    "google,meta,amazon",
    "--out",
    out,
    "--quiet",
    ...extra,
  ]);
}

export const DEMO_FEEDS = [
  "google.xml",
  "google.tsv",
  "google-local-inventory.tsv",
  "meta.csv",
  "meta.xml",
  "amazon-listings-0001.json",
] as const;
