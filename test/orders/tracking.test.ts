import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmnifeedError } from "../../src/core/errors.js";
import type { Order, OrderKey } from "../../src/core/order.js";
import { collectShipments } from "../../src/orders/fulfillment.js";
import { pullOrders } from "../../src/orders/pull.js";
import { pushTracking, type TrackingContext } from "../../src/orders/tracking.js";
import { collectOrderStatus } from "../../src/orders/order-status.js";
import { MemoryMarketplace, orderOf } from "../support/memory-marketplace.js";
import {
  ORDER_STORES,
  orderContext,
  redisLedger,
  shopifyOrderStore,
  type OrderStore,
} from "./order-harness.js";

/**
 * ARCHITECTURE.md invariant 5: a store fulfillment reaches the marketplace as the right package
 * (partial shipments included), moves waiting → sent → confirmed | rejected, and what is late is told.
 */

const keyOf = (order: Order): OrderKey => ({
  marketplace: order.marketplace,
  account: order.account,
  orderId: order.orderId,
});

for (const [name, open] of Object.entries(ORDER_STORES)) {
  describe(`tracking from the ${name} store`, () => {
    let target: OrderStore;
    let redis: Awaited<ReturnType<typeof redisLedger>>;
    let marketplace: MemoryMarketplace;
    let tracking: TrackingContext;
    beforeAll(async () => {
      target = await open();
      redis = await redisLedger();
      marketplace = new MemoryMarketplace("amazon", `SHIP-${name}`);
      tracking = { ledger: redis.ledger, marketplaceOf: () => marketplace, clock: () => new Date() };
    });
    afterAll(async () => {
      await redis.drop();
      await target.teardown();
    });

    it("a partial shipment of one line, then the rest → two pushes with the right lines, then confirmed", async () => {
      const order = marketplace.place(
        orderOf(`P-${name}-${Date.now()}`, [{ sku: target.skus[0], quantity: 2 }, { sku: target.skus[1] }]),
      );
      const context = orderContext(redis.ledger, target.store);
      const pulled = await pullOrders(marketplace, context);
      const imported = pulled.imports.find((result) => result.key.orderId === order.orderId)!;
      expect(imported.outcome).toBe("imported");

      await target.fulfill(imported.storeOrderId!, [{ sku: target.skus[0], quantity: 2 }], {
        carrier: "UPS",
        number: "1Z-FIRST",
      });
      await collectShipments(context);
      const first = await pushTracking(tracking);
      expect(first.pushed.map((push) => push.lines)).toEqual([
        [{ lineId: `${order.orderId}-L1`, sku: target.skus[0], quantity: 2 }],
      ]);
      expect(marketplace.pushes.at(-1)).toMatchObject({ trackingNumber: "1Z-FIRST", carrier: "UPS" });
      expect(first.confirmed).toHaveLength(1);

      await target.fulfill(imported.storeOrderId!, [{ sku: target.skus[1], quantity: 1 }], {
        carrier: "Royal Mail",
        number: "RM-SECOND",
      });
      await collectShipments(context);
      const second = await pushTracking(tracking);
      expect(second.pushed.map((push) => push.lines)).toEqual([
        [{ lineId: `${order.orderId}-L2`, sku: target.skus[1], quantity: 1 }],
      ]);
      expect(marketplace.pushes.filter((push) => push.order.orderId === order.orderId)).toHaveLength(2);
      expect((await marketplace.getOrder(order.orderId))?.status).toBe("shipped");

      // Run again: nothing left to push; the ledger shows both packages confirmed.
      await collectShipments(context);
      expect((await pushTracking(tracking)).pushed).toEqual([]);
      const record = await redis.ledger.get(keyOf(order));
      expect(record?.shipments.map((shipment) => shipment.state)).toEqual(["confirmed", "confirmed"]);
    });
  });
}

