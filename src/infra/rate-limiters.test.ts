import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../config/paths.js";
import type { RateLimit, RateLimiter } from "./rate-limit.js";
import { REDIS_OUTAGE_WAIT_MS, bucketFor, createRateLimiter } from "./rate-limiters.js";
import { connectRedis } from "./redis.js";
import {
  privateRedisProblem,
  startPrivateRedis,
  type PrivateRedis,
} from "../../test/support/private-redis.js";

const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const UNDER_CI = process.env["CI"] === "true";
const CHILD = resolve(PACKAGE_ROOT, "test/infra/rate-limit-child.mjs");

/** Takes tokens as fast as the limiter allows for `ms`; the times they were granted, from the start. */
async function drain(limiter: RateLimiter, ms: number, parallel = 4): Promise<number[]> {
  const started = performance.now();
  const taken: number[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (;;) {
        await limiter.take();
        const at = performance.now() - started;
        if (at >= ms) return;
        taken.push(at);
      }
    }),
  );
  return taken.sort((a, b) => a - b);
}

/**
 * The bucket's promise, with room for a loaded 2-core machine: no more than the burst plus the
 * rate over the window (one token of slack for timer rounding), and at least 80% of the rate.
 */
function expectBurstThenRate(taken: number[], limit: RateLimit, ms: number): void {
  const bucket = bucketFor(limit);
  // From the first grant: the first call to Redis also connects and loads the script.
  const burst = taken.filter((at) => at < (taken[0] ?? 0) + 30).length;
  expect(burst).toBeGreaterThanOrEqual(bucket.burst);
  expect(burst).toBeLessThanOrEqual(bucket.burst + 1);
  const steady = taken.length - bucket.burst;
  expect(steady).toBeLessThanOrEqual((bucket.perSecond * ms) / 1000 + 1);
  expect(steady).toBeGreaterThanOrEqual((bucket.perSecond * ms * 0.8) / 1000);
}

/** Behaviour both buckets share; `make` builds a limiter on a fresh key each call. */
function bucketContract(make: (limit: RateLimit, key?: string) => RateLimiter): void {
  it("grants the burst at once, then the rate", async () => {
    const limit = { perSecond: 20, burst: 6 };
    expectBurstThenRate(await drain(make(limit), 1500), limit, 1500);
  });

  it("rejects an aborted take promptly with the signal's reason, and the take costs nothing", async () => {
    // 4/s with one token: each call waits ~260 ms behind the one before (rate less headroom).
    const limiter = make({ perSecond: 4, burst: 1 });
    await limiter.take();
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    const started = performance.now();
    const waiting = limiter.take(1, controller.signal);
    setTimeout(() => controller.abort(reason), 40);
    await expect(waiting).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(150);
    // Had the aborted take consumed the next token, this one would wait a second interval.
    await limiter.take();
    expect(performance.now() - started).toBeLessThan(
      1000 / bucketFor({ perSecond: 4, burst: 1 }).perSecond + 120,
    );
  });

  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    await expect(make({ perSecond: 1, burst: 3 }).take(1, controller.signal)).rejects.toThrow("gone");
  });

  it("waits out a pause, then resumes at the rate without a burst", async () => {
    const limiter = make({ perSecond: 50, burst: 10 });
    await limiter.pause(300);
    const taken = await drain(limiter, 700);
    expect(taken[0]).toBeGreaterThanOrEqual(290);
    // After a 429 the channel has no room for a burst: only the steady rate, ~19 calls in 400 ms.
    expect(taken.filter((at) => at < 330).length).toBeLessThanOrEqual(2);
    expect(taken.length).toBeLessThanOrEqual(bucketFor({ perSecond: 50, burst: 10 }).perSecond * 0.41 + 1);
  });

  it("slows to a lower limit the channel reports, and never rises past the configured one", async () => {
    const limiter = make({ perSecond: 100, burst: 2 });
    limiter.observeLimit?.(10);
    const slow = await drain(limiter, 600);
    expect(slow.length).toBeLessThanOrEqual(1 + 0.6 * 10 + 1);
    limiter.observeLimit?.(10_000);
    const fast = await drain(limiter, 300);
    expect(fast.length).toBeGreaterThan(10);
    expect(fast.length).toBeLessThanOrEqual(1 + 0.3 * 100 + 1);
  });

  it("refuses a cost the bucket can never hold, as a config error", async () => {
    const error: unknown = await make({ perSecond: 5, burst: 3 })
      .take(5)
      .catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "config")).toBe(true);
  });
}

