import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { OmnifeedError } from "../core/errors.js";
import type { RateLimit, RateLimiter } from "./rate-limit.js";
import { isRedisConnectionFailure, redisFailure } from "./redis.js";

export interface RateLimiterOptions {
  /** The outside account (and operation) the bucket belongs to: `amazon:A1B2:listings`. */
  key: string;
  limit: RateLimit;
  /** Shares the bucket with every process on this Redis; without it the bucket lives in memory. */
  redis?: Redis | undefined;
  /** What every key starts with (`redisPrefixFromEnv()`, default `omnifeed:`). */
  prefix?: string | undefined;
  /**
   * Share of the channel's rate kept in reserve (default 0.03). The channel counts calls when they
   * arrive, we count them when they leave: without slack, a call that overtakes the one before it
   * on the wire finds the channel's bucket empty and costs a whole Retry-After (ADR 12 measures it).
   */
  headroom?: number | undefined;
  /** How long a take waits for an unreachable Redis to come back (default REDIS_OUTAGE_WAIT_MS). */
  outageWaitMs?: number | undefined;
}

/**
 * How long the shared bucket waits for Redis to come back (a restart, a failover) before a take
 * gives up with `transient`. A restart takes a few seconds: waiting it out keeps the publish going;
 * a Redis that stays away fails the job, whose retry backoff takes over from here.
 */
export const REDIS_OUTAGE_WAIT_MS = 15_000;
/** How often a take asks again while Redis is away (ioredis reconnects on its own meanwhile). */
const OUTAGE_POLL_MS = 250;

const DEFAULT_HEADROOM = 0.03;
/**
 * Arrival jitter a bucket of one absorbs: on loopback calls wobble ±6–10 ms, and the first call
 * after a quiet spell (a pause) or during warm-up arrives 25–60 ms late (ADR 12).
 */
const JITTER_MS = 30;
/**
 * Arrival skew the burst absorbs: the first calls open connections (TLS) and arrive late, the next
 * ones overtake them on warm connections; the bench saw 30 ms on loopback.
 */
const SKEW_MS = 100;

/**
 * The bucket we keep for a channel's published limit: the rate less the headroom, and enough of
 * the burst held back (at least one token, when there are two or more) to absorb SKEW_MS of
 * arrival skew in the first seconds, before the headroom has built slack in the channel's bucket.
 * Held-back tokens cost only once per idle spell. A channel bucket of one can never build slack,
 * so there each call also waits JITTER_MS beyond the channel's spacing.
 */
export function bucketFor(limit: RateLimit, headroom = DEFAULT_HEADROOM): RateLimit {
  const share = 1 - Math.min(0.5, Math.max(0, headroom));
  if (limit.burst < 2) {
    return {
      perSecond: Math.min(limit.perSecond * share, 1000 / (1000 / limit.perSecond + JITTER_MS)),
      burst: limit.burst,
    };
  }
  const reserve = Math.min(limit.burst - 1, Math.max(1, Math.ceil((limit.perSecond * SKEW_MS) / 1000)));
  return { perSecond: limit.perSecond * share, burst: limit.burst - reserve };
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  checkLimit(options.limit);
  const limit = bucketFor(options.limit, options.headroom);
  const store = options.redis
    ? redisBucket(
        options.redis,
        `${options.prefix ?? "omnifeed:"}ratelimit:${options.key}`,
        limit,
        options.outageWaitMs ?? REDIS_OUTAGE_WAIT_MS,
      )
    : memoryBucket(limit);
  const configured = limit.perSecond;
  const headroomShare = limit.perSecond / options.limit.perSecond;
  let perSecond = configured;

  return {
    async take(cost = 1, signal) {
      if (cost > limit.burst) {
        throw new OmnifeedError(
          "config",
          `rate limit ${options.key}: a call costing ${cost} can never fit a bucket of ${limit.burst}`,
        );
      }
      for (;;) {
        signal?.throwIfAborted();
        const waitMs = await store.take(cost, perSecond, signal);
        if (waitMs <= 0) return;
        await abortableSleep(waitMs, signal);
      }
    },
    async pause(waitMs) {
      if (waitMs > 0) await store.pause(Math.ceil(waitMs));
    },
    // The channel's own figure (less the same headroom) wins while it is below ours; it can lift us
    // back up to the configured rate, never past it. The figure is per process: each process
    // refills the shared bucket at the rate it last heard of, which converges as soon as every
    // process has seen one answer.
    observeLimit(observed) {
      if (!Number.isFinite(observed) || observed <= 0) return;
      perSecond = Math.min(configured, observed * headroomShare);
    },
  };
}

/** Where the bucket lives: `take` answers 0 when the tokens were taken, else the ms to wait. */
interface BucketStore {
  take(cost: number, perSecond: number, signal: AbortSignal | undefined): Promise<number>;
  pause(waitMs: number): Promise<void>;
}

