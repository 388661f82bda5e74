import { describe, expect, it } from "vitest";
import { closedAfterEach } from "../../../test/support/closed-after-each.js";
import { isOmnifeedError } from "../../core/errors.js";
import type { Order } from "../../core/order.js";
import { testOrder } from "../../../test/support/store-orders.js";
import { generateStoreCatalog } from "../../dev/simulators/store-catalog.js";
import { startWebhookReceiver } from "../../dev/simulators/webhook-receiver.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
  type WooCommerceSimulator,
  type WooCommerceSimulatorOptions,
} from "../../dev/simulators/woocommerce.js";
import { WooCommerceConnectionSchema } from "../../sources/woocommerce/options.js";
import type { Store, StoreContext } from "../store.js";
import { createWooCommerceStore } from "./index.js";

const closeAfterwards = closedAfterEach();

const catalog = generateStoreCatalog({ variants: 40, seed: 21 });
const variable = catalog.find((item) => item.variants.length > 1)!;
const simple = catalog.find((item) => item.variants.length === 1 && item.options.length === 0)!;
const WEBHOOK_SECRET = "whsec-test-0123456789";
const SECRETS: Record<string, string> = {
  WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
  WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
  WOO_WEBHOOK_SECRET: WEBHOOK_SECRET,
};
const context: StoreContext = { clock: () => new Date() };

async function start(
  options: WooCommerceSimulatorOptions = {},
  extra: Record<string, unknown> = {},
): Promise<{ sim: WooCommerceSimulator; store: Store }> {
  const simulator = closeAfterwards(await startWooCommerceSimulator({ port: 0, catalog, ...options }));
  const connection = WooCommerceConnectionSchema.parse({
    url: simulator.url,
    consumer_key_env: "WOO_KEY",
    consumer_secret_env: "WOO_SECRET",
    webhook_secret_env: "WOO_WEBHOOK_SECRET",
    currency: "USD",
    ...extra,
  });
  return {
    sim: simulator,
    store: createWooCommerceStore(connection, { secret: (name) => SECRETS[name], baseDelayMs: 5 }),
  };
}

function orderOf(
  orderId: string,
  skus: string[] = [variable.variants[1]!.sku, simple.variants[0]!.sku],
): Order {
  return testOrder(
    orderId,
    skus.map((sku, index) => ({ sku, quantity: index + 1 })),
    // Recent: a lookup after an unknown outcome scans the orders created since shortly before.
    { purchasedAt: new Date(Date.now() - 5 * 60_000).toISOString() },
  );
}

type Json = Record<string, unknown>;

function secondStore(sim: WooCommerceSimulator): Store {
  const connection = WooCommerceConnectionSchema.parse({
    url: sim.url,
    consumer_key_env: "WOO_KEY",
    consumer_secret_env: "WOO_SECRET",
    currency: "USD",
  });
  return createWooCommerceStore(connection, { secret: (name) => SECRETS[name] });
}

async function merchant(
  sim: WooCommerceSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  const response = await fetch(`${sim.url}/wp-json${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${SECRETS.WOO_KEY}:${SECRETS.WOO_SECRET}`).toString("base64")}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as Json;
}

