import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError, type ErrorKind } from "../../src/core/errors.js";
import { MarketplaceOrderIdSchema, OrderSchema, type Order, type OrderKey } from "../../src/core/order.js";
import { SkuSchema } from "../../src/core/ids.js";
import type { IncomingWebhook } from "../../src/core/webhook.js";
import type {
  Marketplace,
  MarketplaceContext,
  OrderCheckpoint,
  OrderPage,
  ShipmentPush,
} from "../../src/marketplaces/marketplace.js";

/**
 * The contract of `Marketplace` (src/marketplaces/marketplace.ts) as tests every marketplace
 * adapter must pass against its simulator (STYLE.md: a written contract plus a conformance suite
 * every adapter passes). The setup plays the buyer (places orders) and reads what the
 * marketplace holds without going through the adapter.
 */

export interface PlacedLine {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

/** A package as the marketplace holds it, read in the simulator itself. */
export interface HeldPackage {
  trackingNumber: string | undefined;
  carrierCode: string | undefined;
  carrierName: string | undefined;
  lines: { lineId: string; quantity: number }[];
}

export interface MarketplaceUnderTest {
  marketplace: Marketplace;
  /** The adapter's configured page size (the suite places more orders than fit one page). */
  pageSize: number;
  /** Whether a line may ship part of its quantity (Amazon yes; eBay ships a line whole). */
  partialQuantities: boolean;
  /** A buyer checks out; the order can ship (paid). */
  placeOrder(lines: readonly PlacedLine[]): Promise<{ orderId: string; lineIds: string[] }>;
  /** An order the adapter cannot read into the canonical model (a line without a SKU). */
  placeUnreadableOrder(): Promise<string>;
  /** The packages the marketplace holds for the order. */
  packages(orderId: string): Promise<HeldPackage[]>;
  /** The next `count` calls to the marketplace answer 429 (its own throttling). */
  throttle(count: number): void;
  /** Marketplaces that notify: a delivery about `orderId` signed right, and one signed wrong. */
  notifications?:
    | {
        delivery(
          orderId: string,
        ): Promise<{ good: IncomingWebhook; badSecret: IncomingWebhook; redelivered: IncomingWebhook }>;
      }
    | undefined;
  teardown(): Promise<void>;
}

const SKUS = ["CONF-MUG-RED", "CONF-TEE-BLUE"] as const;

async function failureKind(work: () => unknown): Promise<ErrorKind | "no error" | "other"> {
  try {
    await work();
    return "no error";
  } catch (error) {
    return isOmnifeedError(error) ? error.kind : "other";
  }
}

async function pull(
  marketplace: Marketplace,
  context: MarketplaceContext,
  since: OrderCheckpoint | undefined,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<{ pages: OrderPage[]; orders: Order[]; checkpoint: OrderCheckpoint }> {
  const pages: OrderPage[] = [];
  for await (const page of marketplace.pullOrders(since, context)) {
    pages.push(page);
    if (pages.length >= stopAfter) break;
  }
  const last = pages.at(-1);
  if (!last) throw new Error("pullOrders yielded no page (it must yield at least one, with a checkpoint)");
  return { pages, orders: pages.flatMap((page) => page.orders), checkpoint: last.checkpoint };
}

const ids = (orders: readonly Order[]) => new Set(orders.map((order) => String(order.orderId)));

export function describeMarketplaceConformance(
  name: string,
  setup: () => Promise<MarketplaceUnderTest>,
): void {
  describe(`Marketplace conformance: ${name}`, () => {
    let subject: MarketplaceUnderTest;
    let marketplace: Marketplace;
    const context: MarketplaceContext = { clock: () => new Date() };
    // Orders are visible to a window that ends after their update time: let the clock move on.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

    beforeAll(async () => {
      subject = await setup();
      marketplace = subject.marketplace;
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    const keyOf = (orderId: string): OrderKey => ({
      marketplace: marketplace.id,
      account: marketplace.account,
      orderId: MarketplaceOrderIdSchema.parse(orderId),
    });

    function shipment(
      orderId: string,
      shipmentId: string,
      lines: ShipmentPush["lines"],
      carrier: string,
      tracking: string,
    ): ShipmentPush {
      return {
        shipmentId,
        order: keyOf(orderId),
        carrier,
        trackingNumber: tracking,
        shippedAt: new Date(Date.now() - 60_000).toISOString(),
        lines,
      };
    }

    it("answers check() with ok and names what it reached", async () => {
      const answer = await marketplace.check(context);
      expect(answer.ok, answer.detail).toBe(true);
      expect(answer.target.length).toBeGreaterThan(0);
    });

    it("pulls a placed order with its lines, money in minor units, address and key", async () => {
      const placed = await subject.placeOrder([
        { sku: SKUS[0], quantity: 2, unitPriceMinor: 1500 },
        { sku: SKUS[1], quantity: 1, unitPriceMinor: 999 },
      ]);
      await settle();
      const { orders } = await pull(marketplace, context, undefined);
      const order = orders.find((candidate) => candidate.orderId === placed.orderId);
      expect(order, `order ${placed.orderId} not pulled`).toBeDefined();
      expect(OrderSchema.parse(order)).toEqual(order);
      expect(order!.marketplace).toBe(marketplace.id);
      expect(order!.account).toBe(marketplace.account);
      expect(order!.status).toBe("unshipped");
      expect(order!.lines.map((line) => [line.lineId, line.sku, line.quantity, line.unitPrice])).toEqual([
        [placed.lineIds[0], SkuSchema.parse(SKUS[0]), 2, { amount: 1500, currency: "USD" }],
        [placed.lineIds[1], SkuSchema.parse(SKUS[1]), 1, { amount: 999, currency: "USD" }],
      ]);
      expect(order!.total.amount).toBeGreaterThanOrEqual(2 * 1500 + 999);
      expect(order!.shippingAddress?.country).toMatch(/^[A-Z]{2}$/);
      expect(order!.shippingAddress?.line1.length).toBeGreaterThan(0);
      expect(order!.updatedAt).toBeDefined();
      const one = await marketplace.getOrder(MarketplaceOrderIdSchema.parse(placed.orderId), context);
      expect(one?.lines).toEqual(order!.lines);
    });

    it("answers getOrder of an unknown order with undefined", async () => {
      const unknown = await marketplace.getOrder(
        MarketplaceOrderIdSchema.parse("999-9999999-9999999"),
        context,
      );
      expect(unknown).toBeUndefined();
    });

    it("pages over more than one page and resumes from any page's checkpoint without skipping an order", async () => {
      const start = (await pull(marketplace, context, undefined)).checkpoint;
      const placed: string[] = [];
      for (let index = 0; index < subject.pageSize * 2 + 1; index += 1)
        placed.push(
          (await subject.placeOrder([{ sku: SKUS[0], quantity: 1, unitPriceMinor: 100 + index }])).orderId,
        );
      await settle();
      const whole = await pull(marketplace, context, start);
      expect(whole.pages.length).toBeGreaterThan(1);
      for (const orderId of placed) expect(ids(whole.orders), orderId).toContain(orderId);

      // Stop after the first page, as a killed worker would, and resume from its checkpoint.
      const first = await pull(marketplace, context, start, 1);
      const rest = await pull(marketplace, context, first.checkpoint);
      const seen = ids([...first.orders, ...rest.orders]);
      for (const orderId of placed) expect(seen, `${orderId} skipped across the resume`).toContain(orderId);
    });

    it("pulling from the last checkpoint sees new orders; overlapping windows only repeat", async () => {
      const before = await pull(marketplace, context, undefined);
      const a = await subject.placeOrder([{ sku: SKUS[1], quantity: 1, unitPriceMinor: 500 }]);
      await settle();
      const next = await pull(marketplace, context, before.checkpoint);
      expect(ids(next.orders)).toContain(a.orderId);
      const b = await subject.placeOrder([{ sku: SKUS[1], quantity: 1, unitPriceMinor: 501 }]);
      await settle();
      const after = await pull(marketplace, context, next.checkpoint);
      expect(ids(after.orders)).toContain(b.orderId);
      // Every order of a pull appears once in it (pages never overlap within a window).
      const list = after.orders.map((order) => String(order.orderId));
      expect(new Set(list).size).toBe(list.length);
    });

    it("reports an order it cannot read as a problem and goes on with the rest", async () => {
      const start = (await pull(marketplace, context, undefined)).checkpoint;
      const bad = await subject.placeUnreadableOrder();
      const good = await subject.placeOrder([{ sku: SKUS[0], quantity: 1, unitPriceMinor: 700 }]);
      await settle();
      const { pages, orders } = await pull(marketplace, context, start);
      const problems = pages.flatMap((page) => page.problems);
      const problem = problems.find((candidate) => candidate.orderId === bad);
      expect(problem, "the unreadable order is reported").toBeDefined();
      expect(problem!.message.length).toBeGreaterThan(0);
      expect(problem!.field ?? "").toMatch(/sku/i);
      expect(ids(orders)).toContain(good.orderId);
      expect(ids(orders)).not.toContain(bad);
    });

    it("pushes a partial shipment of one line, then the rest: two packages, order shipped", async () => {
      const placed = await subject.placeOrder([
        { sku: SKUS[0], quantity: 2, unitPriceMinor: 1500 },
        { sku: SKUS[1], quantity: 1, unitPriceMinor: 999 },
      ]);
      const [lineA, lineB] = placed.lineIds as [string, string];
      const first = await marketplace.pushShipment(
        shipment(
          placed.orderId,
          `ship-${placed.orderId}-1`,
          [{ lineId: lineA, sku: SkuSchema.parse(SKUS[0]), quantity: 2 }],
          "UPS",
          "1Z999AA10123456784",
        ),
        context,
      );
      expect(first.outcome).toBe("sent");
      const partly = await marketplace.getOrder(MarketplaceOrderIdSchema.parse(placed.orderId), context);
      expect(partly?.status).toBe("partially_shipped");
      const second = await marketplace.pushShipment(
        shipment(
          placed.orderId,
          `ship-${placed.orderId}-2`,
          [{ lineId: lineB, sku: SkuSchema.parse(SKUS[1]), quantity: 1 }],
          "USPS",
          "9400111899560000000000",
        ),
        context,
      );
      expect(second.outcome).toBe("sent");
      const held = await subject.packages(placed.orderId);
      expect(held.map((pack) => pack.trackingNumber).sort()).toEqual([
        "1Z999AA10123456784",
        "9400111899560000000000",
      ]);
      expect(held.flatMap((pack) => pack.lines).sort((x, y) => x.lineId.localeCompare(y.lineId))).toEqual(
        [
          { lineId: lineA, quantity: 2 },
          { lineId: lineB, quantity: 1 },
        ].sort((x, y) => x.lineId.localeCompare(y.lineId)),
      );
      const shipped = await marketplace.getOrder(MarketplaceOrderIdSchema.parse(placed.orderId), context);
      expect(shipped?.status).toBe("shipped");
    });

    it("ships part of a line's quantity where the marketplace allows it", async () => {
      if (!subject.partialQuantities) {
        expect(subject.partialQuantities).toBe(false);
        return;
      }
      const placed = await subject.placeOrder([{ sku: SKUS[0], quantity: 3, unitPriceMinor: 1000 }]);
      const line = { lineId: placed.lineIds[0]!, sku: SkuSchema.parse(SKUS[0]) };
      await marketplace.pushShipment(
        shipment(placed.orderId, "part-1", [{ ...line, quantity: 1 }], "DHL", "JD0001"),
        context,
      );
      expect(
        (await marketplace.getOrder(MarketplaceOrderIdSchema.parse(placed.orderId), context))?.status,
      ).toBe("partially_shipped");
      await marketplace.pushShipment(
        shipment(placed.orderId, "part-2", [{ ...line, quantity: 2 }], "DHL", "JD0002"),
        context,
      );
      expect((await subject.packages(placed.orderId)).map((pack) => pack.lines[0]?.quantity).sort()).toEqual([
        1, 2,
      ]);
      expect(
        (await marketplace.getOrder(MarketplaceOrderIdSchema.parse(placed.orderId), context))?.status,
      ).toBe("shipped");
    });

    it("answers the same push twice with already_sent and holds one package", async () => {
      const placed = await subject.placeOrder([
        { sku: SKUS[0], quantity: 1, unitPriceMinor: 1200 },
        { sku: SKUS[1], quantity: 1, unitPriceMinor: 1300 },
      ]);
      const push = shipment(
        placed.orderId,
        `ship-${placed.orderId}`,
        [{ lineId: placed.lineIds[0]!, sku: SkuSchema.parse(SKUS[0]), quantity: 1 }],
        "FedEx",
        "794644790132",
      );
      expect((await marketplace.pushShipment(push, context)).outcome).toBe("sent");
      expect((await marketplace.pushShipment(push, context)).outcome).toBe("already_sent");
      expect(await subject.packages(placed.orderId)).toHaveLength(1);
    });

    it("maps store carrier names to the marketplace's codes, and unknown ones to Other with the name", async () => {
      const placed = await subject.placeOrder([
        { sku: SKUS[0], quantity: 1, unitPriceMinor: 100 },
        { sku: SKUS[1], quantity: 1, unitPriceMinor: 100 },
      ]);
      const known = await marketplace.pushShipment(
        shipment(
          placed.orderId,
          "carrier-known",
          [{ lineId: placed.lineIds[0]!, sku: SkuSchema.parse(SKUS[0]), quantity: 1 }],
          "fedex",
          "794644790133",
        ),
        context,
      );
      expect(known).toMatchObject({ outcome: "sent", carrierCode: "FedEx" });
      expect(known.carrierName).toBeUndefined();
      const other = await marketplace.pushShipment(
        shipment(
          placed.orderId,
          "carrier-other",
          [{ lineId: placed.lineIds[1]!, sku: SkuSchema.parse(SKUS[1]), quantity: 1 }],
          "Acme Couriers",
          "ACME-42",
        ),
        context,
      );
      expect(other).toMatchObject({ outcome: "sent", carrierCode: "Other", carrierName: "Acme Couriers" });
      const held = await subject.packages(placed.orderId);
      const byTracking = new Map(held.map((pack) => [pack.trackingNumber, pack]));
      expect(byTracking.get("794644790133")?.carrierCode).toBe("FedEx");
      expect(byTracking.get("ACME-42")?.carrierCode).toBe("Other");
    });

    it("rides out the marketplace's 429s without losing an order or a package", async () => {
      const start = (await pull(marketplace, context, undefined)).checkpoint;
      const placed = await subject.placeOrder([{ sku: SKUS[0], quantity: 1, unitPriceMinor: 4200 }]);
      await settle();
      subject.throttle(2);
      const { orders } = await pull(marketplace, context, start);
      expect(ids(orders)).toContain(placed.orderId);
      subject.throttle(2);
      const result = await marketplace.pushShipment(
        shipment(
          placed.orderId,
          "throttled",
          [{ lineId: placed.lineIds[0]!, sku: SkuSchema.parse(SKUS[0]), quantity: 1 }],
          "UPS",
          "1ZTHROTTLED",
        ),
        context,
      );
      expect(result.outcome).toBe("sent");
      expect(await subject.packages(placed.orderId)).toHaveLength(1);
    });

    it("reads notifications: a bad secret is an auth error, a good one names the order, a redelivery shares its key", async () => {
      const notifications = subject.notifications;
      if (!notifications) {
        // Polling marketplaces have no notification to parse (eBay): the contract leaves it out.
        expect("parseNotification" in marketplace).toBe(false);
        return;
      }
      const placed = await subject.placeOrder([{ sku: SKUS[1], quantity: 1, unitPriceMinor: 300 }]);
      const { good, badSecret, redelivered } = await notifications.delivery(placed.orderId);
      expect(await failureKind(() => marketplace.parseNotification!(badSecret))).toBe("auth");
      const parsed = marketplace.parseNotification!(good);
      expect(parsed.event).toEqual({
        type: "orders_changed",
        account: marketplace.account,
        orderIds: [placed.orderId],
      });
      expect(marketplace.parseNotification!(redelivered).dedupeKey).toBe(parsed.dedupeKey);
      expect(
        await failureKind(() =>
          marketplace.parseNotification!({ ...good, rawBody: Buffer.from("{not json") }),
        ),
      ).toBe("rejected");
    });
  });
}
