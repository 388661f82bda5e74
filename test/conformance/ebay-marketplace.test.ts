import { describe, expect, it } from "vitest";
import { startEbaySimulator } from "../../src/dev/simulators/ebay.js";
import { EbayMarketplaceSchema } from "../../src/marketplaces/ebay/config.js";
import { createEbayMarketplace } from "../../src/marketplaces/ebay/index.js";
import { describeMarketplaceConformance } from "./marketplace.js";
import { sharedLimiters } from "./marketplace-limiters.js";

describeMarketplaceConformance("ebay", async () => {
  const sim = await startEbaySimulator({ port: 0 });
  const limiters = sharedLimiters();
  const config = EbayMarketplaceSchema.parse({
    ...sim.accountSettings,
    overlap_minutes: 1,
    page_size: 2,
    rate_limit_per_second: 50,
    rate_limit_burst: 10,
  });
  const marketplace = createEbayMarketplace(config, {
    secret: (name) => sim.env[name],
    limiterFor: limiters.limiterFor,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  return {
    marketplace,
    pageSize: 2,
    partialQuantities: false,
    placeOrder(lines) {
      const placed = sim.placeOrder({ lines: lines.map((line) => ({ ...line })) });
      return Promise.resolve({ orderId: placed.orderId, lineIds: placed.lineItemIds });
    },
    placeUnreadableOrder() {
      return Promise.resolve(sim.placeOrder({ lines: [{ quantity: 1, unitPriceMinor: 100 }] }).orderId);
    },
    packages(orderId) {
      return Promise.resolve(
        sim.fulfillments(orderId).map((fulfillment) => ({
          trackingNumber: fulfillment.shipmentTrackingNumber,
          carrierCode: fulfillment.shippingCarrierCode,
          carrierName: undefined,
          lines: fulfillment.lineItems.map((line) => ({ lineId: line.lineItemId, quantity: line.quantity })),
        })),
      );
    },
    throttle: (count) => sim.failNext(count, 429),
    async teardown() {
      await sim.close();
      await limiters.close();
    },
  };
});

describe("eBay marketplace: OAuth", () => {
  it("refreshes the user token before it expires and again when eBay answers 401", async () => {
    const sim = await startEbaySimulator({ port: 0 });
    try {
      const marketplace = createEbayMarketplace(EbayMarketplaceSchema.parse(sim.accountSettings), {
        secret: (name) => sim.env[name],
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      });
      const context = { clock: () => new Date() };
      expect((await marketplace.check(context)).ok).toBe(true);
      expect(sim.issuedTokens()).toHaveLength(1);
      sim.revokeTokens();
      expect((await marketplace.check(context)).ok).toBe(true);
      expect(sim.issuedTokens()).toHaveLength(1);
      const grants = sim.calls.filter((call) => call.path === "/identity/v1/oauth2/token");
      expect(grants).toHaveLength(2);
      expect(
        grants.every((call) => (call.body as { grant_type?: string }).grant_type === "refresh_token"),
      ).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it("names the missing credential's config key", async () => {
    const sim = await startEbaySimulator({ port: 0 });
    try {
      const marketplace = createEbayMarketplace(EbayMarketplaceSchema.parse(sim.accountSettings), {
        secret: () => undefined,
      });
      const answer = await marketplace.check({ clock: () => new Date() });
      expect(answer.ok).toBe(false);
      expect(answer.detail).toContain("EBAY_SIM_CLIENT_ID");
      expect(answer.detail).toContain("marketplaces.ebay.client_id_env");
    } finally {
      await sim.close();
    }
  });
});
