import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { stringify } from "yaml";
import { envValue, redisUrlFromEnv } from "../../src/config/env.js";
import { connectRedis, whenRedisReady } from "../../src/infra/redis.js";
import { RedisRunHistory, type RunRecord } from "../../src/sync/run-history.js";
import { DEMO, ROOT, startOmnifeed } from "./cli.js";

/** Helpers of the worker tests: an installation's config, worker processes, waiting on runs. */

export const REDIS_URL = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
export const UNDER_CI = ["true", "1"].includes(envValue("CI") ?? "");
const MAPPINGS = join(ROOT, "channel-mappings/examples/demo");
export const DEMO_LINES = readFileSync(join(DEMO, "catalog.jsonl"), "utf8").trimEnd().split("\n");

/** Why Redis cannot be used here, or `undefined` when it answers. */
export async function redisProblem(url = REDIS_URL): Promise<string | undefined> {
  const probe = connectRedis(url, { name: "omnifeed-test-probe" });
  const problem = await whenRedisReady(probe, 2_000).then(
    () => undefined,
    (error: Error) => error.message,
  );
  probe.disconnect();
  return problem;
}

/** A key prefix no other test run uses. */
export function testPrefix(): string {
  return `omnifeed-test:${randomUUID()}:`;
}

export interface InstallationOptions {
  catalogLines?: readonly string[];
  channels?: Record<string, Record<string, unknown>>;
  schedules?: Record<string, unknown>;
  jobs?: Record<string, unknown>;
  workspace?: string;
  /** More `state:` keys (the workspace is `workspace`, else the installation's name). */
  state?: Record<string, unknown>;
  build?: Record<string, unknown>;
  /** A `catalog:` block in place of the JSONL file (`{ store: "shopify" }`). */
  catalog?: Record<string, unknown>;
  /** A `stores:` block (the connections of `catalog.store`). */
  stores?: Record<string, unknown>;
  /** More top-level blocks (`marketplaces:`, `orders:`, `server:`). */
  more?: Record<string, unknown>;
}

/** Writes an installation's omnifeed.config.yaml (and its JSONL catalog) into `dir`. */
export function writeInstallation(dir: string, name: string, options: InstallationOptions = {}): string {
  const catalog = join(dir, `${name}.jsonl`);
  writeFileSync(catalog, `${(options.catalogLines ?? DEMO_LINES).join("\n")}\n`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      catalog: options.catalog ?? {
        file: catalog,
        options: { currency: "USD", store_url: "https://demo.omnifeed.dev" },
      },
      ...(options.stores ? { stores: options.stores } : {}),
      channels: Object.fromEntries(
        Object.entries(options.channels ?? { google: {}, meta: {} }).map(([id, account]) => [
          id,
          {
            mapping: join(MAPPINGS, `${id}.yaml`),
            ...(Object.keys(account).length > 0 ? { account } : {}),
          },
        ]),
      ),
      output: { dir: join(dir, `${name}-out`) },
      state: { workspace: options.workspace ?? name, ...options.state },
      ...(options.build ? { build: options.build } : {}),
      ...(options.schedules ? { schedules: options.schedules } : {}),
      jobs: { backoff_ms: 300, ...options.jobs },
      ...options.more,
    }),
  );
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  exited: Promise<number | null>;
}

/** Starts `omnifeed worker` and resolves once it serves its lanes. */
export async function startWorkerProcess(
  config: string,
  env: Record<string, string>,
  extra: readonly string[] = [],
): Promise<WorkerProcess> {
  const child = startOmnifeed(["worker", "--config", config, ...extra], env);
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const worker = { child, log: () => log, exited };
  await waitFor(
    () => log.includes("serving lanes"),
    20_000,
    () => `worker did not start:\n${log}`,
  );
  return worker;
}

/** Polls `check` every 100 ms until it is true (or resolves truthy); fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  why: () => string = () => "condition not met",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${why()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The runs recorded under an installation's prefix (newest first), on the Redis at `url`. */
export async function runsOf(prefix: string, job?: string, url = REDIS_URL): Promise<RunRecord[]> {
  const redis = connectRedis(url, { name: "omnifeed-test" });
  try {
    return await new RedisRunHistory(redis, prefix).recent({ job, limit: 100 });
  } finally {
    redis.disconnect();
  }
}

/** The installation prefix of a workspace under the run's base prefix. */
export function installationPrefix(basePrefix: string, workspace: string): string {
  return `${basePrefix}${workspace}:`;
}