function checkLimit(limit: RateLimit): void {
  if (!(limit.perSecond > 0) || !Number.isFinite(limit.perSecond) || !(limit.burst >= 1)) {
    throw new OmnifeedError(
      "config",
      `rate limit needs perSecond > 0 and burst ≥ 1 (got ${limit.perSecond}/s, burst ${limit.burst})`,
    );
  }
}

/**
 * How long a bucket with no taker is kept: long enough to refill it completely (after that it
 * would start full anyway), at least a minute so a pause is never cut short by its bucket expiring.
 */
function idleTtlMs(limit: RateLimit): number {
  return Math.max(60_000, Math.ceil((limit.burst / limit.perSecond) * 1000) * 2);
}

/**
 * KEYS[1] bucket (hash tokens, at), KEYS[2] paused-until (ms, server clock).
 * ARGV perSecond, burst, cost, idle ttl ms. Returns 0 (taken) or the ms to wait (nothing taken).
 * The server's clock is the only clock, so processes whose clocks disagree still share exactly.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
if tokens >= cost and at <= now then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'at', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 0
end
local wait = math.ceil((cost - tokens) / rate) + math.max(0, at - now)
if wait < 1 then wait = 1 end
return wait
`;

/**
 * KEYS[1] bucket, KEYS[2] paused-until. ARGV wait ms. Keeps the later of the two deadlines, and
 * empties the bucket as of the deadline: after a 429 calls resume at the steady rate, not with a
 * burst the channel has just told us it has no room for.
 */
const PAUSE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = tonumber(ARGV[1])
local untilMs = now + wait
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[2], tostring(untilMs), 'PX', wait)
  redis.call('HSET', KEYS[1], 'tokens', '0', 'at', tostring(untilMs))
  redis.call('PEXPIRE', KEYS[1], wait + tonumber(ARGV[2]))
end
return 0
`;

function redisBucket(redis: Redis, key: string, limit: RateLimit, outageWaitMs: number): BucketStore {
  const keys = [key, `${key}:paused`];
  const ttl = idleTtlMs(limit);
  const take = loadedScript(redis, TAKE_SCRIPT);
  const pause = loadedScript(redis, PAUSE_SCRIPT);
  // When Redis was first found away, shared by every take of this bucket: the calls in flight give
  // up together, and a take that starts during the same outage waits only for what is left of it.
  let awaySince: number | undefined;
  return {
    async take(cost, perSecond, signal) {
      for (;;) {
        try {
          const waitMs = Number(await take(keys, [perSecond, limit.burst, cost, ttl]));
          awaySince = undefined;
          return waitMs;
        } catch (error) {
          const failure = redisFailure(redis, error);
          if (failure.kind !== "transient" || !isRedisConnectionFailure(redis, error)) throw failure;
          const now = performance.now();
          awaySince ??= now;
          const left = awaySince + outageWaitMs - now;
          if (left <= 0) {
            throw new OmnifeedError(
              "transient",
              `${failure.message}; waited ${Math.round(outageWaitMs / 100) / 10} s for it to come back`,
            );
          }
          await abortableSleep(Math.min(left, OUTAGE_POLL_MS), signal);
        }
      }
    },
    async pause(waitMs) {
      try {
        await pause(keys, [waitMs, ttl]);
      } catch (error) {
        // Redis away: the caller still waits out the pause itself, and the other processes are
        // held by their own takes until Redis answers again.
        if (!isRedisConnectionFailure(redis, error)) throw redisFailure(redis, error);
      }
    },
  };
}

/** Runs a script by its SHA1, loading it on the first `NOSCRIPT` (a restarted or new server). */
function loadedScript(redis: Redis, source: string): (keys: string[], args: number[]) => Promise<unknown> {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}

/** The same bucket as the Lua script, for one process. */
function memoryBucket(limit: RateLimit): BucketStore {
  let tokens = limit.burst;
  let at = performance.now();
  let pausedUntil = 0;
  return {
    take(cost, perSecond) {
      const now = performance.now();
      if (pausedUntil > now) return Promise.resolve(Math.ceil(pausedUntil - now));
      const rate = perSecond / 1000;
      if (now > at) {
        tokens = Math.min(limit.burst, tokens + (now - at) * rate);
        at = now;
      }
      if (tokens >= cost && at <= now) {
        tokens -= cost;
        return Promise.resolve(0);
      }
      return Promise.resolve(Math.max(1, Math.ceil((cost - tokens) / rate + Math.max(0, at - now))));
    },
    pause(waitMs) {
      const until = performance.now() + waitMs;
      if (until > pausedUntil) {
        pausedUntil = until;
        tokens = 0;
        at = until;
      }
      return Promise.resolve();
    },
  };
}

/**
 * Waits `ms`; rejects with the signal's reason as soon as it is aborted (node's timers/promises
 * rejects with its own AbortError instead, so a caller could not tell a cancel from a shutdown).
 */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
