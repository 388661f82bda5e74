import { describe, expect, it } from "vitest";
import { MarketplaceAccountSchema, MarketplaceIdSchema } from "../core/order.js";
import { amazonOrderToCanonical } from "./amazon/transform.js";
import { ebayOrderToCanonical } from "./ebay/transform.js";
import { readCheckpoint, writeCheckpoint } from "./window.js";
import { isOmnifeedError } from "../core/errors.js";

const amazonKey = {
  marketplace: MarketplaceIdSchema.parse("amazon"),
  account: MarketplaceAccountSchema.parse("A1"),
};
const ebayKey = {
  marketplace: MarketplaceIdSchema.parse("ebay"),
  account: MarketplaceAccountSchema.parse("seller"),
};

const amazonOrder = (patch: Record<string, unknown> = {}) => ({
  orderId: "113-0000001-1234567",
  createdTime: "2026-12-01T10:00:00Z",
  lastUpdatedTime: "2026-12-01T11:00:00Z",
  orderItems: [
    {
      orderItemId: "10000000000001",
      quantityOrdered: 2,
      product: { sellerSku: "MUG", price: { unitPrice: { amount: "12.50", currencyCode: "GBP" } } },
    },
  ],
  fulfillment: { fulfillmentStatus: "UNSHIPPED", shipByWindow: { latestDateTime: "2026-12-03T23:59:59Z" } },
  recipient: {
    deliveryAddress: { name: "A Buyer", addressLine1: "1 High St", city: "London", countryCode: "GB" },
  },
  ...patch,
});

describe("Amazon orders", () => {
  it("reads money per unit in minor units, the ship-by deadline and the address", () => {
    const reading = amazonOrderToCanonical(amazonOrder(), amazonKey);
    if (!reading.ok) throw new Error(reading.problem.message);
    expect(reading.order.lines[0]?.unitPrice).toEqual({ amount: 1250, currency: "GBP" });
    expect(reading.order.total).toEqual({ amount: 2500, currency: "GBP" });
    expect(reading.order.shipBy).toBe("2026-12-03T23:59:59Z");
    expect(reading.order.shippingAddress).toEqual({
      name: "A Buyer",
      line1: "1 High St",
      city: "London",
      country: "GB",
    });
  });

  it("leaves out a half address and reports a line without a price or an MCF order as problems", () => {
    const half = amazonOrderToCanonical(
      amazonOrder({ recipient: { deliveryAddress: { postalCode: "SW1" } } }),
      amazonKey,
    );
    expect(half.ok && half.order.shippingAddress).toBeUndefined();
    const noPrice = amazonOrderToCanonical(
      amazonOrder({
        orderItems: [{ orderItemId: "1", quantityOrdered: 1, product: { sellerSku: "MUG" } }],
        proceeds: { grandTotal: { amount: "5.00", currencyCode: "GBP" } },
      }),
      amazonKey,
    );
    expect(noPrice).toMatchObject({ ok: false, problem: { field: "orderItems[0].product.price.unitPrice" } });
    const mcf = amazonOrderToCanonical(
      amazonOrder({ fulfillment: { fulfillmentStatus: "UNFULFILLABLE" } }),
      amazonKey,
    );
    expect(mcf).toMatchObject({ ok: false, problem: { field: "fulfillment.fulfillmentStatus" } });
  });
});

describe("eBay orders", () => {
  const ebayOrder = (patch: Record<string, unknown> = {}) => ({
    orderId: "27-00001-12345",
    creationDate: "2026-12-01T10:00:00.000Z",
    lastModifiedDate: "2026-12-01T10:05:00.000Z",
    orderFulfillmentStatus: "NOT_STARTED",
    orderPaymentStatus: "PAID",
    pricingSummary: {
      total: { value: "34.97", currency: "USD" },
      deliveryCost: { value: "4.99", currency: "USD" },
    },
    lineItems: [
      { lineItemId: "1", sku: "MUG", quantity: 3, lineItemCost: { value: "29.97", currency: "USD" } },
    ],
    ...patch,
  });

  it("divides the line total into a unit price and reads cancellation first", () => {
    const reading = ebayOrderToCanonical(ebayOrder(), ebayKey);
    if (!reading.ok) throw new Error(reading.problem.message);
    expect(reading.order.lines[0]?.unitPrice).toEqual({ amount: 999, currency: "USD" });
    expect(reading.order.shippingPrice).toEqual({ amount: 499, currency: "USD" });
    expect(reading.order.status).toBe("unshipped");
    const cancelled = ebayOrderToCanonical(ebayOrder({ cancelStatus: { cancelState: "CANCELED" } }), ebayKey);
    expect(cancelled.ok && cancelled.order.status).toBe("cancelled");
  });

  it("reports a line without a SKU at its field", () => {
    const reading = ebayOrderToCanonical(
      ebayOrder({
        lineItems: [{ lineItemId: "1", quantity: 1, lineItemCost: { value: "1.00", currency: "USD" } }],
      }),
      ebayKey,
    );
    expect(reading).toMatchObject({
      ok: false,
      problem: { orderId: "27-00001-12345", field: "lineItems[0].sku" },
    });
  });
});

describe("window checkpoints", () => {
  it("round-trips, and refuses another marketplace's or a damaged one with a config error", () => {
    const text = writeCheckpoint({ marketplace: "amazon", from: "2026-12-01T10:00:00.000Z", page: "tok" });
    expect(readCheckpoint(text, "amazon").page).toBe("tok");
    for (const bad of [text, "not json"]) {
      try {
        readCheckpoint(bad, "ebay");
        throw new Error("accepted");
      } catch (error) {
        expect(isOmnifeedError(error, "config")).toBe(true);
      }
    }
  });
});
