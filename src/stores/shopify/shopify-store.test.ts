import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { closedAfterEach } from "../../../test/support/closed-after-each.js";
import { isOmnifeedError } from "../../core/errors.js";
import { OrderSchema, type Order, type OrderInput } from "../../core/order.js";
import { testOrder } from "../../../test/support/store-orders.js";
import {
  SHOPIFY_SIMULATOR_CREDENTIALS,
  startShopifySimulator,
  type ShopifySimulator,
  type ShopifySimulatorOptions,
} from "../../dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../dev/simulators/store-catalog.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../dev/simulators/webhook-receiver.js";
import { ShopifyConnectionSchema, type ShopifyConnectionInput } from "../../sources/shopify/options.js";
import type { IncomingWebhook, Store, StoreContext } from "../store.js";
import { createShopifyStore } from "./index.js";

const TOKEN_ENV = "TEST_SHOPIFY_TOKEN";
const SECRET_ENV = "TEST_SHOPIFY_SECRET";
const OLD_SECRET_ENV = "TEST_SHOPIFY_OLD_SECRET";
const closeAfterwards = closedAfterEach();

const catalog = generateStoreCatalog({ variants: 120, seed: 4 });
const context: StoreContext = { clock: () => new Date() };

async function start(
  simOptions: ShopifySimulatorOptions = {},
  extra: Partial<ShopifyConnectionInput> = {},
  secrets: Record<string, string> = {},
): Promise<{ sim: ShopifySimulator; store: Store }> {
  const sim = closeAfterwards(await startShopifySimulator({ port: 0, catalog, ...simOptions }));
  const values: Record<string, string> = {
    [TOKEN_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken,
    [SECRET_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
    ...secrets,
  };
  const options = ShopifyConnectionSchema.parse({
    shop_url: sim.url,
    access_token_env: TOKEN_ENV,
    client_secret_env: SECRET_ENV,
    previous_client_secret_env: OLD_SECRET_ENV,
    currency: "USD",
    store_url: "https://shop.example",
    lookup_delay_ms: 10,
    ...extra,
  });
  return { sim, store: createShopifyStore(options, { secret: (name) => values[name] }) };
}

/** A SKU the simulator sells with enough stock at its locations. */
function stockedSku(): string {
  for (const product of catalog) {
    for (const variant of product.variants) {
      if (variant.inventory.reduce((sum, level) => sum + level.quantity, 0) >= 5) return variant.sku;
    }
  }
  throw new Error("no stocked variant in the seed");
}

function order(overrides: Partial<OrderInput> = {}): Order {
  return testOrder("112-1234567-1234567", [{ sku: stockedSku(), quantity: 2 }], overrides);
}

describe("Shopify store: orders", () => {
  it("refuses an order with an unknown SKU, naming it, and creates nothing", async () => {
    const { sim, store } = await start();
    const bad = order({
      lines: [
        { lineId: "L1", sku: stockedSku(), quantity: 1, unitPrice: { amount: 1999, currency: "USD" } },
        { lineId: "L2", sku: "NOT-A-SKU-1", quantity: 1, unitPrice: { amount: 100, currency: "USD" } },
      ],
    });
    const error = await store.createOrder(bad, context).catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "rejected")).toBe(true);
    expect((error as Error).message).toContain("NOT-A-SKU-1");
    expect((error as Error).message).toContain("amazon/A1SELLER/112-1234567-1234567");
    expect(sim.store.orders).toHaveLength(0);
  });

  it("creates the same order once whether asked three times in a row or three times at once", async () => {
    // Shopify's order search lags a new order by seconds: the repeats must not depend on it.
    const { sim, store } = await start({ orderSearchLagMs: 60_000 });
    const first = await store.createOrder(order(), context);
    const second = await store.createOrder(order(), context);
    const third = await store.createOrder(order(), context);
    expect([first.outcome, second.outcome, third.outcome]).toEqual(["created", "found", "found"]);
    expect(new Set([first.storeOrderId, second.storeOrderId, third.storeOrderId]).size).toBe(1);
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => store.createOrder(order({ orderId: "112-7654321-7654321" }), context)),
    );
    expect(concurrent.map((ref) => ref.outcome).sort()).toEqual(["created", "found", "found"]);
    expect(sim.store.orders).toHaveLength(2);
    const created = sim.store.orders[0]!;
    expect(created.sourceName).toBe("omnifeed-amazon");
    expect(created.sourceIdentifier).toBe("112-1234567-1234567");
    expect(created.tags).toEqual(["amazon", "omnifeed"]);
    expect(created.financialStatus).toBe("PAID");
    expect(created.shippingAddress).toMatchObject({
      firstName: "Jane",
      lastName: "Doe",
      countryCode: "US",
      zip: "94103",
    });
    expect(created.lineItems[0]).toMatchObject({ quantity: 2, price: "19.99", sku: stockedSku() });
  });

  it("finds an order another process created (store-side lookup), comparing the key exactly", async () => {
    const { sim, store } = await start();
    const ref = await store.createOrder(order(), context);
    const { store: other } = await start({}, {});
    // A second store object on the same shop: no in-process memory, the lookup must find it.
    const again = createShopifyStore(
      ShopifyConnectionSchema.parse({
        shop_url: sim.url,
        access_token_env: TOKEN_ENV,
        currency: "USD",
        store_url: "https://shop.example",
      }),
      { secret: () => SHOPIFY_SIMULATOR_CREDENTIALS.accessToken },
    );
    expect(await again.createOrder(order(), context)).toMatchObject({
      storeOrderId: ref.storeOrderId,
      outcome: "found",
    });
    expect(await again.findOrder({ ...order(), account: order().account }, context)).toMatchObject({
      storeOrderId: ref.storeOrderId,
    });
    // Another marketplace with the same order id is another order.
    expect(
      await again.findOrder(OrderSchema.parse({ ...order(), marketplace: "ebay" }), context),
    ).toBeUndefined();
    expect(await other.findOrder(order(), context)).toBeUndefined();
    expect(sim.store.orders).toHaveLength(1);
  });

  it("looks up again after a create whose answer was lost, before creating again", async () => {
    const { sim, store } = await start({ orderSearchLagMs: 0 });
    // The orderCreate call fails with a 502 (not executed): the store does not resend it blindly.
    const before = sim.calls.length;
    sim.failNext(1, 502, "orderCreate");
    const ref = await store.createOrder(order(), context);
    expect(ref.storeOrderId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(sim.store.orders).toHaveLength(1);
    // lookup, SKUs, create (502), lookup again after the delay, create.
    const statuses = sim.calls.slice(before).map((call) => call.status);
    expect(statuses).toEqual([200, 200, 502, 200, 200]);
  });

  it("cancels an order it created, restocking it, and a second cancel changes nothing", async () => {
    const { sim, store } = await start();
    const sku = stockedSku();
    const variant = sim.store.variants.find((candidate) => candidate.sku === sku)!;
    const stock = () => [...variant.available.values()].reduce((sum, quantity) => sum + quantity, 0);
    const before = stock();
    const ref = await store.createOrder(order(), context);
    expect(stock()).toBe(before - 2);
    await store.cancelOrder(ref.storeOrderId, context);
    await store.cancelOrder(ref.storeOrderId, context);
    expect(sim.store.orders[0]!.cancelledAt).not.toBeNull();
    expect(stock()).toBe(before);
    const missing = await store
      .cancelOrder("gid://shopify/Order/1", context)
      .catch((caught: unknown) => caught);
    expect(isOmnifeedError(missing, "not_found")).toBe(true);
  });
});

