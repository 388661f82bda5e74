import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../src/core/errors.js";
import type { Order, OrderKey } from "../../src/core/order.js";
import { SqliteOrderLedger } from "../../src/orders/ledger-sqlite.js";
import type { OrderLedger } from "../../src/orders/ledger.js";
import { pullCheckpointName, pullOrders } from "../../src/orders/pull.js";
import { loadSkuMap } from "../../src/orders/sku-map.js";
import { readOutboxOrder } from "../../src/stores/file/outbox.js";
import type { FileStore } from "../../src/stores/file/index.js";
import { MemoryMarketplace, orderOf } from "../support/memory-marketplace.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { fileOrderStore, orderContext, type OrderStore } from "./order-harness.js";

const keyOf = (order: Order): OrderKey => ({
  marketplace: order.marketplace,
  account: order.account,
  orderId: order.orderId,
});

describe("the order pipeline on the embedded ledger and the file store", () => {
  let target: OrderStore;
  let ledger: OrderLedger;
  let marketplace: MemoryMarketplace;
  beforeAll(async () => {
    target = await fileOrderStore();
    ledger = SqliteOrderLedger.open(join(makeTempDir("orders-pipeline"), "orders.sqlite"));
    marketplace = new MemoryMarketplace("ebay", "seller-1", 2);
  });
  afterAll(async () => {
    await ledger.close();
    await target.teardown();
  });

  it("stores each page's checkpoint only after its orders are in the ledger; a failed pull resumes there", async () => {
    const placed = [0, 1, 2, 3, 4].map((index) =>
      marketplace.place(orderOf(`CP-${index}`, [{ sku: target.skus[0] }])),
    );
    const context = orderContext(ledger, target.store);
    const real = marketplace.pullOrders.bind(marketplace);
    // The third page never comes: the pull stops after two pages.
    marketplace.pullOrders = async function* (since, ctx) {
      let pages = 0;
      for await (const page of real(since, ctx)) {
        if (++pages === 3) throw new Error("connection reset");
        yield page;
      }
    };
    await expect(pullOrders(marketplace, context)).rejects.toThrow("connection reset");
    // Two pages of two orders are in the ledger, the fifth is not; the checkpoint is the second page's.
    expect((await ledger.get(keyOf(placed[3]!)))?.state).toBe("received");
    expect(await ledger.get(keyOf(placed[4]!))).toBeUndefined();
    expect(await ledger.checkpoint(pullCheckpointName(marketplace))).toBe("4");
    marketplace.pullOrders = real;
    const result = await pullOrders(marketplace, context);
    for (const order of placed) expect((await ledger.get(keyOf(order)))?.state).toBe("imported");
    expect(result.imports.filter((entry) => entry.outcome === "imported")).toHaveLength(5);
  });

  it("an order with a SKU the store does not sell is held unmatched with the reason, then imported once the SKU map names it", async () => {
    const order = marketplace.place(orderOf(`UM-${Date.now()}`, [{ sku: "EBAY-TEE-WHITE-S" }]));
    const context = orderContext(ledger, target.store);
    const held = await pullOrders(marketplace, context);
    const result = held.imports.find((entry) => entry.key.orderId === order.orderId)!;
    expect(result.outcome).toBe("unmatched");
    expect(result.reason).toContain("EBAY-TEE-WHITE-S");
    expect((await ledger.get(keyOf(order)))?.state).toBe("unmatched");

    const mapFile = join(makeTempDir("sku-map"), "sku-map.csv");
    await writeFile(
      mapFile,
      `marketplace,marketplace_sku,store_sku\nebay,EBAY-TEE-WHITE-S,${target.skus[0]}\n`,
    );
    const fixed = await pullOrders(marketplace, { ...context, skuMap: await loadSkuMap(mapFile) });
    expect(fixed.imports.find((entry) => entry.key.orderId === order.orderId)?.outcome).toBe("imported");
    const record = await ledger.get(keyOf(order));
    expect(record?.lines).toEqual([
      expect.objectContaining({ marketplaceSku: "EBAY-TEE-WHITE-S", sku: target.skus[0] }),
    ]);
    expect(record?.sold).toEqual([{ sku: target.skus[0], quantity: 1 }]);
  });

  it("a marketplace cancellation cancels the store order (compensation) and the ledger records it", async () => {
    const order = marketplace.place(orderOf(`CX-${Date.now()}`, [{ sku: target.skus[1] }]));
    const context = orderContext(ledger, target.store);
    await pullOrders(marketplace, context);
    const storeOrderId = (await ledger.get(keyOf(order)))!.storeOrderId!;
    marketplace.cancel(order.orderId);
    const result = await pullOrders(marketplace, context);
    expect(result.cancels).toEqual([expect.objectContaining({ outcome: "cancelled", storeOrderId })]);
    expect((await readOutboxOrder((target.store as FileStore).layout, storeOrderId))?.status).toBe(
      "cancelled",
    );
    const record = await ledger.get(keyOf(order));
    expect(record).toMatchObject({ state: "cancelled", cancellation: { storeCancelled: true } });
    // Pulled again: nothing more happens.
    expect((await pullOrders(marketplace, context)).cancels).toEqual([]);
  });

  it("a SKU map with a bad row is a config error naming file:line", async () => {
    const mapFile = join(makeTempDir("sku-map-bad"), "map.csv");
    await writeFile(mapFile, "marketplace_sku,store_sku\nA,B\nA,C\n");
    const error = await loadSkuMap(mapFile).catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "config")).toBe(true);
    expect(String(error)).toContain(`${mapFile}:3`);
  });
});
