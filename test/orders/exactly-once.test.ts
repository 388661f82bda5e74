import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmnifeedError } from "../../src/core/errors.js";
import { OrderSchema, type OrderKey } from "../../src/core/order.js";
import { importOrder } from "../../src/orders/import.js";
import { pullOrders, receiveOrder, syncOrder } from "../../src/orders/pull.js";
import type { Store } from "../../src/stores/store.js";
import { MemoryMarketplace, orderOf } from "../support/memory-marketplace.js";
import { ORDER_STORES, orderContext, REDIS_URL, redisLedger, type OrderStore } from "./order-harness.js";

/**
 * ARCHITECTURE.md invariant 4 on the real stores (the file store, the Shopify and WooCommerce
 * simulators) and a real Redis ledger: whatever happens, one marketplace order is one store order.
 */

const CHILD = join(import.meta.dirname, "import-child.mjs");

for (const [name, open] of Object.entries(ORDER_STORES)) {
  describe(`exactly once into the ${name} store`, () => {
    let target: OrderStore;
    let redis: Awaited<ReturnType<typeof redisLedger>>;
    let marketplace: MemoryMarketplace;
    let next = 0;
    const place = (lines: { sku: string; quantity?: number }[]) => {
      next += 1;
      return marketplace.place(orderOf(`${name.toUpperCase()}-${Date.now()}-${next}`, lines));
    };
    const keyOf = (order: {
      marketplace: OrderKey["marketplace"];
      account: OrderKey["account"];
      orderId: OrderKey["orderId"];
    }): OrderKey => ({
      marketplace: order.marketplace,
      account: order.account,
      orderId: order.orderId,
    });

    beforeAll(async () => {
      target = await open();
      redis = await redisLedger();
      marketplace = new MemoryMarketplace("amazon", `SELLER-${name}`);
    });
    afterAll(async () => {
      await redis.drop();
      await target.teardown();
    });

    it("the same order imported three times in a row → one store order", async () => {
      const order = place([{ sku: target.skus[0] }]);
      const context = orderContext(redis.ledger, target.store);
      await receiveOrder(order, context);
      const outcomes = [];
      for (let run = 0; run < 3; run += 1) outcomes.push((await importOrder(keyOf(order), context)).outcome);
      expect(outcomes).toEqual(["imported", "already_imported", "already_imported"]);
      expect(await target.countOrders(keyOf(order))).toBe(1);
    });

    it("three workers importing the same order at once → one store order", async () => {
      const order = place([{ sku: target.skus[1], quantity: 2 }]);
      const workers = [redis.ledger, await redis.another(), await redis.another()];
      await receiveOrder(order, orderContext(workers[0]!, target.store));
      const results = await Promise.all(
        workers.map((ledger) => importOrder(keyOf(order), orderContext(ledger, target.store))),
      );
      expect(results.map((result) => result.outcome).sort()).toEqual([
        "already_imported",
        "already_imported",
        "imported",
      ]);
      expect(await target.countOrders(keyOf(order))).toBe(1);
      const record = await redis.ledger.get(keyOf(order));
      expect(record?.state).toBe("imported");
      expect(record?.sold).toEqual([{ sku: target.skus[1], quantity: 2 }]);
    });

    it("a notification delivered three times (three order-sync runs at once, then a poll) → one store order", async () => {
      const order = place([{ sku: target.skus[0] }]);
      const workers = [redis.ledger, await redis.another(), await redis.another()];
      const results = await Promise.all(
        workers.map((ledger) => syncOrder(marketplace, order.orderId, orderContext(ledger, target.store))),
      );
      expect(results.filter((result) => result.import?.outcome === "imported")).toHaveLength(1);
      await pullOrders(marketplace, orderContext(redis.ledger, target.store));
      expect(await target.countOrders(keyOf(order))).toBe(1);
    });

    it("two overlapping polls of the same marketplace → each order once", async () => {
      const orders = [
        place([{ sku: target.skus[0] }]),
        place([{ sku: target.skus[1] }]),
        place([{ sku: target.skus[0] }]),
      ];
      const [a, b] = [await redis.another(), await redis.another()];
      const results = await Promise.all(
        [a, b].map((ledger) => pullOrders(marketplace, orderContext(ledger, target.store))),
      );
      for (const order of orders) expect(await target.countOrders(keyOf(order))).toBe(1);
      const imported = results
        .flatMap((result) => result.imports)
        .filter((result) => result.outcome === "imported");
      expect(imported.map((result) => result.key.orderId).sort()).toEqual(
        expect.arrayContaining(orders.map((order) => order.orderId)),
      );
      expect(new Set(imported.map((result) => result.key.orderId)).size).toBe(imported.length);
    });

    it("a store that times out after creating → one store order, healed by the store-side lookup", async () => {
      const order = place([{ sku: target.skus[0] }]);
      const real = target.store;
      const timingOut: Store = {
        ...real,
        id: real.id,
        async createOrder(input, context) {
          await real.createOrder(input, context);
          throw new OmnifeedError("transient", "the store did not answer in time");
        },
      };
      await receiveOrder(order, orderContext(redis.ledger, timingOut));
      const first = await importOrder(keyOf(order), orderContext(redis.ledger, timingOut)).catch(
        (error: unknown) => error,
      );
      expect(first).toBeInstanceOf(OmnifeedError);
      expect((await redis.ledger.get(keyOf(order)))?.state).toBe("importing");
      const second = await importOrder(keyOf(order), orderContext(redis.ledger, timingOut));
      expect(second).toMatchObject({ outcome: "imported", found: true });
      expect(await target.countOrders(keyOf(order))).toBe(1);
    });

    it("a worker SIGKILLed between the store's create and the ledger write → one store order after a new run", async () => {
      const order = place([{ sku: target.skus[1] }]);
      const child = spawn(
        process.execPath,
        [
          CHILD,
          JSON.stringify({
            store: target.child,
            redisUrl: REDIS_URL,
            prefix: redis.prefix,
            order: OrderSchema.parse(order),
            ttlMs: 1000,
          }),
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, killed) => resolve(killed)),
      );
      expect(signal, err).toBe("SIGKILL");
      expect(out).toContain('"outcome":"created"');
      expect(await target.countOrders(keyOf(order))).toBe(1);
      expect((await redis.ledger.get(keyOf(order)))?.state).toBe("importing");
      // The new run waits out the dead worker's lease (1 s), then finds the order in the store.
      const again = await importOrder(keyOf(order), orderContext(redis.ledger, target.store));
      expect(again).toMatchObject({ outcome: "imported", found: true });
      expect(await target.countOrders(keyOf(order))).toBe(1);
    }, 30_000);
  });
}
