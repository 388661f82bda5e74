import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/config/paths.js";
import { OrderKeySchema, type Order } from "../../src/core/order.js";
import type { StoreOrderRef } from "../../src/stores/store.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { suiteOrder } from "./store.js";

const CREATOR = resolve(PACKAGE_ROOT, "test/conformance/file-order-creator.mjs");
const BUILT = resolve(PACKAGE_ROOT, "dist/stores/file/index.js");
const CATALOG = resolve(PACKAGE_ROOT, "fixtures/catalogs/demo/catalog.csv");
const PROCESSES = 4;

function create(dir: string, order: Order, startAt: number): Promise<StoreOrderRef> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [CREATOR, JSON.stringify({ dir, catalog: CATALOG, order, startAt })],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (code === 0) done(JSON.parse(stdout) as StoreOrderRef);
      else fail(new Error(`creator exited ${code}: ${stderr}`));
    });
  });
}

describe("file store: concurrent creates from several processes", () => {
  it(`makes one order file and one row set of ${PROCESSES} processes creating one order at once`, async () => {
    expect(existsSync(BUILT), "build first: npm run build (npm test does)").toBe(true);
    const dir = makeTempDir("file-race");
    // Several rounds, each a new key: each round is a fresh race at the exclusive link.
    for (let round = 1; round <= 3; round += 1) {
      const key = OrderKeySchema.parse({
        marketplace: "ebay",
        account: "seller-1",
        orderId: `race-${round}`,
      });
      const order = suiteOrder(key, ["TEE-ORG-WHI-S", "TEE-ORG-BLA-M"], "USD");
      // Node starts in ~100 ms; all wait for one moment past that, then create together.
      const startAt = Date.now() + 1_500;
      const refs = await Promise.all(Array.from({ length: PROCESSES }, () => create(dir, order, startAt)));
      expect(
        refs.filter((ref) => ref.outcome === "created"),
        JSON.stringify(refs),
      ).toHaveLength(1);
      expect(new Set(refs.map((ref) => ref.storeOrderId))).toEqual(new Set([`ebay_seller-1_race-${round}`]));
    }
    const files = (await readdir(join(dir, "outbox"))).filter((name) => !name.startsWith("."));
    expect(files.sort()).toEqual([
      "ebay_seller-1_race-1.json",
      "ebay_seller-1_race-2.json",
      "ebay_seller-1_race-3.json",
    ]);
    // No temp file is left behind by the losers.
    expect((await readdir(join(dir, "outbox"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    const rows: Record<string, string>[] = parse(await readFile(join(dir, "orders.csv"), "utf8"), {
      columns: true,
    });
    // Two lines an order, written once each: the header once and 3 × 2 rows.
    expect(rows.map((row) => `${row.order_id} ${row.sku}`).sort()).toEqual([
      "race-1 TEE-ORG-BLA-M",
      "race-1 TEE-ORG-WHI-S",
      "race-2 TEE-ORG-BLA-M",
      "race-2 TEE-ORG-WHI-S",
      "race-3 TEE-ORG-BLA-M",
      "race-3 TEE-ORG-WHI-S",
    ]);
    const text = await readFile(join(dir, "orders.csv"), "utf8");
    expect(text.split("\n").filter((line) => line.startsWith("event,"))).toHaveLength(1);
  });
});
