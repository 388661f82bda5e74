import type { Redis } from "ioredis";

/** Deletes every key under `prefix` (SCAN, never FLUSH: other data on the server stays). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
