import { connectRedis, whenRedisReady } from "../infra/redis.js";
import type { LockTiming } from "./state-lock.js";
import { RedisStateStore } from "./state-redis.js";
import { SqliteStateStore } from "./state-sqlite.js";
import type { StateStore } from "./state-store.js";

/**
 * Where the state lives: the embedded file (CLI runs), or Redis shared by workers. `lock` sets
 * the ttl and wait of the store's publish locks (`state.lock_ttl_ms` / `state.lock_wait_ms`).
 */
export type OpenStateStoreOptions = (
  { backend: "embedded"; file: string } | { backend: "redis"; url: string; prefix: string }
) & { lock?: Partial<LockTiming> | undefined };

/**
 * Opens the state store. A Redis that cannot be reached fails here with one clear `transient`
 * error (its URL without the password), not in the middle of a publish.
 */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  if (options.backend === "embedded") return SqliteStateStore.open(options.file, options.lock);
  const redis = connectRedis(options.url, { name: "omnifeed-state" });
  try {
    await whenRedisReady(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return new RedisStateStore({ redis, prefix: options.prefix, ownsConnection: true, lock: options.lock });
}
