import { describe, expect, it } from "vitest";
import {
  startAmazonOrdersSimulator,
  type AmazonOrdersSimulator,
} from "../../src/dev/simulators/amazon-orders.js";
import { startWebhookReceiver } from "../../src/dev/simulators/webhook-receiver.js";
import type { IncomingWebhook } from "../../src/core/webhook.js";
import { AmazonMarketplaceSchema } from "../../src/marketplaces/amazon/config.js";
import { createAmazonMarketplace } from "../../src/marketplaces/amazon/index.js";
import { MarketplaceOrderIdSchema } from "../../src/core/order.js";
import { SkuSchema } from "../../src/core/ids.js";
import { describeMarketplaceConformance } from "./marketplace.js";
import { sharedLimiters } from "./marketplace-limiters.js";

const SECRET = "conformance-notification-secret";
const HEADER = "x-api-key";

function configFor(sim: AmazonOrdersSimulator, extra: Record<string, unknown> = {}) {
  return AmazonMarketplaceSchema.parse({
    ...sim.accountSettings,
    notification_secret_env: "AMAZON_NOTIFICATION_SECRET",
    notification_header: HEADER,
    settle_minutes: 0,
    overlap_minutes: 1,
    page_size: 2,
    // Faster than the simulator's own buckets below: its 429s are what the adapter must ride out.
    rate_limits: {
      search_orders: { per_second: 50, burst: 10 },
      get_order: { per_second: 50, burst: 10 },
      confirm_shipment: { per_second: 50, burst: 10 },
    },
    ...extra,
  });
}

function asWebhook(raw: Buffer, headers: Record<string, string | string[] | undefined>): IncomingWebhook {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return { rawBody: raw, headers: flat };
}

