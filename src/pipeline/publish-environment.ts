import type { Redis } from "ioredis";
import { redisPrefixFromEnv } from "../config/env.js";
import { connectRedis } from "../infra/redis.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import { createRateLimiter } from "../infra/rate-limiters.js";
import { openStateStore } from "../sync/state-open.js";
import type { StateStore } from "../sync/state-store.js";
import type { StockHolds } from "../sync/stock-holds.js";
import { RedisStockHolds } from "../sync/stock-holds-redis.js";
import { SqliteStockHolds } from "../sync/stock-holds-sqlite.js";
import type { StateChoice } from "./run-request.js";

/**
 * What publish and reconcile run against: the state store and each outside account's token
 * bucket. Embedded: one SQLite file and buckets in this process. Redis: state and buckets shared
 * by every process that names the same Redis and workspace.
 */
export interface PublishEnvironment {
  store: StateStore;
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  /** The stock holds of recorded sales, beside the state (adr/0028). */
  stockHolds: StockHolds;
  /** Where the state is, for messages (never the Redis password). */
  describe: string;
  close(): Promise<void>;
}

export async function openPublishEnvironment(state: StateChoice): Promise<PublishEnvironment> {
  const limiters = new Map<string, RateLimiter>();
  if (state.backend === "embedded") {
    const store = await openStateStore({ backend: "embedded", file: state.file, lock: state.lock });
    const stockHolds = SqliteStockHolds.open(state.file, state.workspace);
    return {
      store,
      limiterFor: (key, limit) => cached(limiters, key, () => createRateLimiter({ key, limit })),
      stockHolds,
      describe: `embedded ${state.file}`,
      close: async () => {
        await stockHolds.close();
        await store.close();
      },
    };
  }
  // State per workspace; token buckets per outside account, shared by every workspace.
  const base = redisPrefixFromEnv();
  const prefix = `${base}${state.workspace}:`;
  const store = await openStateStore({ backend: "redis", url: state.url, prefix, lock: state.lock });
  let redis: Redis | undefined;
  const stockHolds = new RedisStockHolds(connectRedis(state.url, { name: "omnifeed-holds" }), prefix, true);
  return {
    store,
    stockHolds,
    limiterFor: (key, limit) =>
      cached(limiters, key, () =>
        createRateLimiter({ key, limit, redis: (redis ??= connectRedis(state.url)), prefix: base }),
      ),
    describe: `redis ${redactRedisUrlSafe(state.url)} (workspace ${state.workspace})`,
    close: async () => {
      await stockHolds.close();
      await store.close();
      if (redis) await redis.quit().catch(() => undefined);
    },
  };
}

function cached(limiters: Map<string, RateLimiter>, key: string, make: () => RateLimiter): RateLimiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = make();
    limiters.set(key, limiter);
  }
  return limiter;
}

function redactRedisUrlSafe(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "redis";
  }
}
