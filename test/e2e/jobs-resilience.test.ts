import { afterAll, describe, expect, it } from "vitest";
import { startGoogleSimulator, type GoogleSimulator } from "../../src/dev/simulators/google.js";
import { connectRedis } from "../../src/infra/redis.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed } from "./cli.js";
import {
  DEMO_LINES,
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
import { writeCalls } from "./simulator-calls.js";

/**
 * Workers under trouble, through the real CLI on real Redis, publishing to the Google simulator
 * with a quota slow enough (10 calls a second) that a publish of the demo catalog takes seconds:
 * a worker killed mid-publish, one stopped by SIGTERM, Redis restarted under a run, and two
 * workers sharing one account's limit.
 */

const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI)
  console.warn(`[did not run] workers under trouble: ${unreachable}`);

const LIMIT = { perSecond: 10, burst: 2 };

/** Successful product inserts per offer id. */
function insertsByOffer(google: GoogleSimulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of writeCalls("google", google.calls)) {
    if (call.status >= 300 || !call.path.endsWith("productInputs:insert")) continue;
    const offerId = (call.body as { offerId: string }).offerId;
    counts.set(offerId, (counts.get(offerId) ?? 0) + 1);
  }
  return counts;
}

/** The most successful write calls in any one second. */
function busiestSecond(google: GoogleSimulator): number {
  const times = writeCalls("google", google.calls)
    .filter((call) => call.status < 300)
    .map((call) => call.at)
    .sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while (times[end]! - times[start]! >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe.skipIf(unreachable !== undefined && !UNDER_CI)("workers under trouble", () => {
  const prefix = testPrefix();
  const simulators: GoogleSimulator[] = [];
  afterAll(async () => {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  async function slowGoogle(): Promise<{ google: GoogleSimulator; account: Record<string, unknown> }> {
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0, rateLimit: LIMIT });
    simulators.push(google);
    return {
      google,
      account: {
        ...google.accountSettings,
        rate_limit_per_second: LIMIT.perSecond,
        rate_limit_burst: LIMIT.burst,
      },
    };
  }

  it("SIGTERM during a job: the worker exits cleanly, the job is handed back and completed by the next worker", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const { google, account } = await slowGoogle();
    const dir = freshDir("jobs-term");
    const config = writeInstallation(dir, "stopped", { channels: { google: account } });
    const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...google.env };
    const first = await startWorkerProcess(config, env, ["--grace-ms", "500"]);
    await omnifeed(["run", "publish", "--config", config], env);
    await waitFor(
      () => insertsByOffer(google).size >= 10,
      30_000,
      () => first.log(),
    );
    const signalled = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(first.log()).toContain("handed back to the queue");
    const runs = () => runsOf(installationPrefix(prefix, "stopped"), "publish");
    expect(await runs()).toEqual([]);

    const second = await startWorkerProcess(config, env);
    try {
      await waitFor(
        async () => (await runs()).some((run) => run.outcome === "succeeded"),
        60_000,
        () => second.log(),
      );
      const inserts = insertsByOffer(google);
      expect(google.items().size).toBe(inserts.size);
      expect(inserts.size).toBe((await runs())[0]!.channels[0]!.accepted);
      expect((await runs()).map((run) => run.outcome)).toEqual(["succeeded"]);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 120_000);

  it("two workers publishing to one account share its limit without going over it", async () => {
    const { google, account } = await slowGoogle();
    const dir = freshDir("jobs-share");
    const halves = [
      DEMO_LINES.filter((_, index) => index % 2 === 0),
      DEMO_LINES.filter((_, index) => index % 2 === 1),
    ];
    const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...google.env };
    const configs = halves.map((lines, index) =>
      writeInstallation(dir, `share-${index}`, { catalogLines: lines, channels: { google: account } }),
    );
    const workers = await Promise.all(configs.map((config) => startWorkerProcess(config, env)));
    try {
      const results = await Promise.all(
        configs.map((config) => omnifeed(["run", "publish", "--config", config, "--wait"], env)),
      );
      for (const result of results) expect(result.code, result.stdout + result.stderr).toBe(0);
      const inserts = insertsByOffer(google);
      expect(google.items().size).toBe(inserts.size);
      expect(inserts.size).toBeGreaterThan(80);
      expect(busiestSecond(google), "write calls in the busiest second, both workers").toBeLessThanOrEqual(
        LIMIT.perSecond + LIMIT.burst,
      );
      const { allowed, refused } = google.quota.stats;
      expect(refused / (allowed + refused), "share refused by the quota").toBeLessThanOrEqual(0.02);
    } finally {
      for (const worker of workers) worker.child.kill("SIGTERM");
      await Promise.all(workers.map((worker) => worker.exited));
    }
  }, 120_000);
});
