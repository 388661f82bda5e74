import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Product } from "../../src/core/catalog.js";
import { isOmnifeedError, type ErrorKind } from "../../src/core/errors.js";
import {
  OrderKeySchema,
  OrderSchema,
  type Order,
  type OrderKey,
  type Shipment,
} from "../../src/core/order.js";
import type { Checkpoint } from "../../src/sources/source.js";
import { testOrder } from "../support/store-orders.js";
import type {
  CatalogPage,
  IncomingWebhook,
  Store,
  StoreContext,
  StoreOrderRef,
} from "../../src/stores/store.js";

/**
 * The contract of `Store` (src/stores/store.ts) as tests every store must pass: the file store
 * against the file system, Shopify and WooCommerce against their simulators (STYLE.md: a written
 * contract plus a conformance suite every adapter passes). The setup acts as the merchant where
 * the contract has no call for it: it fulfills orders in the store's own back office and counts
 * the store's orders without going through the connector.
 */

/** A line of a fulfillment the merchant makes. */
export interface FulfilledLine {
  sku: string;
  quantity: number;
}

/** The tracking the merchant types into the fulfillment. */
export interface FulfillmentTracking {
  carrier: string;
  number: string;
  url?: string | undefined;
}

/** What the suite needs to drive and observe one store. */
export interface StoreUnderTest {
  store: Store;
  /** Defaults to the wall clock and no signal. */
  context?: StoreContext | undefined;
  seed: {
    /**
     * At least two SKUs the store sells with stock (enough for a few orders of one unit each).
     * The catalog must span two pages or more, so resuming from a checkpoint means something.
     */
    skus: readonly string[];
    /** The store's currency; the suite's orders are priced in it. */
    currency: string;
  };
  /**
   * Acts as the merchant: ships `lines` of the store's order `storeOrderId` with `tracking`, in
   * the store itself (the simulator's back office, a tracking file in the file store's inbox).
   */
  fulfill(
    storeOrderId: string,
    lines: readonly FulfilledLine[],
    tracking: FulfillmentTracking,
  ): Promise<void>;
  /** How many orders the store holds for `key`, counted in the store itself, not through `findOrder`. */
  countOrders(key: OrderKey): Promise<number>;
  /** Whether the store's order `storeOrderId` is cancelled, read in the store itself. */
  isCancelled(storeOrderId: string): Promise<boolean>;
  /** Stores that send webhooks: how to get a real delivery and how they sign it. */
  webhooks?:
    | {
        /** The header that carries the signature, lower case (`x-shopify-hmac-sha256`). */
        signatureHeader: string;
        /** The signature header's value `secret` gives over `rawBody`, computed as the store does. */
        sign(rawBody: Buffer, secret: string): string;
        /**
         * A delivery the store sent about the order (after the suite fulfilled it), signed with
         * the secret the store under test was configured with; headers in lower case.
         */
        delivery(ref: { storeOrderId: string; key: OrderKey }): Promise<IncomingWebhook>;
      }
    | undefined;
  /** Removes what the setup made (folders, simulator servers). */
  teardown(): Promise<void>;
}

/** One run's order ids never meet another run's: stores keep orders between runs. */
const RUN = randomUUID().slice(0, 8);
let serial = 0;

function newKey(label: string): OrderKey {
  serial += 1;
  return OrderKeySchema.parse({
    marketplace: "amazon",
    account: "A1CONFORMANCE",
    orderId: `suite-${RUN}-${label}-${serial}`,
  });
}

/** A canonical order for `key`, one unit of each SKU, priced in the store's currency. */
export function suiteOrder(key: OrderKey, skus: readonly string[], currency: string): Order {
  return testOrder(
    key.orderId,
    skus.map((sku, index) => ({ sku, unitPrice: 1000 + index * 100 })),
    { ...key, currency, buyer: { name: "Conformance Buyer", email: "buyer@marketplace.example" } },
  );
}

async function failureKind(work: () => Promise<unknown>): Promise<ErrorKind | "no error" | "other"> {
  try {
    await work();
    return "no error";
  } catch (error) {
    return isOmnifeedError(error) ? error.kind : "other";
  }
}

function kindOf(work: () => unknown): ErrorKind | "no error" | "other" {
  try {
    work();
    return "no error";
  } catch (error) {
    return isOmnifeedError(error) ? error.kind : "other";
  }
}

async function allPages(store: Store, context: StoreContext, from?: Checkpoint): Promise<CatalogPage[]> {
  const pages: CatalogPage[] = [];
  for await (const page of store.readCatalog(context, from)) pages.push(page);
  return pages;
}