describe("tracking edge cases (Shopify simulator, memory marketplace)", () => {
  let target: OrderStore;
  let redis: Awaited<ReturnType<typeof redisLedger>>;
  let marketplace: MemoryMarketplace;
  let now = new Date("2026-12-02T12:00:00Z");
  const clock = () => now;
  beforeAll(async () => {
    target = await shopifyOrderStore();
    redis = await redisLedger();
    marketplace = new MemoryMarketplace("amazon", "EDGE");
  });
  afterAll(async () => {
    await redis.drop();
    await target.teardown();
  });
  const tracking = (): TrackingContext => ({ ledger: redis.ledger, marketplaceOf: () => marketplace, clock });

  it("tracking added after the fulfillment was created → pushed then, not before", async () => {
    const order = marketplace.place(orderOf(`LATE-${Date.now()}`, [{ sku: target.skus[0] }]));
    const context = { ...orderContext(redis.ledger, target.store), clock };
    const pulled = await pullOrders(marketplace, context);
    const storeOrderId = pulled.imports.find((result) => result.key.orderId === order.orderId)!.storeOrderId!;
    const fulfillmentId = await target.fulfill(storeOrderId, [{ sku: target.skus[0], quantity: 1 }], {
      carrier: "UPS",
    });
    await collectShipments(context);
    const before = await pushTracking(tracking());
    expect(before.pushed).toEqual([]);
    expect(before.waiting).toBe(1);
    await target.addTracking!(fulfillmentId, { carrier: "UPS", number: "1Z-LATE" });
    await collectShipments(context);
    const after = await pushTracking(tracking());
    expect(after.pushed).toHaveLength(1);
    expect(marketplace.pushes.at(-1)).toMatchObject({ shipmentId: fulfillmentId, trackingNumber: "1Z-LATE" });
  });

  it("a transient failure waits its backoff and is sent later; a refusal is rejected with its reason", async () => {
    const order = marketplace.place(
      orderOf(`RETRY-${Date.now()}`, [{ sku: target.skus[0] }, { sku: target.skus[1] }]),
    );
    const context = { ...orderContext(redis.ledger, target.store), clock };
    const pulled = await pullOrders(marketplace, context);
    const storeOrderId = pulled.imports.find((result) => result.key.orderId === order.orderId)!.storeOrderId!;
    await target.fulfill(storeOrderId, [{ sku: target.skus[0], quantity: 1 }], {
      carrier: "DHL",
      number: "DHL-1",
    });
    await collectShipments(context);
    marketplace.failNext(
      "pushShipment",
      new OmnifeedError("rate_limited", "429 QuotaExceeded", { retryAfterMs: 60_000 }),
    );
    const limited = await pushTracking(tracking());
    expect(limited.deferred).toHaveLength(1);
    expect(limited.deferred[0]!.nextAttemptAt).toBe(new Date(now.getTime() + 60_000).toISOString());
    expect((await pushTracking(tracking())).pushed).toEqual([]);
    now = new Date(now.getTime() + 61_000);
    expect((await pushTracking(tracking())).pushed).toHaveLength(1);

    await target.fulfill(storeOrderId, [{ sku: target.skus[1], quantity: 1 }], {
      carrier: "DHL",
      number: "DHL-2",
    });
    await collectShipments(context);
    marketplace.failNext("pushShipment", new OmnifeedError("rejected", "InvalidInput: carrier code"));
    const refused = await pushTracking(tracking());
    expect(refused.rejected).toEqual([expect.objectContaining({ reason: "InvalidInput: carrier code" })]);
    const record = await redis.ledger.get(keyOf(order));
    expect(record?.shipments.map((shipment) => shipment.state)).toEqual(["confirmed", "rejected"]);
  });

  it("a push whose ledger write was lost is pushed again and answered already_sent: one package on the marketplace", async () => {
    const order = marketplace.place(orderOf(`LOST-${Date.now()}`, [{ sku: target.skus[1] }]));
    const context = { ...orderContext(redis.ledger, target.store), clock };
    const pulled = await pullOrders(marketplace, context);
    const storeOrderId = pulled.imports.find((result) => result.key.orderId === order.orderId)!.storeOrderId!;
    await target.fulfill(storeOrderId, [{ sku: target.skus[1], quantity: 1 }], {
      carrier: "UPS",
      number: "1Z-LOST",
    });
    await collectShipments(context);
    const before = await redis.ledger.get(keyOf(order));
    expect((await pushTracking(tracking())).pushed).toHaveLength(1);
    // The worker died after the marketplace accepted the package, before the ledger said so.
    await redis.ledger.put(before!);
    const again = await pushTracking(tracking());
    expect(again.pushed).toEqual([expect.objectContaining({ outcome: "already_sent" })]);
    expect(marketplace.pushes.filter((push) => push.order.orderId === order.orderId)).toHaveLength(1);
    expect((await redis.ledger.get(keyOf(order)))?.shipments.map((shipment) => shipment.state)).toEqual([
      "confirmed",
    ]);
  });

  it("an order past its ship-by date with nothing confirmed is reported overdue in the status", async () => {
    const order = marketplace.place(
      orderOf(`LATE-SHIP-${Date.now()}`, [{ sku: target.skus[0] }], { shipBy: "2026-12-01T00:00:00Z" }),
    );
    const context = { ...orderContext(redis.ledger, target.store), clock };
    await pullOrders(marketplace, context);
    const result = await pushTracking(tracking());
    expect(result.overdue).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: keyOf(order), state: "not_shipped" })]),
    );
    const status = await collectOrderStatus(redis.ledger, now);
    expect(status.overdue.map((item) => item.key.orderId)).toContain(order.orderId);
  });
});
