import { afterAll, describe, expect, it } from "vitest";
import { startGoogleSimulator, type GoogleSimulator } from "../../src/dev/simulators/google.js";
import { connectRedis } from "../../src/infra/redis.js";
import { liveWorkers } from "../../src/jobs/heartbeats.js";
import { privateRedisProblem, startPrivateRedis } from "../support/private-redis.js";
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
/** Google's publisher stores the outcomes after every 64 changes (src/channels/google/publish.ts). */
const GOOGLE_CHECKPOINT = 64;

const noRedisServer = privateRedisProblem();
if (noRedisServer !== undefined && !UNDER_CI)
  console.warn(`[did not run] Redis restarted under a run: ${noRedisServer}`);

/** A figure a test measured, printed so a run shows it. */
function measured(what: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
  console.info(`[measured] ${what}: ${text}`);
}

/** Every successful product insert, in the order the simulator answered them. */
function inserts(google: GoogleSimulator): { offerId: string; at: number }[] {
  return writeCalls("google", google.calls)
    .filter((call) => call.status < 300 && call.path.endsWith("productInputs:insert"))
    .map((call) => ({ offerId: (call.body as { offerId: string }).offerId, at: call.at }));
}

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

  async function slowGoogle(
    limit = LIMIT,
  ): Promise<{ google: GoogleSimulator; account: Record<string, unknown> }> {
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0, rateLimit: limit });
    simulators.push(google);
    return {
      google,
      account: {
        ...google.accountSettings,
        rate_limit_per_second: limit.perSecond,
        rate_limit_burst: limit.burst,
      },
    };
  }

  it("SIGKILL mid-publish: the other worker takes the job over and finishes it, re-sending at most one checkpoint's worth", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const testStarted = Date.now();
    const { google, account } = await slowGoogle({ perSecond: 40, burst: 4 });
    const dir = freshDir("jobs-kill");
    // Short locks, so the dead worker's job (jobs.lock_ms) and publish lock (state.lock_ttl_ms)
    // lapse within seconds instead of the 30 s defaults.
    const config = writeInstallation(dir, "killed", {
      channels: { google: account },
      jobs: { lock_ms: 2_000 },
      state: { lock_ttl_ms: 2_000 },
    });
    const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...google.env };
    const workers = await Promise.all([startWorkerProcess(config, env), startWorkerProcess(config, env)]);
    try {
      const queued = await omnifeed(["run", "publish", "--config", config], env);
      expect(queued.code, queued.stderr).toBe(0);
      const started = /publish \(publish\) started/;
      await waitFor(
        () => workers.some((worker) => started.test(worker.log())),
        20_000,
        () => workers.map((worker) => worker.log()).join("\n---\n"),
      );
      const victim = workers.find((worker) => started.test(worker.log()))!;
      const survivor = workers.find((worker) => worker !== victim)!;
      // Past the first checkpoint (64 outcomes stored), in the middle of the second batch.
      await waitFor(
        () => inserts(google).length > GOOGLE_CHECKPOINT + 4,
        30_000,
        () => victim.log(),
      );
      const killedAt = Date.now();
      victim.child.kill("SIGKILL");
      await victim.exited;
      const atKill = inserts(google).length;
      expect(atKill, "killed before the publish ended").toBeLessThan(91);

      await waitFor(
        () => started.test(survivor.log()),
        30_000,
        () => survivor.log(),
      );
      const takenOverMs = Date.now() - killedAt;
      const runs = () => runsOf(installationPrefix(prefix, "killed"), "publish");
      await waitFor(
        async () => (await runs()).some((run) => run.outcome !== "retrying"),
        30_000,
        () => survivor.log(),
      );
      const history = await runs();
      expect(history.map((run) => run.outcome)).toEqual(["succeeded"]);
      expect(history[0]!.worker, "the run is the survivor's").toMatch(new RegExp(`:${survivor.child.pid}$`));

      const all = inserts(google);
      const offers = new Set(all.map((insert) => insert.offerId));
      expect(offers.size).toBe(91);
      expect(google.items().size).toBe(91);
      const resent = all.length - offers.size;
      // Only changes whose outcomes were not stored yet go again: at most one checkpoint batch.
      expect(resent).toBeLessThanOrEqual(GOOGLE_CHECKPOINT);
      expect(resent).toBeLessThanOrEqual(atKill - GOOGLE_CHECKPOINT);
      const firstAfter = all.find((insert) => insert.at > killedAt + 100);
      // Sending again well before the 30 s defaults of either lock would have let it.
      expect(firstAfter, "an insert after the kill").toBeDefined();
      expect(firstAfter!.at - killedAt).toBeLessThan(15_000);
      measured("SIGKILL takeover", {
        "inserts at kill": atKill,
        "inserts in all": all.length,
        "re-sent": resent,
        "job restarted after (s)": (takenOverMs / 1000).toFixed(1),
        "first insert after the kill (s)": firstAfter
          ? ((firstAfter.at - killedAt) / 1000).toFixed(1)
          : "none",
      });

      const reconciled = await omnifeed(
        ["reconcile", "--config", config, "--state", "redis", "--channel", "google", "--json"],
        env,
      );
      expect(reconciled.code, reconciled.stderr).toBe(0);
      const result = JSON.parse(reconciled.stdout) as {
        status: string;
        channels: { counts: { inStep: number; missing: number; orphaned: number; drifted: number } }[];
      };
      expect(result.status).toBe("in_step");
      expect(result.channels[0]!.counts).toMatchObject({ inStep: 91, missing: 0, orphaned: 0, drifted: 0 });
      measured("SIGKILL test", { "took (s)": ((Date.now() - testStarted) / 1000).toFixed(1) });
    } finally {
      for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
      await Promise.all(workers.map((worker) => worker.exited));
    }
  }, 60_000);

  it.skipIf(noRedisServer !== undefined && !UNDER_CI)(
    "Redis restarted during a run: the worker reconnects and the run completes",
    async () => {
      expect(noRedisServer, "redis-server is needed under CI").toBeUndefined();
      const testStarted = Date.now();
      // Its own Redis: restarting the shared one would break every other test run on it.
      const redis = await startPrivateRedis();
      const limit = { perSecond: 20, burst: 2 };
      const { google, account } = await slowGoogle(limit);
      const dir = freshDir("jobs-redis-restart");
      const config = writeInstallation(dir, "restarted", {
        catalogLines: DEMO_LINES.slice(0, 12),
        channels: { google: account },
      });
      const env = { REDIS_URL: redis.url, OMNIFEED_REDIS_PREFIX: prefix, ...google.env };
      const worker = await startWorkerProcess(config, env);
      try {
        const queued = await omnifeed(["run", "publish", "--config", config], env);
        expect(queued.code, queued.stderr).toBe(0);
        await waitFor(
          () => inserts(google).length >= 15,
          30_000,
          () => worker.log(),
        );
        const stopped = Date.now();
        await redis.stop();
        const atStop = inserts(google).length;
        const logAtStop = worker.log().length;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await redis.start();
        const restarted = Date.now();
        const outageMs = restarted - stopped;

        const runs = () => runsOf(installationPrefix(prefix, "restarted"), "publish", redis.url);
        await waitFor(
          async () => (await runs()).some((run) => run.outcome !== "retrying"),
          40_000,
          () => worker.log(),
        );
        expect(worker.child.exitCode, worker.log()).toBeNull();
        const history = await runs();
        expect(history.map((run) => run.outcome)).toEqual(["succeeded"]);
        const all = inserts(google);
        const offers = new Set(all.map((insert) => insert.offerId));
        expect(offers.size).toBe(48);
        expect(google.items().size).toBe(48);
        expect(history[0]!.channels[0]!.accepted).toBe(offers.size);
        expect(atStop, "Redis stopped mid-publish").toBeLessThan(48);

        // The worker is back on Redis: a heartbeat after the restart, and status counts it alive.
        const connection = connectRedis(redis.url, { name: "omnifeed-test" });
        try {
          await waitFor(
            async () =>
              (await liveWorkers(connection, installationPrefix(prefix, "restarted"))).some(
                (live) => live.lastSeen > restarted,
              ),
            15_000,
            () => worker.log(),
          );
        } finally {
          connection.disconnect();
        }
        const status = await omnifeed(["status", "--config", config], env);
        expect(status.code, status.stderr).toBe(0);
        expect(status.stdout).toContain("workers alive: 1");
        const outageLog = worker.log().slice(logAtStop);
        expect(outageLog).not.toMatch(/Unhandled|uncaught/i);
        measured("Redis restart", {
          "inserts at stop": atStop,
          "inserts in all": all.length,
          "outage (s)": (outageMs / 1000).toFixed(1),
          "run took (s)": (history[0]!.durationMs / 1000).toFixed(1),
          "worker log lines since the stop": outageLog.split("\n").filter((line) => line.length > 0).length,
          "test took (s)": ((Date.now() - testStarted) / 1000).toFixed(1),
        });
      } finally {
        if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
        await worker.exited;
        await redis.stop();
      }
    },
    60_000,
  );

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