describe("WooCommerce store: orders", () => {
  it("creates a paid order with the key in meta and lines by product and variation id", async () => {
    const { sim, store } = await start();
    const ref = await store.createOrder(orderOf("112-0000001-0000001"), context);
    expect(ref).toMatchObject({ outcome: "created" });
    const [order] = sim.orders();
    expect(String(order!.id)).toBe(ref.storeOrderId);
    expect(order).toMatchObject({
      status: "processing",
      currency: "USD",
      transaction_id: "112-0000001-0000001",
      shipping: { first_name: "Jane", last_name: "Doe", city: "San Francisco", country: "US" },
      billing: { email: "buyer@marketplace.example" },
      shipping_lines: [{ method_title: "Standard", total: "4.99" }],
    });
    expect(order!.meta_data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "_omnifeed_marketplace", value: "amazon" }),
        expect.objectContaining({ key: "_omnifeed_account", value: "A1SELLER" }),
        expect.objectContaining({ key: "_omnifeed_order_id", value: "112-0000001-0000001" }),
      ]),
    );
    const lines = order!.line_items as Json[];
    expect(lines.map((line) => [line.sku, line.quantity, line.total])).toEqual([
      [variable.variants[1]!.sku, 1, "19.99"],
      [simple.variants[0]!.sku, 2, "39.98"],
    ]);
    expect(lines[0]!.variation_id).not.toBe(0);
    expect(lines[1]!.variation_id).toBe(0);
    // The sale reduced stock (set_paid).
    const variation = [...sim.records().values()].find((record) => record.sku === variable.variants[1]!.sku)!;
    expect(variation.stock_quantity).toBe(
      variable.variants[1]!.inventory.reduce((sum, level) => sum + level.quantity, 0) - 1,
    );
  });

  it("refuses an order with a SKU the store does not sell, naming it, and creates nothing", async () => {
    const { sim, store } = await start();
    const error = await store
      .createOrder(orderOf("112-0000002-0000002", [simple.variants[0]!.sku, "NO-SUCH-SKU"]), context)
      .catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "rejected")).toBe(true);
    expect((error as Error).message).toContain("NO-SUCH-SKU");
    expect((error as Error).message).toContain("amazon/A1SELLER/112-0000002-0000002");
    expect(sim.orders()).toHaveLength(0);
    // A variable parent's own SKU is not something a buyer can receive either.
    const parentSku = [...sim.records().values()].find((record) => record.type === "variable")!.sku as string;
    const parent = await store
      .createOrder(orderOf("112-0000002-0000003", [parentSku]), context)
      .catch((caught: unknown) => caught);
    expect(isOmnifeedError(parent, "rejected")).toBe(true);
  });

  it("gives one store order for the same order created three times in a row and three times at once", async () => {
    const { sim, store } = await start();
    const order = orderOf("112-0000003-0000003");
    const outcomes = [];
    for (let round = 0; round < 3; round += 1)
      outcomes.push((await store.createOrder(order, context)).outcome);
    expect(outcomes).toEqual(["created", "found", "found"]);
    const concurrent = orderOf("112-0000003-0000004");
    const refs = await Promise.all([1, 2, 3].map(() => store.createOrder(concurrent, context)));
    expect(refs.map((ref) => ref.outcome).sort()).toEqual(["created", "found", "found"]);
    expect(new Set(refs.map((ref) => ref.storeOrderId)).size).toBe(1);
    // A second store object (another worker in this process) finds it too.
    const other = secondStore(sim);
    expect((await other.createOrder(concurrent, context)).outcome).toBe("found");
    expect(sim.orders()).toHaveLength(2);
    expect(await store.findOrder(concurrent, context)).toMatchObject({
      storeOrderId: refs[0]!.storeOrderId,
      outcome: "found",
    });
    expect(
      await store.findOrder({ ...concurrent, orderId: "999" as Order["orderId"] }, context),
    ).toBeUndefined();
  });

  it("gives one store order when two store objects of one process create the same order at once", async () => {
    const { sim, store } = await start();
    const order = orderOf("112-0000003-0000009");
    const refs = await Promise.all(
      [store, secondStore(sim), store].map((each) => each.createOrder(order, context)),
    );
    expect(refs.filter((ref) => ref.outcome === "created")).toHaveLength(1);
    expect(sim.orders()).toHaveLength(1);
  });

  it("looks again after a lost answer instead of creating twice", async () => {
    const { sim, store } = await start({}, { timeout_ms: 300 });
    sim.delayNextOrderAnswer(800);
    const ref = await store.createOrder(orderOf("112-0000004-0000004"), context);
    expect(ref.outcome).toBe("created");
    expect(sim.orders()).toHaveLength(1);
    expect(String(sim.orders()[0]!.id)).toBe(ref.storeOrderId);
    expect(sim.calls.filter((call) => call.method === "POST" && call.path.endsWith("/orders"))).toHaveLength(
      1,
    );
  });

  it("cancels an order it created", async () => {
    const { sim, store } = await start();
    const ref = await store.createOrder(orderOf("112-0000005-0000005"), context);
    await store.cancelOrder(ref.storeOrderId, context);
    expect(sim.orders()[0]!.status).toBe("cancelled");
    const missing = await store.cancelOrder("987654", context).catch((caught: unknown) => caught);
    expect(isOmnifeedError(missing, "not_found")).toBe(true);
  });
});