describe("Shopify store: shipments", () => {
  it("reports a fulfillment, then the tracking added to it later, each once", async () => {
    const { sim, store } = await start();
    const ref = await store.createOrder(order(), context);
    const empty = await store.shipmentsSince(undefined, context);
    expect(empty.shipments).toEqual([]);
    const { fulfillmentId } = sim.fulfill(ref.storeOrderId, {});
    const first = await store.shipmentsSince(empty.checkpoint, context);
    expect(first.shipments).toHaveLength(1);
    expect(first.shipments[0]).toMatchObject({
      shipmentId: fulfillmentId,
      storeOrderId: ref.storeOrderId,
      order: { marketplace: "amazon", account: "A1SELLER", orderId: "112-1234567-1234567" },
      lines: [{ sku: stockedSku(), quantity: 2 }],
      cancelled: false,
    });
    expect(first.shipments[0]!.trackingNumber).toBeUndefined();
    const nothing = await store.shipmentsSince(first.checkpoint, context);
    expect(nothing.shipments).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    sim.updateTracking(fulfillmentId, { company: "UPS", number: "1Z999AA10123456784" });
    const tracked = await store.shipmentsSince(nothing.checkpoint, context);
    expect(tracked.shipments).toHaveLength(1);
    expect(tracked.shipments[0]).toMatchObject({
      shipmentId: fulfillmentId,
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
    });
    expect(tracked.shipments[0]!.trackingUrl).toContain("ups.com");
    expect((await store.shipmentsSince(tracked.checkpoint, context)).shipments).toEqual([]);
  });
});

