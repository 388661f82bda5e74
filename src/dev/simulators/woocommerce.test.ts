import { createHmac, timingSafeEqual } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { generateStoreCatalog, totalQuantity } from "./store-catalog.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
  type WooCommerceSimulator,
  type WooCommerceSimulatorOptions,
} from "./woocommerce.js";

/** The simulator's own behaviour, spoken to with plain fetch (no omnifeed client in the loop). */

let simulator: WooCommerceSimulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function start(options: WooCommerceSimulatorOptions = {}): Promise<WooCommerceSimulator> {
  simulator = await startWooCommerceSimulator({ port: 0, ...options });
  return simulator;
}

const BASIC = `Basic ${Buffer.from(
  `${WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey}:${WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret}`,
).toString("base64")}`;

type Json = Record<string, unknown>;

async function call<T = Json>(
  sim: WooCommerceSimulator,
  method: string,
  path: string,
  body?: unknown,
  authorization: string | null = BASIC,
): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: {
      ...(authorization === null ? {} : { authorization }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

describe("WooCommerce simulator: auth", () => {
  it("answers WooCommerce's 401 bodies for no key, a wrong key, a wrong secret and a read-only key writing", async () => {
    const sim = await start();
    expect(await call(sim, "GET", "/products", undefined, null)).toMatchObject({
      status: 401,
      body: {
        code: "woocommerce_rest_cannot_view",
        message: "Sorry, you cannot list resources.",
        data: { status: 401 },
      },
    });
    const wrongKey = `Basic ${Buffer.from(`ck_wrong:${WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret}`).toString("base64")}`;
    expect((await call(sim, "GET", "/products", undefined, wrongKey)).body).toEqual({
      code: "woocommerce_rest_authentication_error",
      message: "Consumer key is invalid.",
      data: { status: 401 },
    });
    const wrongSecret = `Basic ${Buffer.from(`${WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey}:cs_wrong`).toString("base64")}`;
    expect((await call(sim, "GET", "/products", undefined, wrongSecret)).body).toMatchObject({
      message: "Consumer secret is invalid.",
    });
    await sim.close();
    simulator = await start({ permissions: "read" });
    expect((await call(simulator, "POST", "/orders", { line_items: [] })).body).toMatchObject({
      message: "The API key provided does not have write permissions.",
    });
  });

  it("takes the key and secret as query parameters and keeps the secret out of its call log", async () => {
    const sim = await start();
    const query = new URLSearchParams({
      consumer_key: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
      consumer_secret: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
    });
    expect((await call(sim, "GET", `/products?${query.toString()}`, undefined, null)).status).toBe(200);
    expect(JSON.stringify(sim.calls)).not.toContain(WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret);
  });
});

describe("WooCommerce simulator: products and variations", () => {
  it("pages products by id with X-WP-Total/TotalPages, complete and non-overlapping, and refuses per_page over 100", async () => {
    const catalog = generateStoreCatalog({ variants: 900, seed: 21 });
    const sim = await start({ catalog });
    const ids: number[] = [];
    let totalPages = 0;
    for (let pageNumber = 1; ; pageNumber += 1) {
      const page = await call<Json[]>(
        sim,
        "GET",
        `/products?per_page=100&page=${pageNumber}&orderby=id&order=asc`,
      );
      expect(page.status).toBe(200);
      expect(page.headers.get("x-wp-total")).toBe(String(catalog.length));
      totalPages = Number(page.headers.get("x-wp-totalpages"));
      ids.push(...page.body.map((product) => product.id as number));
      if (pageNumber >= totalPages) {
        expect(page.headers.get("link")).not.toContain('rel="next"');
        break;
      }
      expect(page.headers.get("link")).toMatch(new RegExp(`[?&]page=${pageNumber + 1}[&>][^,]*rel="next"`));
    }
    expect(totalPages).toBe(Math.ceil(catalog.length / 100));
    expect(new Set(ids).size).toBe(catalog.length);
    expect([...ids]).toEqual([...ids].sort((a, b) => a - b));
    const tooMany = await call(sim, "GET", "/products?per_page=101");
    expect(tooMany).toMatchObject({
      status: 400,
      body: {
        code: "rest_invalid_param",
        data: { status: 400, params: { per_page: expect.any(String) as string } },
      },
    });
  });

  it("reassembles to the seeded catalog through products and their variations", async () => {
    const catalog = generateStoreCatalog({ variants: 150, seed: 8 });
    const sim = await start({ catalog });
    const products = (await call<Json[]>(sim, "GET", "/products?per_page=100&orderby=id&order=asc")).body;
    const rest = (await call<Json[]>(sim, "GET", "/products?per_page=100&page=2&orderby=id&order=asc")).body;
    const read: {
      handle: string;
      variants: { sku: string; price: string; quantity: number; options: string[] }[];
    }[] = [];
    for (const product of [...products, ...rest]) {
      if (product.type === "simple") {
        read.push({
          handle: product.slug as string,
          variants: [
            {
              sku: product.sku as string,
              price: product.price as string,
              quantity: product.stock_quantity as number,
              options: [],
            },
          ],
        });
        continue;
      }
      const variations = (
        await call<Json[]>(
          sim,
          "GET",
          `/products/${String(product.id)}/variations?per_page=100&orderby=id&order=asc`,
        )
      ).body;
      read.push({
        handle: product.slug as string,
        variants: variations.map((variation) => ({
          sku: variation.sku as string,
          price: variation.price as string,
          quantity: variation.stock_quantity as number,
          options: (variation.attributes as { option: string }[]).map((attribute) => attribute.option),
        })),
      });
    }
    expect(read).toEqual(
      catalog.map((product) => ({
        handle: product.handle,
        variants: product.variants.map((variant) => ({
          sku: variant.sku,
          price: variant.price,
          quantity: totalQuantity(variant),
          options: variant.optionValues,
        })),
      })),
    );
  });
});

const ORDER = (sku: string, orderId: string) => ({
  status: "processing",
  set_paid: true,
  currency: "USD",
  payment_method: "amazon",
  payment_method_title: "Amazon Marketplace",
  transaction_id: orderId,
  customer_id: 0,
  billing: {
    first_name: "Jane",
    last_name: "Doe",
    address_1: "969 Market",
    city: "San Francisco",
    state: "CA",
    postcode: "94103",
    country: "US",
    email: "abc123@marketplace.amazon.com",
  },
  shipping: {
    first_name: "Jane",
    last_name: "Doe",
    address_1: "969 Market",
    city: "San Francisco",
    state: "CA",
    postcode: "94103",
    country: "US",
  },
  line_items: [{ sku, quantity: 2, subtotal: "39.98", total: "39.98" }],
  shipping_lines: [{ method_id: "flat_rate", method_title: "Amazon Standard", total: "4.99" }],
  meta_data: [
    { key: "_omnifeed_marketplace", value: "amazon" },
    { key: "_omnifeed_order_id", value: orderId },
  ],
});

describe("WooCommerce simulator: orders and tracking", () => {
  it("creates an order by SKU, reduces stock, and is found by scanning recent orders for its meta (search does not see meta)", async () => {
    const catalog = generateStoreCatalog({ variants: 30, seed: 4 });
    const sim = await start({ catalog });
    const variant = catalog[0]!.variants[0]!;
    const before = new Date(Date.now() - 60_000).toISOString().slice(0, 19);
    const created = await call<Json>(sim, "POST", "/orders", ORDER(variant.sku, "112-1234567-1234567"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "processing", created_via: "rest-api", total: "44.97" });
    expect(created.body.date_created_gmt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const stock = [...sim.records().values()].find((record) => record.sku === variant.sku)!.stock_quantity;
    expect(stock).toBe(totalQuantity(variant) - 2);
    expect((await call<Json[]>(sim, "GET", "/orders?search=112-1234567-1234567")).body).toEqual([]);
    expect((await call<Json[]>(sim, "GET", "/orders?search=Jane")).body).toHaveLength(1);
    const recent = (
      await call<Json[]>(sim, "GET", `/orders?after=${before}&dates_are_gmt=true&orderby=id&per_page=100`)
    ).body;
    const mine = recent.filter((order) =>
      (order.meta_data as Json[]).some(
        (meta) => meta.key === "_omnifeed_order_id" && meta.value === "112-1234567-1234567",
      ),
    );
    expect(mine.map((order) => order.id)).toEqual([created.body.id]);
    const future = new Date(Date.now() + 60_000).toISOString().slice(0, 19);
    expect((await call<Json[]>(sim, "GET", `/orders?after=${future}&dates_are_gmt=true`)).body).toEqual([]);
    expect((await call(sim, "POST", "/orders", { line_items: [{ quantity: 1 }] })).body).toMatchObject({
      code: "woocommerce_rest_required_product_reference",
      message: "Product ID or SKU is required.",
    });
  });

  it("adds, lists and deletes Shipment Tracking items, kept in the order's _wc_shipment_tracking_items meta", async () => {
    const catalog = generateStoreCatalog({ variants: 5, seed: 4 });
    const sim = await start({ catalog });
    const order = (await call<Json>(sim, "POST", "/orders", ORDER(catalog[0]!.variants[0]!.sku, "A-1"))).body;
    const tracking = `${sim.url}/wp-json/wc-shipment-tracking/v3/orders/${String(order.id)}/shipment-trackings`;
    const added = await fetch(tracking, {
      method: "POST",
      headers: { authorization: BASIC, "content-type": "application/json" },
      body: JSON.stringify({
        tracking_provider: "USPS",
        tracking_number: "9400111899560000000000",
        date_shipped: "2026-07-10",
      }),
    });
    expect(added.status).toBe(201);
    const item = (await added.json()) as Json;
    expect(added.headers.get("location")).toBe(`${tracking}/${String(item.tracking_id)}`);
    expect(item).toMatchObject({
      tracking_provider: "USPS",
      tracking_number: "9400111899560000000000",
      date_shipped: "2026-07-10",
    });
    expect(String(item.tracking_link)).toContain("9400111899560000000000");
    const meta = (await call<Json>(sim, "GET", `/orders/${String(order.id)}`)).body.meta_data as Json[];
    expect(meta.find((entry) => entry.key === "_wc_shipment_tracking_items")!.value).toMatchObject([
      { tracking_provider: "USPS", tracking_number: "9400111899560000000000", date_shipped: 1783641600 },
    ]);
    const deleted = await fetch(`${tracking}/${String(item.tracking_id)}`, {
      method: "DELETE",
      headers: { authorization: BASIC },
    });
    expect(deleted.status).toBe(200);
    expect(await (await fetch(tracking, { headers: { authorization: BASIC } })).json()).toEqual([]);
  });
});

describe("WooCommerce simulator: webhooks", () => {
  function verified(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
    const expected = createHmac("sha256", secret).update(raw).digest();
    const given = Buffer.from(typeof header === "string" ? header : "", "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  it("pings on creation unsigned, then signs each delivery with the webhook's secret (not the consumer secret)", async () => {
    receiver = await startWebhookReceiver();
    const catalog = generateStoreCatalog({ variants: 5, seed: 4 });
    const sim = await start({ catalog });
    const hook = await call<Json>(sim, "POST", "/webhooks", {
      name: "Order updated",
      topic: "order.updated",
      delivery_url: receiver.url,
      secret: "whsec-omnifeed",
    });
    expect(hook.status).toBe(201);
    expect(hook.body).not.toHaveProperty("secret");
    await sim.webhooksSettled();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.raw.toString("utf8")).toBe(`webhook_id=${String(hook.body.id)}`);
    expect(receiver.received[0]!.headers["x-wc-webhook-signature"]).toBeUndefined();

    const order = (await call<Json>(sim, "POST", "/orders", ORDER(catalog[0]!.variants[0]!.sku, "B-1"))).body;
    sim.completeOrder(order.id as number);
    await sim.webhooksSettled();
    expect(receiver.received).toHaveLength(2);
    const delivery = receiver.received[1]!;
    expect(delivery.headers).toMatchObject({
      "x-wc-webhook-topic": "order.updated",
      "x-wc-webhook-resource": "order",
      "x-wc-webhook-event": "updated",
      "x-wc-webhook-id": String(hook.body.id),
      "x-wc-webhook-source": `${sim.url}/`,
    });
    expect(delivery.headers["x-wc-webhook-delivery-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(verified(delivery.raw, delivery.headers["x-wc-webhook-signature"], "whsec-omnifeed")).toBe(true);
    expect(
      verified(
        delivery.raw,
        delivery.headers["x-wc-webhook-signature"],
        WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
      ),
    ).toBe(false);
    expect(JSON.parse(delivery.raw.toString("utf8"))).toMatchObject({ id: order.id, status: "completed" });
  });

  it("disables a webhook after 5 failed deliveries in a row and never redelivers", async () => {
    receiver = await startWebhookReceiver();
    const catalog = generateStoreCatalog({ variants: 5, seed: 4 });
    const sim = await start({ catalog });
    await call(sim, "POST", "/webhooks", { topic: "order.created", delivery_url: receiver.url, secret: "s" });
    await sim.webhooksSettled();
    receiver.answerWith(500);
    for (let index = 0; index < 6; index += 1) {
      await call(sim, "POST", "/orders", ORDER(catalog[0]!.variants[0]!.sku, `C-${index}`));
      await sim.webhooksSettled();
    }
    expect(sim.webhooks()[0]).toMatchObject({ status: "disabled", failure_count: 5 });
    // The ping and five orders reached the receiver; the sixth order was not sent.
    expect(receiver.received).toHaveLength(6);
  });
});
