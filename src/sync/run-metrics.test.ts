import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { envValue, redisUrlFromEnv } from "../config/env.js";
import { connectRedis, whenRedisReady } from "../infra/redis.js";
import { deleteKeysUnder } from "../../test/support/redis-keys.js";
import { RedisRunHistory, type RunRecord } from "./run-history.js";
import { itemCounts, readRunMetrics, runMetricsKeys } from "./run-metrics.js";

const url = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
const prefix = `omnifeed-test:${randomUUID()}:`;
const redis = connectRedis(url, { name: "omnifeed-test" });
const unreachable = await whenRedisReady(redis, 2_000).then(
  () => undefined,
  (error: Error) => error.message,
);
if (unreachable !== undefined) {
  if (["true", "1"].includes(envValue("CI") ?? ""))
    throw new Error(`Redis is required under CI: ${unreachable}`);
  console.warn(`[did not run] run metrics on Redis: ${unreachable}`);
}

afterAll(async () => {
  if (unreachable === undefined) await deleteKeysUnder(redis, prefix);
  redis.disconnect();
});

function run(id: string, outcome: RunRecord["outcome"], durationMs: number): RunRecord {
  return {
    id,
    job: "stock",
    kind: "publish",
    lane: "stock",
    startedAt: 0,
    finishedAt: durationMs,
    durationMs,
    attempt: 1,
    outcome,
    summary: "",
    channels: [
      { channel: "meta", read: 10, accepted: 8, rejected: 1, filtered: 1, warned: 0, issues: [] },
      {
        channel: "google",
        read: 5,
        accepted: 5,
        rejected: 0,
        filtered: 0,
        warned: 0,
        issues: [],
        publish: {
          created: 1,
          updated: 2,
          deleted: 0,
          unchanged: 2,
          rejected: 1,
          failed: 0,
          deferred: 3,
          deletesHeld: false,
          topReasons: [],
        },
      },
    ],
  };
}

describe("itemCounts", () => {
  it("adds the channel's refusals to validation's, and counts what the API took as published", () => {
    const [meta, google] = run("x", "succeeded", 1).channels;
    expect(itemCounts(meta!)).toEqual({
      accepted: 8,
      rejected: 1,
      filtered: 1,
      published: 0,
      failed: 0,
      deferred: 0,
    });
    expect(itemCounts(google!)).toEqual({
      accepted: 5,
      rejected: 1,
      filtered: 0,
      published: 3,
      failed: 0,
      deferred: 3,
    });
  });
});

describe.skipIf(unreachable !== undefined)("run metrics in Redis", () => {
  it("are added in the history's MULTI and read back as counters and a cumulative histogram", async () => {
    const history = new RedisRunHistory(redis, prefix);
    await history.add(run("a#1", "succeeded", 400));
    await history.add(run("b#1", "failed", 45_000));
    await history.add(run("c#1", "succeeded", 10_000_000));

    const metrics = await readRunMetrics(redis, prefix);
    expect(metrics.runs).toEqual([
      { job: "stock", lane: "stock", outcome: "failed", count: 1 },
      { job: "stock", lane: "stock", outcome: "succeeded", count: 2 },
    ]);
    const [durations] = metrics.durations;
    expect(durations?.count).toBe(3);
    expect(durations?.sumSeconds).toBeCloseTo(10_045.4, 6);
    const bucket = (le: number): number | undefined =>
      durations?.buckets.find((entry) => entry.le === le)?.count;
    expect(bucket(1)).toBe(1);
    expect(bucket(30)).toBe(1);
    expect(bucket(60)).toBe(2);
    // Longer than the largest bucket: only in +Inf (the count).
    expect(bucket(7200)).toBe(2);
    expect(metrics.items).toContainEqual({ channel: "google", status: "published", count: 9 });
    expect(metrics.items).toContainEqual({ channel: "meta", status: "accepted", count: 24 });
    expect(metrics.items).toContainEqual({ channel: "meta", status: "deferred", count: 0 });
  });

  it("skips fields it cannot read instead of failing the scrape", async () => {
    await redis.hset(runMetricsKeys(prefix).items, "not json", "5", JSON.stringify(["x"]), "1");
    const metrics = await readRunMetrics(redis, prefix);
    expect(metrics.items.some((item) => item.channel === "x" || item.channel === "not json")).toBe(false);
  });
});