describeMarketplaceConformance("amazon", async () => {
  const receiver = await startWebhookReceiver();
  const sim = await startAmazonOrdersSimulator({
    port: 0,
    settleMs: 0,
    notifications: { url: receiver.url, secret: SECRET, header: HEADER },
    rateLimits: {
      searchOrders: { perSecond: 20, burst: 20 },
      getOrder: { perSecond: 20, burst: 20 },
      confirmShipment: { perSecond: 20, burst: 20 },
    },
  });
  const limiters = sharedLimiters();
  const secrets: Record<string, string> = { ...sim.env, AMAZON_NOTIFICATION_SECRET: SECRET };
  const marketplace = createAmazonMarketplace(configFor(sim), {
    secret: (name) => secrets[name],
    limiterFor: limiters.limiterFor,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  return {
    marketplace,
    pageSize: 2,
    partialQuantities: true,
    placeOrder(lines) {
      const placed = sim.placeOrder({ lines: lines.map((line) => ({ ...line })) });
      return Promise.resolve({ orderId: placed.orderId, lineIds: placed.orderItemIds });
    },
    placeUnreadableOrder() {
      return Promise.resolve(
        sim.placeOrder({ lines: [{ sku: "", quantity: 1, unitPriceMinor: 100 }] }).orderId,
      );
    },
    packages(orderId) {
      return Promise.resolve(
        sim.shipments(orderId).map((pack) => ({
          trackingNumber: pack.trackingNumber,
          carrierCode: pack.carrierCode,
          carrierName: pack.carrierName,
          lines: pack.items.map((item) => ({ lineId: item.orderItemId, quantity: item.quantity })),
        })),
      );
    },
    throttle: (count) => sim.failNext(count, 429),
    notifications: {
      async delivery(orderId) {
        await sim.settled();
        const matching = sim
          .deliveries()
          .filter((delivery) => JSON.stringify(delivery.body).includes(`"AmazonOrderId":"${orderId}"`));
        const notificationId = matching[0]!.notificationId;
        const received = () =>
          receiver.received.filter((entry) => entry.raw.toString("utf8").includes(notificationId));
        const first = received()[0]!;
        await sim.redeliver(notificationId, 1);
        const again = received().at(-1)!;
        const good = asWebhook(first.raw, first.headers);
        return {
          good,
          badSecret: { ...good, headers: { ...good.headers, [HEADER]: `${SECRET}x` } },
          redelivered: asWebhook(again.raw, again.headers),
        };
      },
    },
    async teardown() {
      await sim.close();
      await receiver.close();
      await limiters.close();
    },
  };
});

describe("Amazon marketplace: Amazon's own limits and quirks", () => {
  it("honours the per-operation 429s of confirmShipment and lowers its bucket to x-amzn-RateLimit-Limit", async () => {
    const sim = await startAmazonOrdersSimulator({
      port: 0,
      settleMs: 0,
      rateLimits: { searchOrders: null, getOrder: null, confirmShipment: { perSecond: 10, burst: 2 } },
    });
    const limiters = sharedLimiters();
    try {
      const marketplace = createAmazonMarketplace(configFor(sim), {
        secret: (name) => sim.env[name],
        limiterFor: limiters.limiterFor,
        retry: { baseDelayMs: 5, maxDelayMs: 100 },
      });
      const placed = sim.placeOrder({ lines: [{ sku: "MUG", quantity: 8, unitPriceMinor: 100 }] });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          marketplace.pushShipment(
            {
              shipmentId: `burst-${index}`,
              order: {
                marketplace: marketplace.id,
                account: marketplace.account,
                orderId: MarketplaceOrderIdSchema.parse(placed.orderId),
              },
              carrier: "UPS",
              trackingNumber: `1ZBURST${index}`,
              shippedAt: new Date().toISOString(),
              lines: [{ lineId: placed.orderItemIds[0]!, sku: SkuSchema.parse("MUG"), quantity: 1 }],
            },
            { clock: () => new Date() },
          ),
        ),
      );
      expect(results.every((result) => result.outcome === "sent")).toBe(true);
      expect(sim.shipments(placed.orderId)).toHaveLength(8);
      expect(sim.order(placed.orderId).status).toBe("SHIPPED");
      const confirms = sim.calls.filter((call) => call.path.endsWith("/shipmentConfirmation"));
      expect(
        confirms.some((call) => call.status === 429),
        "the simulator throttled some",
      ).toBe(true);
      expect(confirms.filter((call) => call.status === 204)).toHaveLength(8);
    } finally {
      await sim.close();
      await limiters.close();
    }
  });

  it("sends packageReferenceId as a string of digits, stable per shipment", async () => {
    const sim = await startAmazonOrdersSimulator({ port: 0, settleMs: 0 });
    try {
      const marketplace = createAmazonMarketplace(configFor(sim), { secret: (name) => sim.env[name] });
      const placed = sim.placeOrder({ lines: [{ sku: "MUG", quantity: 1, unitPriceMinor: 100 }] });
      await marketplace.pushShipment(
        {
          shipmentId: "store-fulfillment-1",
          order: {
            marketplace: marketplace.id,
            account: marketplace.account,
            orderId: MarketplaceOrderIdSchema.parse(placed.orderId),
          },
          carrier: "Royal Mail",
          trackingNumber: "RM123456785GB",
          shippedAt: "2026-12-01T10:00:00Z",
          lines: [{ lineId: placed.orderItemIds[0]!, sku: SkuSchema.parse("MUG"), quantity: 1 }],
        },
        { clock: () => new Date() },
      );
      const body = sim.calls.find((call) => call.path.endsWith("/shipmentConfirmation"))?.body as {
        packageDetail: { packageReferenceId: unknown; carrierCode: string };
      };
      expect(typeof body.packageDetail.packageReferenceId).toBe("string");
      expect(body.packageDetail.packageReferenceId).toMatch(/^[1-9]\d*$/);
      expect(body.packageDetail.carrierCode).toBe("Royal Mail");
    } finally {
      await sim.close();
    }
  });
});
