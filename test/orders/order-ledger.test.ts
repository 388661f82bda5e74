import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectRedis } from "../../src/infra/redis.js";
import { openOrderLedger } from "../../src/orders/ledger-open.js";
import { SqliteOrderLedger } from "../../src/orders/ledger-sqlite.js";
import { describeOrderLedger } from "../conformance/order-ledger.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { REDIS_URL } from "./order-harness.js";

describeOrderLedger("embedded (SQLite)", () => {
  const file = join(makeTempDir("order-ledger"), "orders.sqlite");
  return Promise.resolve({
    ledger: SqliteOrderLedger.open(file),
    again: () => Promise.resolve(SqliteOrderLedger.open(file)),
    cleanup: () => Promise.resolve(),
  });
});

describeOrderLedger("Redis", async () => {
  const prefix = `omnifeed-test:${randomUUID()}:`;
  const open = () => openOrderLedger({ backend: "redis", url: REDIS_URL, prefix });
  const ledger = await open();
  const handles = [ledger];
  return {
    ledger,
    again: async () => {
      const other = await open();
      handles.push(other);
      return other;
    },
    cleanup: async () => {
      for (const handle of handles) await handle.close();
      const redis = connectRedis(REDIS_URL);
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    },
  };
});

describe("embedded ledger file", () => {
  it("a file that is not a ledger is a config error naming it", async () => {
    const dir = makeTempDir("order-ledger-bad");
    const error = await openOrderLedger({ backend: "embedded", file: dir }).catch(
      (caught: unknown) => caught,
    );
    expect(String(error)).toContain(dir);
  });
});
