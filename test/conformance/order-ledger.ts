import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../src/core/errors.js";
import { OrderSchema, type OrderKey } from "../../src/core/order.js";
import { newRecord, type OrderLedger, type OrderRecord } from "../../src/orders/ledger.js";
import { orderOf } from "../support/memory-marketplace.js";

/**
 * The contract of `OrderLedger` (src/orders/ledger.ts) as tests both backends must pass. `open`
 * gives a ledger, and `again` a second handle on the same storage: what another worker sees.
 */
export interface OpenedLedger {
  ledger: OrderLedger;
  again: () => Promise<OrderLedger>;
  cleanup: () => Promise<void>;
}

const NOW = new Date("2026-12-02T12:00:00Z");

function order(id: string, shipBy?: string) {
  return OrderSchema.parse({
    ...orderOf(id, [{ sku: "SKU-A", quantity: 2 }, { sku: "SKU-B" }], shipBy ? { shipBy } : {}),
    marketplace: "amazon",
    account: "A1",
  });
}

const keyOf = (id: string): OrderKey => ({ ...order(id), orderId: order(id).orderId });
const key = (id: string): OrderKey => {
  const { marketplace, account, orderId } = keyOf(id);
  return { marketplace, account, orderId };
};

export function describeOrderLedger(name: string, open: () => Promise<OpenedLedger>): void {
  describe(`order ledger conformance: ${name}`, () => {
    let opened: OpenedLedger;
    let ledger: OrderLedger;
    beforeAll(async () => {
      opened = await open();
      ledger = opened.ledger;
    });
    afterAll(async () => {
      await opened.cleanup();
    });

    it("stores a record whole and reads it back; an unknown key is undefined", async () => {
      const record: OrderRecord = {
        ...newRecord(order("R-1", "2026-12-03T00:00:00Z"), NOW),
        state: "imported",
        store: "file",
        storeOrderId: "S-1",
        sold: [{ sku: "SKU-A" as never, quantity: 2 }],
      };
      await ledger.put(record);
      expect(await ledger.get(key("R-1"))).toEqual(record);
      expect(await ledger.get(key("R-none"))).toBeUndefined();
      expect(await ledger.findByStoreOrder("file", "S-1")).toEqual(record);
      expect(await ledger.findByStoreOrder("shopify", "S-1")).toBeUndefined();
    });

    it("lists by state and counts; a state change moves the record out of its old state", async () => {
      for (const id of ["L-1", "L-2", "L-3"]) await ledger.put(newRecord(order(id), NOW));
      await ledger.put({ ...newRecord(order("L-2"), NOW), state: "unmatched", reason: "SKU X not sold" });
      const listed = async (states: OrderRecord["state"][]) => {
        const ids: string[] = [];
        for await (const page of ledger.list({ states }, 1))
          ids.push(...page.map((record) => String(record.key.orderId)));
        return ids.filter((id) => id.startsWith("L-")).sort();
      };
      expect(await listed(["received"])).toEqual(["L-1", "L-3"]);
      expect(await listed(["unmatched"])).toEqual(["L-2"]);
      const counts = await ledger.counts();
      expect(counts.unmatched).toBeGreaterThanOrEqual(1);
      expect(counts.received).toBeGreaterThanOrEqual(2);
    });

    it("lists open records only: imported with units left to ship, or shipments not settled", async () => {
      const shipped: OrderRecord = {
        ...newRecord(order("O-done"), NOW),
        state: "imported",
        shipments: [
          {
            shipmentId: "F1",
            state: "confirmed",
            attempts: 1,
            lines: [
              { lineId: "O-done-L1", sku: "SKU-A" as never, quantity: 2 },
              { lineId: "O-done-L2", sku: "SKU-B" as never, quantity: 1 },
            ],
          },
        ],
      };
      await ledger.put(shipped);
      await ledger.put({ ...newRecord(order("O-open"), NOW), state: "imported" });
      const open: string[] = [];
      for await (const page of ledger.list({ openOnly: true }))
        open.push(...page.map((record) => String(record.key.orderId)));
      expect(open).toContain("O-open");
      expect(open).not.toContain("O-done");
    });

    it("keeps checkpoints by name", async () => {
      expect(await ledger.checkpoint("pull:amazon/A1")).toBeUndefined();
      await ledger.setCheckpoint("pull:amazon/A1", "42");
      await ledger.setCheckpoint("pull:amazon/A1", "43");
      const other = await opened.again();
      try {
        expect(await other.checkpoint("pull:amazon/A1")).toBe("43");
      } finally {
        await other.close();
      }
    });

    it("a second handle waits for an order's lock, and gives up with conflict after its wait", async () => {
      const other = await opened.again();
      try {
        const events: string[] = [];
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const first = ledger.withOrderLock(key("K-1"), async () => {
          events.push("first in");
          await held;
          events.push("first out");
        });
        await sleep(50);
        const refused = await other
          .withOrderLock(key("K-1"), () => Promise.resolve(), { waitMs: 100 })
          .catch((error: unknown) => error);
        expect(isOmnifeedError(refused, "conflict")).toBe(true);
        const second = other.withOrderLock(key("K-1"), () => {
          events.push("second");
          return Promise.resolve();
        });
        // Another order's lock is free meanwhile.
        await other.withOrderLock(key("K-2"), () => Promise.resolve(events.push("other order")));
        release();
        await Promise.all([first, second]);
        expect(events).toEqual(["first in", "other order", "first out", "second"]);
      } finally {
        await other.close();
      }
    });

    it("a lock whose holder stopped renewing lapses after its ttl", async () => {
      const other = await opened.again();
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const first = ledger.withOrderLock(key("K-3"), () => held, { ttlMs: 300 });
        await sleep(20);
        // The holder's handle goes away without releasing (as a killed worker's does).
        await ledger.close();
        const started = Date.now();
        await other.withOrderLock(key("K-3"), () => Promise.resolve(), { waitMs: 5_000 });
        expect(Date.now() - started).toBeLessThan(3_000);
        release();
        await first.catch(() => undefined);
      } finally {
        ledger = await opened.again();
        opened.ledger = ledger;
        await other.close();
      }
    });
  });
}
