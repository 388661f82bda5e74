import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { salePayloadOf } from "../../src/jobs/order-stock.js";
import { SqliteOrderLedger } from "../../src/orders/ledger-sqlite.js";
import type { OrderLedger } from "../../src/orders/ledger.js";
import { pullOrders } from "../../src/orders/pull.js";
import { recordStoreCancellation } from "../../src/orders/store-cancel.js";
import { MemoryMarketplace, orderOf } from "../support/memory-marketplace.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { fileOrderStore, orderContext, type OrderStore } from "./order-harness.js";

/** What the worker does with an imported order's sale and with a merchant's cancellation in the store. */
describe("the store's order_cancelled and an import's sale", () => {
  let target: OrderStore;
  let ledger: OrderLedger;
  beforeAll(async () => {
    target = await fileOrderStore();
    ledger = SqliteOrderLedger.open(join(makeTempDir("orders-store-cancel"), "orders.sqlite"));
  });
  afterAll(async () => {
    await ledger.close();
    await target.teardown();
  });

  it("a sale names its order, its marketplace's channel and each SKU's marketplace lines; eBay has no channel", async () => {
    const amazon = new MemoryMarketplace("amazon", "A1", 10);
    const ebay = new MemoryMarketplace("ebay", "seller-1", 10);
    const [first, second] = target.skus;
    amazon.place(
      orderOf("111-0000001-0000001", [{ sku: first, quantity: 2 }, { sku: second }, { sku: first }]),
    );
    ebay.place(orderOf("E-1", [{ sku: second, quantity: 3 }]));
    const context = orderContext(ledger, target.store);
    const [fromAmazon] = (await pullOrders(amazon, context)).imports;
    const [fromEbay] = (await pullOrders(ebay, context)).imports;
    const record = await ledger.get(fromAmazon!.key);
    expect(await salePayloadOf(fromAmazon!, ledger)).toEqual({
      name: "stock",
      orderKey: "amazon/A1/111-0000001-0000001",
      fromChannel: "amazon",
      sold: [
        { sku: first, quantity: 3, line: `${record!.lines[0]!.lineId},${record!.lines[2]!.lineId}` },
        { sku: second, quantity: 1, line: record!.lines[1]!.lineId },
      ],
      soldAt: Date.parse(record!.importedAt!),
    });
    const sale = await salePayloadOf(fromEbay!, ledger);
    expect(sale).toMatchObject({ orderKey: "ebay/seller-1/E-1", sold: [{ sku: second, quantity: 3 }] });
    expect(sale).not.toHaveProperty("fromChannel");
    // Once in the store, the same order sells nothing more.
    const again = await pullOrders(amazon, context);
    expect(again.imports).toEqual([]);
  });

  it("records the merchant's cancellation once; no pull imports the order again", async () => {
    const marketplace = new MemoryMarketplace("amazon", "A2", 10);
    const placed = marketplace.place(orderOf("111-0000002-0000001", [{ sku: target.skus[0] }]));
    const context = orderContext(ledger, target.store);
    const [imported] = (await pullOrders(marketplace, context)).imports;
    const key = imported!.key;
    const storeOrderId = imported!.storeOrderId!;

    expect(await recordStoreCancellation({ storeOrderId }, context)).toEqual({
      storeOrderId,
      key,
      outcome: "cancelled",
    });
    const record = await ledger.get(key);
    expect(record).toMatchObject({
      state: "cancelled",
      reason: "cancelled in the store",
      cancellation: { storeCancelled: true },
    });
    expect(await recordStoreCancellation({ storeOrderId }, context)).toMatchObject({
      outcome: "already_cancelled",
    });
    expect(await recordStoreCancellation({ storeOrderId: "not-ours" }, context)).toEqual({
      storeOrderId: "not-ours",
      outcome: "unknown_order",
    });
    // The marketplace reports the order again, newer: it stays cancelled, nothing is imported.
    marketplace.place({ ...placed });
    const later = await pullOrders(marketplace, context);
    expect(later.imports).toEqual([]);
    expect(await target.countOrders(key)).toBe(1);
  });
});
