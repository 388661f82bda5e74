import { setTimeout as sleep } from "node:timers/promises";
import type { RateLimiter } from "../../src/infra/rate-limit.js";

/**
 * A per-process token bucket for tests of publishers: takes wait for a token, `pause` holds every
 * caller, and the limits a channel reports are kept for assertions. The real limiters (memory and
 * Redis) live in `infra/`; this one keeps channel tests independent of them.
 */
export interface TestTokenBucket extends RateLimiter {
  /** Limits reported through `observeLimit`, in order. */
  observed: number[];
  /** Total pause asked for (ms). */
  paused: number;
  taken: number;
}

export function testTokenBucket(perSecond: number, burst: number): TestTokenBucket {
  let tokens = burst;
  let at = Date.now();
  let pausedUntil = 0;
  const bucket: TestTokenBucket = {
    observed: [],
    paused: 0,
    taken: 0,
    async take(cost = 1, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const now = Date.now();
        tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
        at = now;
        if (now >= pausedUntil && tokens >= cost) {
          tokens -= cost;
          bucket.taken += cost;
          return;
        }
        const wait = Math.max(pausedUntil - now, ((cost - tokens) / perSecond) * 1000, 1);
        await sleep(wait, undefined, signal ? { signal } : {});
      }
    },
    pause(waitMs) {
      bucket.paused += waitMs;
      pausedUntil = Math.max(pausedUntil, Date.now() + waitMs);
      return Promise.resolve();
    },
    observeLimit(limit) {
      bucket.observed.push(limit);
    },
  };
  return bucket;
}