describe("Shopify store: webhooks", () => {
  async function withReceiver(secrets: Record<string, string> = {}) {
    const receiver: WebhookReceiver = await startWebhookReceiver();
    closeAfterwards(receiver);
    const started = await start({ webhookUrl: receiver.url }, {}, secrets);
    return { ...started, receiver };
  }
  const incoming = (received: { headers: Record<string, unknown>; raw: Buffer }): IncomingWebhook => ({
    rawBody: received.raw,
    headers: Object.fromEntries(
      Object.entries(received.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    ),
  });

  it("reads fulfillment and cancellation webhooks, refuses a wrong signature, and knows a redelivery", async () => {
    const { sim, store, receiver } = await withReceiver();
    const ref = await store.createOrder(order(), context);
    sim.fulfill(ref.storeOrderId, { company: "UPS", number: "1Z1" });
    await sim.webhooksSettled();
    const fulfillment = receiver.received.find(
      (item) => item.headers["x-shopify-topic"] === "fulfillments/create",
    )!;
    const parsed = store.parseWebhook!(incoming(fulfillment));
    expect(parsed.event).toMatchObject({
      type: "shipment",
      shipment: { storeOrderId: ref.storeOrderId, trackingNumber: "1Z1", carrier: "UPS" },
    });
    // A wrong signature, or the body changed by one byte: auth.
    const forged = incoming(fulfillment);
    const tampered = { ...forged, rawBody: Buffer.concat([forged.rawBody, Buffer.from(" ")]) };
    expect(() => store.parseWebhook!(tampered)).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
    const unsigned = { ...forged, headers: { ...forged.headers, "x-shopify-hmac-sha256": undefined } };
    expect(() => store.parseWebhook!(unsigned)).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
    // Shopify's retry sends the same bytes and webhook id: the same dedupe key.
    await sim.redeliver(String(fulfillment.headers["x-shopify-webhook-id"]));
    const copies = receiver.received.filter(
      (item) => item.headers["x-shopify-webhook-id"] === fulfillment.headers["x-shopify-webhook-id"],
    );
    expect(copies).toHaveLength(2);
    expect(store.parseWebhook!(incoming(copies[1]!)).dedupeKey).toBe(parsed.dedupeKey);
    // A fulfilled order cannot be cancelled: cancel another one.
    const open = await store.createOrder(order({ orderId: "112-0000000-0000001" }), context);
    await store.cancelOrder(open.storeOrderId, context);
    await sim.webhooksSettled();
    const cancelled = receiver.received.find(
      (item) => item.headers["x-shopify-topic"] === "orders/cancelled",
    )!;
    expect(store.parseWebhook!(incoming(cancelled)).event).toEqual({
      type: "order_cancelled",
      storeOrderId: open.storeOrderId,
      order: { marketplace: "amazon", account: "A1SELLER", orderId: "112-0000000-0000001" },
    });
    expect(parsed.dedupeKey).not.toBe(store.parseWebhook!(incoming(cancelled)).dedupeKey);
  });

  it("accepts the previous secret during a rotation", async () => {
    const { store } = await start(
      {},
      {},
      {
        [SECRET_ENV]: "shpss_new_secret",
        [OLD_SECRET_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
      },
    );
    const body = JSON.stringify({ id: 1, admin_graphql_api_id: "gid://shopify/Order/1" });
    const sign = (secret: string) => createHmac("sha256", secret).update(body).digest("base64");
    const headers = { "x-shopify-topic": "orders/updated", "x-shopify-webhook-id": "w-1" };
    for (const secret of ["shpss_new_secret", SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret]) {
      const parsed = store.parseWebhook!({
        rawBody: Buffer.from(body),
        headers: { ...headers, "x-shopify-hmac-sha256": sign(secret) },
      });
      expect(parsed).toEqual({
        dedupeKey: "shopify:w-1",
        event: { type: "order_updated", storeOrderId: "gid://shopify/Order/1" },
      });
    }
    expect(() =>
      store.parseWebhook!({
        rawBody: Buffer.from(body),
        headers: { ...headers, "x-shopify-hmac-sha256": sign("shpss_someone_else") },
      }),
    ).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
  });
});

describe("Shopify store: catalog", () => {
  it("reads the catalog in pages with checkpoints and checks the connection", async () => {
    const { store } = await start({ throttle: { maximumAvailable: 1000, restoreRate: 10_000 } });
    expect(await store.check(context)).toMatchObject({ ok: true });
    let entries = 0;
    for await (const page of store.readCatalog(context)) entries += page.entries.length;
    expect(entries).toBe(catalog.length);
  });
});
