import { connectRedis, whenRedisReady } from "../infra/redis.js";
import type { OrderLedger } from "./ledger.js";
import { RedisOrderLedger } from "./ledger-redis.js";

/** Where the ledger lives: the embedded file (CLI runs) or Redis shared by workers. */
export type OpenLedgerOptions =
  { backend: "embedded"; file: string } | { backend: "redis"; url: string; prefix: string };

/** Opens the ledger; an unreachable Redis fails here with one clear `transient` error. */
export async function openOrderLedger(options: OpenLedgerOptions): Promise<OrderLedger> {
  if (options.backend === "embedded") {
    // Loaded only here, so commands that use Redis never load SQLite.
    const { SqliteOrderLedger } = await import("./ledger-sqlite.js");
    return SqliteOrderLedger.open(options.file);
  }
  const redis = connectRedis(options.url, { name: "omnifeed-orders" });
  try {
    await whenRedisReady(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return new RedisOrderLedger({ redis, prefix: options.prefix, ownsConnection: true });
}
