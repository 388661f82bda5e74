import { randomUUID } from "node:crypto";
import { connectRedis } from "../../src/infra/redis.js";
import { createRateLimiter } from "../../src/infra/rate-limiters.js";
import type { MarketplaceDeps } from "../../src/marketplaces/deps.js";

/**
 * The token buckets of a conformance run, on the real Redis (127.0.0.1:6379 or REDIS_URL) under a
 * prefix of its own, removed afterwards: the adapters share their buckets as workers do.
 */
export function sharedLimiters(): {
  limiterFor: NonNullable<MarketplaceDeps["limiterFor"]>;
  close(): Promise<void>;
} {
  const redis = connectRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const prefix = `omnifeed-test:marketplace-${randomUUID().slice(0, 8)}:`;
  return {
    limiterFor: (key, limit) => createRateLimiter({ key, limit, redis, prefix }),
    async close() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== "0");
      redis.disconnect();
    },
  };
}