describe("WooCommerce store: tracking", () => {
  it("reports each Shipment Tracking item as a shipment, and only newer ones after the checkpoint", async () => {
    const { sim, store } = await start();
    const ref = await store.createOrder(orderOf("112-0000006-0000006"), context);
    const other = await store.createOrder(orderOf("112-0000006-0000007", [simple.variants[0]!.sku]), context);
    const empty = await store.shipmentsSince(undefined, context);
    expect(empty.shipments).toEqual([]);
    await merchant(sim, "POST", `/wc-shipment-tracking/v3/orders/${ref.storeOrderId}/shipment-trackings`, {
      tracking_provider: "USPS",
      tracking_number: "9400111899560000000000",
      date_shipped: "2026-07-10",
    });
    const first = await store.shipmentsSince(empty.checkpoint, context);
    expect(first.shipments).toHaveLength(1);
    expect(first.shipments[0]).toMatchObject({
      order: { marketplace: "amazon", account: "A1SELLER", orderId: "112-0000006-0000006" },
      storeOrderId: ref.storeOrderId,
      carrier: "USPS",
      trackingNumber: "9400111899560000000000",
      trackingUrl: expect.stringContaining("9400111899560000000000") as string,
      shippedAt: "2026-07-10",
      lines: [
        { sku: variable.variants[1]!.sku, quantity: 1 },
        { sku: simple.variants[0]!.sku, quantity: 2 },
      ],
      cancelled: false,
    });
    expect(first.shipments[0]!.shipmentId).toMatch(new RegExp(`^${ref.storeOrderId}:[0-9a-f]+$`));
    // Wait past the store's one-second clock so the next change is strictly later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await merchant(sim, "POST", `/wc-shipment-tracking/v3/orders/${other.storeOrderId}/shipment-trackings`, {
      custom_tracking_provider: "Parcel Co",
      custom_tracking_link: "https://parcel.example/t/%1$s",
      tracking_number: "PC123",
    });
    await store.cancelOrder(ref.storeOrderId, context);
    const second = await store.shipmentsSince(first.checkpoint, context);
    const byOrder = new Map(second.shipments.map((shipment) => [shipment.storeOrderId, shipment]));
    expect(byOrder.get(other.storeOrderId)).toMatchObject({
      carrier: "Parcel Co",
      trackingUrl: "https://parcel.example/t/PC123",
    });
    expect(byOrder.get(ref.storeOrderId)).toMatchObject({ cancelled: true });
    // The overlap reads the window again, never less: the checkpoint only moves forward.
    const modified = (checkpoint: string) => (JSON.parse(checkpoint) as { modified: string }).modified;
    expect(modified(second.checkpoint) >= modified(first.checkpoint)).toBe(true);
  });

  it("says in check() whether the Shipment Tracking extension is there", async () => {
    const { store } = await start({ shipmentTracking: false });
    const answer = await store.check(context);
    expect(answer.ok).toBe(true);
    expect(answer.detail).toContain("Shipment Tracking not installed");
  });
});

describe("WooCommerce store: webhooks", () => {
  it("verifies signatures, answers the ping, maps order topics, and gives repeats the same dedupe key", async () => {
    const { sim, store } = await start();
    const receiver = closeAfterwards(await startWebhookReceiver());
    await merchant(sim, "POST", "/wc/v3/webhooks", {
      name: "orders",
      topic: "order.updated",
      delivery_url: receiver.url,
      secret: WEBHOOK_SECRET,
    });
    await sim.webhooksSettled();
    const ping = sim.webhookDeliveries.find((delivery) => delivery.topic === "ping")!;
    const asWebhook = (delivery: { body: string; headers: Record<string, string> }) => ({
      rawBody: Buffer.from(delivery.body, "utf8"),
      headers: Object.fromEntries(
        Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]),
      ),
    });
    expect(store.parseWebhook!(asWebhook(ping)).event).toEqual({ type: "ping" });

    const ref = await store.createOrder(orderOf("112-0000007-0000007"), context);
    await store.cancelOrder(ref.storeOrderId, context);
    await sim.webhooksSettled();
    const update = sim.webhookDeliveries.find((delivery) => delivery.topic === "order.updated")!;
    const parsed = store.parseWebhook!(asWebhook(update));
    expect(parsed.event).toEqual({
      type: "order_cancelled",
      storeOrderId: ref.storeOrderId,
      order: { marketplace: "amazon", account: "A1SELLER", orderId: "112-0000007-0000007" },
    });
    const modified = (JSON.parse(update.body) as Json).date_modified_gmt as string;
    expect(parsed.dedupeKey).toBe(`1:order.updated:${ref.storeOrderId}:${modified}`);
    // The same delivery again (a repeat) has the same key.
    expect(store.parseWebhook!(asWebhook(update)).dedupeKey).toBe(parsed.dedupeKey);

    const tampered = asWebhook({ ...update, body: update.body.replace('"cancelled"', '"completed"') });
    expect(() => store.parseWebhook!(tampered)).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
    const unsigned = asWebhook(update);
    delete unsigned.headers["x-wc-webhook-signature"];
    expect(() => store.parseWebhook!(unsigned)).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
    // Signed with the consumer secret instead of the webhook's own: refused.
    const { createHmac } = await import("node:crypto");
    const wrongKey = asWebhook(update);
    wrongKey.headers["x-wc-webhook-signature"] = createHmac("sha256", SECRETS.WOO_SECRET!)
      .update(update.body)
      .digest("base64");
    expect(() => store.parseWebhook!(wrongKey)).toThrow(expect.objectContaining({ kind: "auth" }) as Error);
  });
});
