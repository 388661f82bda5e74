import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { envValue, redisUrlFromEnv } from "../../src/config/env.js";
import { startAmazonSimulator } from "../../src/dev/simulators/amazon.js";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import type { RunningSimulator } from "../../src/dev/simulators/simulator.js";
import { connectRedis, whenRedisReady } from "../../src/infra/redis.js";
import { DEMO, ROOT, freshDir, omnifeed as run } from "./cli.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { writeCalls, type RecordedCall as Recorded } from "./simulator-calls.js";

/**
 * Quotas through the real CLI: each simulator enforces the account's configured limit and answers
 * 429 above it. A publish under 429 storms and 5xx bursts completes with every item placed and
 * never goes over the limit; two processes publishing to one account at once, sharing its token
 * bucket through Redis, stay under it together.
 */

const MAPPINGS = join(ROOT, "channel-mappings/examples/demo");
const lines = readFileSync(join(DEMO, "catalog.jsonl"), "utf8").trimEnd().split("\n");

/** The most calls the channel took (answered 2xx) in any window of `windowMs`. */
function busiestWindow(calls: readonly Recorded[], windowMs = 1000): number {
  const times = calls
    .filter((call) => call.status < 300)
    .map((call) => call.at)
    .sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while (times[end]! - times[start]! >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

function config(
  dir: string,
  name: string,
  catalogLines: readonly string[],
  channels: Record<string, Record<string, unknown>>,
): string {
  const catalog = join(dir, `${name}.jsonl`);
  writeFileSync(catalog, `${catalogLines.join("\n")}\n`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      catalog: { file: catalog, options: { currency: "USD", store_url: "https://demo.omnifeed.dev" } },
      channels: Object.fromEntries(
        Object.entries(channels).map(([id, account]) => [
          id,
          { mapping: join(MAPPINGS, `${id}.yaml`), account },
        ]),
      ),
      state: { file: join(dir, `${name}.state.sqlite`) },
    }),
  );
  return file;
}

const url = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
const probe = connectRedis(url, { name: "omnifeed-test-probe" });
const unreachable = await whenRedisReady(probe, 2_000).then(
  () => undefined,
  (error: Error) => error.message,
);
probe.disconnect();
const underCi = ["true", "1"].includes(envValue("CI") ?? "");
if (unreachable !== undefined && !underCi) {
  console.warn(`[did not run] two processes sharing a Redis token bucket: ${unreachable}`);
}

describe("publish within the accounts' quotas", () => {
  const started: RunningSimulator[] = [];
  afterAll(async () => {
    await Promise.all(started.map((simulator) => simulator.close()));
  });

  it("completes under 429 storms and 5xx bursts with no item lost, never above the configured limit", async () => {
    const limits = {
      google: { perSecond: 40, burst: 8 },
      meta: { perSecond: 5, burst: 2 },
      amazon: { perSecond: 20, burst: 4 },
    };
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0, rateLimit: limits.google });
    const meta = await startMetaSimulator({ port: 0, processingDelayMs: 20, rateLimit: limits.meta });
    const amazon = await startAmazonSimulator({ port: 0, processingDelayMs: 0, rateLimit: limits.amazon });
    started.push(google, meta, amazon);
    const account = (simulator: RunningSimulator, limit: { perSecond: number; burst: number }) => ({
      ...simulator.accountSettings,
      rate_limit_per_second: limit.perSecond,
      rate_limit_burst: limit.burst,
    });
    const dir = freshDir("publish-quota");
    const file = config(dir, "storm", lines, {
      google: account(google, limits.google),
      meta: account(meta, limits.meta),
      amazon: account(amazon, limits.amazon),
    });
    // Storms: the next calls of every API fail; each change must still land.
    google.failNext(3, 429);
    meta.failNext(2, 503);
    amazon.failNext(3, 500);
    const env = { ...google.env, ...meta.env, ...amazon.env };
    const result = await run(["publish", "--config", file, "--json", "--quiet"], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      channels: {
        channel: string;
        counts: { creates: number };
        execution: { outcomes: { create: Record<string, number> } };
      }[];
    };
    const simulators = { google, meta, amazon };
    for (const entry of report.channels) {
      const channel = entry.channel as keyof typeof simulators;
      const simulator = simulators[channel];
      expect(entry.execution.outcomes.create, channel).toEqual({
        accepted: entry.counts.creates,
        rejected: 0,
        failed: 0,
      });
      expect(simulator.items().size, channel).toBe(entry.counts.creates);
      const limit = limits[channel];
      const writes = writeCalls(channel, simulator.calls);
      expect(busiestWindow(writes), `${channel} calls in the busiest second`).toBeLessThanOrEqual(
        limit.perSecond + limit.burst,
      );
      const { allowed, refused } = simulator.quota.stats;
      expect(refused / (allowed + refused), `${channel} share refused by the quota`).toBeLessThanOrEqual(
        0.02,
      );
    }
  }, 120_000);

  it.skipIf(unreachable !== undefined && !underCi)(
    "two processes publishing to one account together stay under its limit (Redis state and bucket)",
    async () => {
      expect(unreachable, "Redis is needed under CI").toBeUndefined();
      const limit = { perSecond: 10, burst: 2 };
      const amazon = await startAmazonSimulator({ port: 0, processingDelayMs: 0, rateLimit: limit });
      started.push(amazon);
      const dir = freshDir("publish-two");
      const account = {
        ...amazon.accountSettings,
        rate_limit_per_second: limit.perSecond,
        rate_limit_burst: limit.burst,
      };
      const halves = [
        lines.filter((_, index) => index % 2 === 0),
        lines.filter((_, index) => index % 2 === 1),
      ];
      const prefix = `omnifeed-test:${randomUUID()}:`;
      const env = { ...amazon.env, REDIS_URL: url, OMNIFEED_REDIS_PREFIX: prefix };
      const redis = connectRedis(url, { name: "omnifeed-test" });
      try {
        const results = await Promise.all(
          halves.map((half, index) =>
            run(
              [
                "publish",
                "--config",
                config(dir, `half-${index}`, half, { amazon: account }),
                "--state",
                "redis",
                "--workspace",
                `half-${index}`,
                "--json",
                "--quiet",
              ],
              env,
            ),
          ),
        );
        let created = 0;
        for (const result of results) {
          expect(result.code, result.stderr).toBe(0);
          const report = JSON.parse(result.stdout) as {
            channels: {
              counts: { creates: number };
              execution: { outcomes: { create: Record<string, number> } };
            }[];
          };
          const [entry] = report.channels;
          expect(entry!.execution.outcomes.create).toEqual({
            accepted: entry!.counts.creates,
            rejected: 0,
            failed: 0,
          });
          created += entry!.counts.creates;
        }
        expect(amazon.items().size).toBe(created);
        const writes = writeCalls("amazon", amazon.calls);
        expect(busiestWindow(writes), "calls in the busiest second, both processes").toBeLessThanOrEqual(
          limit.perSecond + limit.burst,
        );
        const { allowed, refused } = amazon.quota.stats;
        expect(refused / (allowed + refused), "share refused by the quota").toBeLessThanOrEqual(0.02);
        // The state of each workspace is in Redis, under this run's prefix.
        expect(await redis.exists(`${prefix}half-0:state:half-0/amazon/${amazonAccountOf(account)}`)).toBe(1);
      } finally {
        await deleteKeysUnder(redis, prefix);
        await redis.quit();
      }
    },
    120_000,
  );
});

function amazonAccountOf(account: Record<string, unknown>): string {
  return `${String(account.seller_id)}/${String(account.marketplace_id)}`;
}
