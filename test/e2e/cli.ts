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
/** A running `omnifeed serve`: its process, the URL it printed, and what it wrote so far. */
export interface RunningServe {
  child: ChildProcess;
  /** `http://host:port/`, as the start line prints it. */
  address: string;
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `omnifeed <args>` (a `serve`) and resolves once it prints the URL it serves on. */
export async function startServe(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<RunningServe> {
  const child = startOmnifeed(args, env);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /serving on (http:\/\/\S+\/)/.exec(stdout);
      if (found?.[1]) resolve(found[1]);
    });
    void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
  });
  return { child, address, exited, stdout: () => stdout, stderr: () => stderr };
}

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