function products(pages: readonly CatalogPage[]): Product[] {
  return pages.flatMap((page) => page.entries.map((entry) => entry.product));
}

function shipmentsOf(shipments: readonly Shipment[], storeOrderId: string): Shipment[] {
  return shipments.filter((shipment) => shipment.storeOrderId === storeOrderId);
}

function sortedLines(
  lines: readonly { sku: string; quantity: number }[],
): { sku: string; quantity: number }[] {
  return lines
    .map((line) => ({ sku: String(line.sku), quantity: line.quantity }))
    .sort((a, b) => a.sku.localeCompare(b.sku));
}

export function describeStoreConformance(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    let context: StoreContext;
    let skus: readonly string[];
    let currency: string;

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
      context = subject.context ?? { clock: () => new Date() };
      skus = subject.seed.skus;
      currency = subject.seed.currency;
      expect(skus.length, "the setup must seed at least two SKUs with stock").toBeGreaterThanOrEqual(2);
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    it("answers check() with ok and names what it reached", async () => {
      const answer = await store.check(context);
      expect(answer.ok, answer.detail).toBe(true);
      expect(answer.target.length).toBeGreaterThan(0);
      expect(answer.detail.length).toBeGreaterThan(0);
    });

    describe("readCatalog", () => {
      it("streams the catalog in pages, each but the last with a checkpoint, and sells the seeded SKUs", async () => {
        const pages = await allPages(store, context);
        expect(pages.length, "the setup's catalog must span two pages or more").toBeGreaterThanOrEqual(2);
        pages.slice(0, -1).forEach((page, index) => {
          expect(typeof page.checkpoint, `page ${index + 1} has no checkpoint`).toBe("string");
        });
        expect(pages.at(-1)!.checkpoint).toBeUndefined();
        const sold = new Set(
          products(pages).flatMap((product) => product.variants.map((v) => String(v.sku))),
        );
        for (const sku of skus) expect(sold.has(sku), `seeded SKU ${sku} is not in the catalog`).toBe(true);
        // Origins are index-aligned with the variants, whatever the store calls its records.
        for (const page of pages) {
          for (const entry of page.entries) {
            expect(entry.origin.variantLines).toHaveLength(entry.product.variants.length);
            if (entry.origin.ids)
              expect(entry.origin.ids.variants).toHaveLength(entry.product.variants.length);
          }
        }
      });

      it("resumes from each page's checkpoint with exactly the entries after that page", async () => {
        const pages = await allPages(store, context);
        const all = products(pages);
        let seen = 0;
        // The first page and the one before the last cover the start and the end of a resume.
        const at = [...new Set([0, Math.max(0, pages.length - 2)])];
        for (let index = 0; index < pages.length - 1; index += 1) {
          seen += pages[index]!.entries.length;
          if (!at.includes(index)) continue;
          const rest = products(await allPages(store, context, pages[index]!.checkpoint));
          expect(rest.map((product) => product.id)).toEqual(all.slice(seen).map((product) => product.id));
          expect(rest).toEqual(all.slice(seen));
        }
      });

      it("reads the same catalog twice alike", async () => {
        expect(products(await allPages(store, context))).toEqual(products(await allPages(store, context)));
      });
    });

    describe("createOrder and findOrder", () => {
      it("creates an order once: the same order again is found with the same id", async () => {
        const key = newKey("twice");
        const order = suiteOrder(key, skus.slice(0, 2), currency);
        expect(await store.findOrder(key, context)).toBeUndefined();
        const first = await store.createOrder(order, context);
        expect(first.outcome).toBe("created");
        expect(first.storeOrderId.length).toBeGreaterThan(0);
        const second = await store.createOrder(order, context);
        expect(second.outcome).toBe("found");
        expect(second.storeOrderId).toBe(first.storeOrderId);
        const third = await store.createOrder(order, context);
        expect(third).toMatchObject({ outcome: "found", storeOrderId: first.storeOrderId });
        const found = await store.findOrder(key, context);
        expect(found).toMatchObject({ outcome: "found", storeOrderId: first.storeOrderId });
        expect(await subject.countOrders(key)).toBe(1);
      });

      it("makes one store order of three concurrent creates of one key", async () => {
        const key = newKey("race");
        const order = suiteOrder(key, skus.slice(0, 1), currency);
        const refs: StoreOrderRef[] = await Promise.all([
          store.createOrder(order, context),
          store.createOrder(order, context),
          store.createOrder(order, context),
        ]);
        expect(new Set(refs.map((ref) => ref.storeOrderId)).size).toBe(1);
        expect(refs.filter((ref) => ref.outcome === "created")).toHaveLength(1);
        expect(await store.findOrder(key, context)).toMatchObject({ storeOrderId: refs[0]!.storeOrderId });
        expect(await subject.countOrders(key)).toBe(1);
      });

      it("keeps orders of different keys apart", async () => {
        const one = newKey("apart");
        const other = { ...one, orderId: OrderSchema.shape.orderId.parse(`${String(one.orderId)}-b`) };
        const a = await store.createOrder(suiteOrder(one, skus.slice(0, 1), currency), context);
        const b = await store.createOrder(suiteOrder(other, skus.slice(0, 1), currency), context);
        expect(a.outcome).toBe("created");
        expect(b.outcome).toBe("created");
        expect(a.storeOrderId).not.toBe(b.storeOrderId);
        expect((await store.findOrder(one, context))?.storeOrderId).toBe(a.storeOrderId);
        expect((await store.findOrder(other, context))?.storeOrderId).toBe(b.storeOrderId);
      });

      it("refuses an order with an unknown SKU (rejected) and creates nothing", async () => {
        const key = newKey("unknown-sku");
        const unknown = `NO-SUCH-SKU-${RUN}`;
        const order = suiteOrder(key, [skus[0]!, unknown], currency);
        let caught: unknown;
        try {
          await store.createOrder(order, context);
        } catch (error) {
          caught = error;
        }
        expect(isOmnifeedError(caught, "rejected"), `expected a rejected error, got ${String(caught)}`).toBe(
          true,
        );
        expect((caught as Error).message).toContain(unknown);
        expect(await store.findOrder(key, context)).toBeUndefined();
        expect(await subject.countOrders(key)).toBe(0);
      });

      it("answers findOrder with undefined for a key it never saw", async () => {
        expect(await store.findOrder(newKey("never"), context)).toBeUndefined();
      });
    });

    describe("cancelOrder", () => {
      it("cancels an order it created, safely twice, and the key stays taken", async () => {
        const key = newKey("cancel");
        const order = suiteOrder(key, skus.slice(0, 1), currency);
        const created = await store.createOrder(order, context);
        expect(await subject.isCancelled(created.storeOrderId)).toBe(false);
        await store.cancelOrder(created.storeOrderId, context);
        expect(await subject.isCancelled(created.storeOrderId)).toBe(true);
        // Compensation runs again after a crash: a second cancel changes nothing and does not fail.
        await store.cancelOrder(created.storeOrderId, context);
        expect(await subject.isCancelled(created.storeOrderId)).toBe(true);
        // Exactly once per key: a retried import finds the cancelled order instead of making another.
        const again = await store.createOrder(order, context);
        expect(again).toMatchObject({ outcome: "found", storeOrderId: created.storeOrderId });
        expect(await subject.countOrders(key)).toBe(1);
      });

      it("answers not_found for an order id the store does not hold", async () => {
        expect(await failureKind(() => store.cancelOrder(`no-such-order-${RUN}`, context))).toBe("not_found");
      });
    });

    describe("shipmentsSince", () => {
      it("reports a fulfillment made after a checkpoint once, with carrier, number, lines and order key", async () => {
        const key = newKey("ship");
        const order = suiteOrder(key, skus.slice(0, 2), currency);
        const created = await store.createOrder(order, context);
        const before = await store.shipmentsSince(undefined, context);
        expect(typeof before.checkpoint).toBe("string");
        const start = await drain(before.checkpoint);

        const number = `1Z${RUN.toUpperCase()}001`;
        await subject.fulfill(created.storeOrderId, [{ sku: skus[0]!, quantity: 1 }], {
          carrier: "UPS",
          number,
          url: `https://www.ups.com/track?tracknum=${number}`,
        });
        const after = await store.shipmentsSince(start, context);
        const reported = shipmentsOf(after.shipments, created.storeOrderId);
        expect(reported).toHaveLength(1);
        const shipment = reported[0]!;
        expect(shipment.shipmentId.length).toBeGreaterThan(0);
        expect(shipment.carrier).toBe("UPS");
        expect(shipment.trackingNumber).toBe(number);
        expect(shipment.order).toEqual(key);
        expect(sortedLines(shipment.lines)).toEqual([{ sku: skus[0]!, quantity: 1 }]);
        expect(shipment.cancelled).toBe(false);

        // From the new checkpoint it is not news any more (a store that repeats it must keep its id).
        const later = await store.shipmentsSince(after.checkpoint, context);
        for (const again of shipmentsOf(later.shipments, created.storeOrderId)) {
          expect(again.shipmentId).toBe(shipment.shipmentId);
        }

        // The rest of the order ships later: a second shipment with its own id (a partial shipment).
        const second = `1Z${RUN.toUpperCase()}002`;
        await subject.fulfill(created.storeOrderId, [{ sku: skus[1]!, quantity: 1 }], {
          carrier: "USPS",
          number: second,
        });
        const next = await store.shipmentsSince(later.checkpoint, context);
        const fresh = shipmentsOf(next.shipments, created.storeOrderId).filter(
          (candidate) => candidate.shipmentId !== shipment.shipmentId,
        );
        expect(fresh).toHaveLength(1);
        expect(fresh[0]).toMatchObject({ carrier: "USPS", trackingNumber: second, order: key });
        expect(sortedLines(fresh[0]!.lines)).toEqual([{ sku: skus[1]!, quantity: 1 }]);
      });
    });

    /** Follows checkpoints until a call reports nothing new: where "now" is for the store. */
    async function drain(from: Checkpoint): Promise<Checkpoint> {
      let checkpoint = from;
      for (let round = 0; round < 100; round += 1) {
        const page = await store.shipmentsSince(checkpoint, context);
        if (page.shipments.length === 0 || page.checkpoint === checkpoint) return page.checkpoint;
        checkpoint = page.checkpoint;
      }
      throw new Error("shipmentsSince never ran dry");
    }

    describe("parseWebhook", () => {
      it("is present exactly when the setup knows how the store signs", () => {
        expect(typeof store.parseWebhook === "function").toBe(subject.webhooks !== undefined);
      });

      it("reads a signed delivery, refuses tampered, unsigned and wrongly signed ones, and dedupes repeats", async (test) => {
        const hooks = subject.webhooks;
        const parse = store.parseWebhook?.bind(store);
        if (!hooks || !parse) {
          test.skip();
          return;
        }
        const keyOne = newKey("hook");
        const keyTwo = newKey("hook");
        const one = await store.createOrder(suiteOrder(keyOne, skus.slice(0, 1), currency), context);
        const two = await store.createOrder(suiteOrder(keyTwo, skus.slice(0, 1), currency), context);
        await subject.fulfill(one.storeOrderId, [{ sku: skus[0]!, quantity: 1 }], {
          carrier: "UPS",
          number: `1Z${RUN.toUpperCase()}H01`,
        });
        await subject.fulfill(two.storeOrderId, [{ sku: skus[0]!, quantity: 1 }], {
          carrier: "UPS",
          number: `1Z${RUN.toUpperCase()}H02`,
        });
        const delivery = await hooks.delivery({ storeOrderId: one.storeOrderId, key: keyOne });
        const parsed = parse(delivery);
        expect(parsed.event.type).not.toBe("ignored");
        expect(parsed.dedupeKey.length).toBeGreaterThan(0);
        if (parsed.event.type === "shipment") {
          expect(parsed.event.shipment.storeOrderId).toBe(one.storeOrderId);
        }

        // The same delivery again (a redelivery) shares the key; another event does not.
        const copy: IncomingWebhook = {
          rawBody: Buffer.from(delivery.rawBody),
          headers: { ...delivery.headers },
        };
        expect(parse(copy).dedupeKey).toBe(parsed.dedupeKey);
        const other = parse(await hooks.delivery({ storeOrderId: two.storeOrderId, key: keyTwo }));
        expect(other.dedupeKey).not.toBe(parsed.dedupeKey);

        // One bit of one byte in the middle: still text, no longer what was signed.
        const tampered = Buffer.from(delivery.rawBody);
        tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
        expect(kindOf(() => parse({ rawBody: tampered, headers: delivery.headers }))).toBe("auth");

        const wrong = {
          ...delivery.headers,
          [hooks.signatureHeader]: hooks.sign(delivery.rawBody, "not-the-secret"),
        };
        expect(kindOf(() => parse({ rawBody: delivery.rawBody, headers: wrong }))).toBe("auth");

        const unsigned = { ...delivery.headers, [hooks.signatureHeader]: undefined };
        expect(kindOf(() => parse({ rawBody: delivery.rawBody, headers: unsigned }))).toBe("auth");

        // The error names no secret and no signature value.
        try {
          parse({ rawBody: delivery.rawBody, headers: wrong });
        } catch (error) {
          const message = (error as Error).message;
          expect(message).not.toContain(wrong[hooks.signatureHeader]!);
          expect(message).not.toContain(delivery.headers[hooks.signatureHeader]!);
        }
      });
    });
  });
}