describe("createRateLimiter in memory", () => {
  bucketContract((limit) => createRateLimiter({ key: "memory", limit }));

  it("refuses a limit that cannot work", () => {
    expect(() => createRateLimiter({ key: "x", limit: { perSecond: 0, burst: 1 } })).toThrow(/perSecond > 0/);
    expect(() => createRateLimiter({ key: "x", limit: { perSecond: 1, burst: 0 } })).toThrow(/burst ≥ 1/);
  });
});

describe("bucketFor", () => {
  it("keeps the headroom of the rate and 100 ms of the burst back", () => {
    expect(bucketFor({ perSecond: 50, burst: 10 })).toEqual({ perSecond: 48.5, burst: 5 });
    expect(bucketFor({ perSecond: 50, burst: 10 }, 0)).toEqual({ perSecond: 50, burst: 5 });
  });

  it("spaces calls to a bucket of one by the jitter margin", () => {
    const bucket = bucketFor({ perSecond: 5, burst: 1 });
    expect(bucket.burst).toBe(1);
    expect(1000 / bucket.perSecond).toBeCloseTo(230, 5);
  });
});

const redisReachable = await (async () => {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();

if (!redisReachable && !UNDER_CI) {
  console.warn(`rate-limiters: Redis at ${REDIS_URL} unreachable — the shared-bucket tests did not run`);
}

describe.skipIf(!redisReachable && !UNDER_CI)("createRateLimiter on Redis", () => {
  const prefix = `omnifeed-test:${randomUUID()}:`;
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  };
  let redis: Redis;

  beforeAll(() => {
    redis = connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    for (const connection of connections) connection.disconnect();
  });

  bucketContract((limit) => createRateLimiter({ key: randomUUID(), limit, redis, prefix }));

  it("keeps the bucket under the prefix and lets it expire when idle", async () => {
    await createRateLimiter({ key: "expiry", limit: { perSecond: 10, burst: 3 }, redis, prefix }).take();
    const ttl = await redis.pttl(`${prefix}ratelimit:expiry`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("makes every instance sharing the bucket honour a pause", async () => {
    const limit = { perSecond: 50, burst: 10 };
    const one = createRateLimiter({ key: "pause", limit, redis, prefix });
    const other = createRateLimiter({ key: "pause", limit, redis: connect(), prefix });
    await other.take();
    await one.pause(400);
    const started = performance.now();
    await other.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    // A shorter pause does not cut a longer one short.
    await one.pause(300);
    await other.pause(50);
    const again = performance.now();
    await one.take();
    expect(performance.now() - again).toBeGreaterThanOrEqual(280);
  });

  it("keeps two OS processes sharing one bucket together under the limit", async () => {
    expect(
      existsSync(resolve(PACKAGE_ROOT, "dist/infra/rate-limiters.js")),
      "run `npm run build` first",
    ).toBe(true);
    const limit = { perSecond: 30, burst: 5 };
    const ms = 2500;
    const startAt = Date.now() + 1500;
    const run = (): Promise<number[]> =>
      promisify(execFile)(process.execPath, [
        CHILD,
        REDIS_URL,
        prefix,
        "processes",
        String(limit.perSecond),
        String(limit.burst),
        String(ms),
        String(startAt),
      ]).then(({ stdout }) => (JSON.parse(stdout) as number[]).map((at) => at - startAt));
    const [first, second] = await Promise.all([run(), run()]);
    const taken = [...(first ?? []), ...(second ?? [])].sort((a, b) => a - b);
    const bucket = bucketFor(limit);
    // Together: the burst plus the rate over the span they took in, however the two split it;
    // each got a fair part.
    const span = (taken.at(-1) ?? 0) - (taken[0] ?? 0);
    expect(taken.length).toBeLessThanOrEqual(bucket.burst + (bucket.perSecond * span) / 1000 + 1);
    expect(span).toBeGreaterThan(ms / 2);
    expect(taken.length).toBeGreaterThanOrEqual((bucket.perSecond * span * 0.8) / 1000);
    expect(first?.length).toBeGreaterThan(taken.length * 0.2);
    expect(second?.length).toBeGreaterThan(taken.length * 0.2);
    // No one-second window holds more than a burst plus a second's rate.
    for (const at of taken) {
      expect(taken.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(
        bucket.burst + bucket.perSecond + 1,
      );
    }
  }, 15_000);
});

const noRedisServer = privateRedisProblem();
if (noRedisServer !== undefined && !UNDER_CI) {
  console.warn(`rate-limiters: [did not run] the Redis outage tests: ${noRedisServer}`);
}

describe.skipIf(noRedisServer !== undefined && !UNDER_CI)("createRateLimiter while Redis restarts", () => {
  // A private server: these tests stop it, and the shared one serves other test runs.
  let server: PrivateRedis;
  const connections: Redis[] = [];
  const limiterOn = (outageWaitMs?: number): RateLimiter => {
    const redis = connectRedis(server.url, { name: "omnifeed-test" });
    connections.push(redis);
    return createRateLimiter({ key: randomUUID(), limit: { perSecond: 50, burst: 5 }, redis, outageWaitMs });
  };

  beforeAll(async () => {
    expect(noRedisServer, "redis-server is needed under CI").toBeUndefined();
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    await server?.stop();
  });

  it("waits for Redis to come back instead of failing the call", async () => {
    const limiter = limiterOn();
    await limiter.take();
    await server.stop("SIGKILL");
    const started = performance.now();
    const taking = limiter.take();
    await sleep(1_000);
    await server.start();
    await taking;
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(REDIS_OUTAGE_WAIT_MS);
  });

  it("gives up after the outage wait with one transient error naming Redis, for every take of the bucket", async () => {
    const limiter = limiterOn(800);
    await limiter.take();
    await server.stop();
    try {
      const started = performance.now();
      const first = limiter.take().catch((error: unknown) => error);
      await sleep(500);
      const second = limiter.take().catch((error: unknown) => error);
      const [one, two] = await Promise.all([first, second]);
      const elapsed = performance.now() - started;
      for (const error of [one, two]) {
        expect(isOmnifeedError(error, "transient")).toBe(true);
        expect((error as Error).message).toMatch(
          new RegExp(
            `^cannot reach Redis at redis://127\\.0\\.0\\.1:${server.port}: .*; waited 0\\.8 s for it to come back$`,
          ),
        );
      }
      // Neither gave up before the wait was over; a take costs one failing command (ioredis waits
      // for one reconnect attempt, up to 2 s apart) beyond it at most.
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThan(800 + 2 * 2_000);
      // Still away: a new take fails too.
      expect(isOmnifeedError(await limiter.take().catch((error: unknown) => error), "transient")).toBe(true);
    } finally {
      await server.start();
    }
    // Back: the bucket answers again, and the next outage gets a full wait of its own.
    await limiter.take();
  });

  it("stops waiting at once when the publish is cancelled", async () => {
    const limiter = limiterOn();
    await limiter.take();
    await server.stop();
    try {
      const controller = new AbortController();
      const reason = new Error("cancelled");
      const taking = limiter.take(1, controller.signal).catch((error: unknown) => error);
      await sleep(300);
      const aborted = performance.now();
      controller.abort(reason);
      expect(await taking).toBe(reason);
      expect(performance.now() - aborted).toBeLessThan(200);
    } finally {
      await server.start();
    }
  });
});
