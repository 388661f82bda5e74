import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { connectRedis } from "../../src/infra/redis.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed } from "./cli.js";
import {
  REDIS_URL,
  UNDER_CI,
  installationPrefix,
  redisProblem,
  runsOf,
  startWorkerProcess,
  testPrefix,
  waitFor,
  writeInstallation,
} from "./jobs-support.js";

/**
 * Workers on real Redis through the real CLI: schedules fire and follow the config, jobs run on
 * demand once, and status tells what ran and what failed.
 */

const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI) console.warn(`[did not run] workers on Redis: ${unreachable}`);

describe.skipIf(unreachable !== undefined && !UNDER_CI)("workers, schedules and runs on Redis", () => {
  const prefix = testPrefix();
  const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix };
  afterAll(async () => {
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("a schedule fires and its job runs; re-syncing the changed config adds, changes and removes schedules", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const dir = freshDir("jobs-schedules");
    const config = writeInstallation(dir, "shop", {
      schedules: {
        feeds: { job: "build-feeds", cron: "* * * * * *" },
        nightly: { job: "import", cron: "0 3 * * *", tz: "Europe/Berlin" },
      },
    });
    const worker = await startWorkerProcess(config, env);
    const runs = () => runsOf(installationPrefix(prefix, "shop"), "feeds");
    try {
      await waitFor(
        async () => (await runs()).some((run) => run.outcome === "succeeded"),
        30_000,
        () => worker.log(),
      );
    } finally {
      worker.child.kill("SIGTERM");
    }
    expect(await worker.exited).toBe(0);
    const [run] = await runs();
    expect(run).toMatchObject({ job: "feeds", kind: "build-feeds", lane: "bulk", attempt: 1 });
    expect(run!.channels.map((channel) => channel.channel)).toEqual(["google", "meta"]);
    expect(run!.channels[0]!.accepted).toBeGreaterThan(50);
    expect(existsSync(join(dir, "shop-out", "google.xml"))).toBe(true);

    const listed = await omnifeed(["schedule", "list", "--config", config, "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: "feeds", job: "build-feeds", cron: "* * * * * *", tz: "UTC" },
      { name: "nightly", job: "import", cron: "0 3 * * *", tz: "Europe/Berlin" },
    ]);

    // The merchant edits the config: one schedule changes, one goes, one comes.
    const edited = parse(readFileSync(config, "utf8")) as { schedules: Record<string, unknown> };
    edited.schedules = {
      feeds: { job: "build-feeds", cron: "0 */4 * * *" },
      "publish-morning": { job: "import", cron: "30 6 * * 1-5", channels: ["google"] },
    };
    writeFileSync(config, stringify(edited));
    const synced = await omnifeed(["schedule", "sync", "--config", config, "--json"], env);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout)).toEqual({
      added: ["publish-morning"],
      changed: ["feeds"],
      removed: ["nightly"],
      unchanged: [],
    });
    const again = await omnifeed(["schedule", "sync", "--config", config, "--json"], env);
    expect(JSON.parse(again.stdout)).toEqual({
      added: [],
      changed: [],
      removed: [],
      unchanged: ["feeds", "publish-morning"],
    });
    const after: unknown = JSON.parse(
      (await omnifeed(["schedule", "list", "--config", config, "--json"], env)).stdout,
    );
    expect(after).toMatchObject([
      { name: "feeds", cron: "0 */4 * * *" },
      { name: "publish-morning", job: "import", cron: "30 6 * * 1-5" },
    ]);
  }, 90_000);

  it("the same work is queued once; run --wait reports the run and status shows it", async () => {
    const dir = freshDir("jobs-run");
    const config = writeInstallation(dir, "ondemand");
    const first = await omnifeed(["run", "import", "--config", config, "--json"], env);
    const second = await omnifeed(["run", "import", "--config", config, "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    const other = await omnifeed(["run", "import", "--channel", "google", "--config", config, "--json"], env);
    const idOf = (text: string) => (JSON.parse(text) as { id: string }).id;
    expect(idOf(other.stdout)).not.toBe(idOf(first.stdout));

    const worker = await startWorkerProcess(config, env);
    try {
      const waited = await omnifeed(["run", "build-feeds", "--config", config, "--wait"], env);
      expect(waited.code, `${waited.stderr}\n${worker.log()}`).toBe(0);
      expect(waited.stdout).toMatch(/^build-feeds \(build-feeds\) succeeded in [\d.]+ s, attempt 1/);
      expect(waited.stdout).toContain("google: 91 accepted");
      const prefixOf = installationPrefix(prefix, "ondemand");
      await waitFor(
        async () => (await runsOf(prefixOf, "import")).length >= 2,
        30_000,
        () => worker.log(),
      );

      const status = await omnifeed(["status", "--config", config], env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/bulk\s+0 waiting, 0 active/);
      expect(status.stdout).toContain("workers alive: 1");
      expect(status.stdout).toMatch(/build-feeds: succeeded, .*\n\s+google: 91 accepted/);
      expect(status.stdout).toMatch(/import: succeeded/);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 90_000);

  it("a job that cannot succeed fails at once with its reason, shown by status and run --wait", async () => {
    const dir = freshDir("jobs-fail");
    const config = writeInstallation(dir, "broken");
    const edited = parse(readFileSync(config, "utf8")) as { catalog: { file: string } };
    edited.catalog.file = join(dir, "no-such-catalog.csv");
    writeFileSync(config, stringify(edited));
    const worker = await startWorkerProcess(config, env);
    try {
      const waited = await omnifeed(["run", "build-feeds", "--config", config, "--wait"], env);
      expect(waited.code).toBe(1);
      expect(waited.stdout).toMatch(
        /build-feeds \(build-feeds\) failed in [\d.]+ s, attempt 1 — not_found: .*no-such-catalog\.csv: catalog file not found/,
      );
      const status = await omnifeed(["status", "--config", config, "--json"], env);
      const parsed = JSON.parse(status.stdout) as {
        failures: { job: string; attempt: number; failure: { kind: string } }[];
      };
      expect(parsed.failures).toHaveLength(1);
      expect(parsed.failures[0]).toMatchObject({
        job: "build-feeds",
        attempt: 1,
        failure: { kind: "not_found" },
      });
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 60_000);
});
