import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisUrlFromEnv } from "../../config/env.js";
import { OmnifeedError } from "../../core/errors.js";
import { OrderSchema, type Order } from "../../core/order.js";
import type { IncomingWebhook } from "../../core/webhook.js";
import {
  DEFAULT_NOTIFICATION_SECRET_HEADER,
  createAmazonOrdersApi,
} from "../../dev/simulators/amazon-orders.js";
import {
  SHOPIFY_SIMULATOR_CREDENTIALS,
  startShopifySimulator,
  type ShopifySimulator,
} from "../../dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../dev/simulators/store-catalog.js";
import {
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
  startWooCommerceSimulator,
} from "../../dev/simulators/woocommerce.js";
import { createLogger } from "../../infra/logger.js";
import { connectRedis } from "../../infra/redis.js";
import { installationPrefixOf } from "../../jobs/lanes.js";
import { openQueues, type JobQueues } from "../../jobs/queues.js";
import type { WebhookEvent, WebhookEventPayload, WebhookInbox } from "../../jobs/webhook-events.js";
import { openStreamInbox, webhookInboxKeyOf } from "../../jobs/webhook-inbox.js";
import { startWorker } from "../../jobs/worker.js";
import { ShopifyConnectionSchema } from "../../sources/shopify/options.js";
import { WooCommerceConnectionSchema } from "../../sources/woocommerce/options.js";
import { createShopifyStore } from "../../stores/shopify/index.js";
import { createWooCommerceStore } from "../../stores/woocommerce/index.js";
import { deleteKeysUnder } from "../../../test/support/redis-keys.js";
import { createServer } from "../app.js";
import {
  marketplaceReceiver,
  storeReceiver,
  type NotificationSource,
  type WebhookReceiver,
} from "./receivers.js";

/**
 * The webhook receivers against real Redis and the store and marketplace simulators: what a
 * sender gets back, and what is in Redis when it gets it.
 */

const REDIS_URL = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
const WORKSPACE = "hooks";
const SHOPIFY_SECRET_ENV = "TEST_SHOPIFY_SECRET";
const WOO_WEBHOOK_SECRET = "whsec-receiver-test-0123";
const AMAZON_SECRET = "bridge-secret-0123456789";
const SECRETS: Record<string, string> = {
  TEST_SHOPIFY_TOKEN: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken,
  [SHOPIFY_SECRET_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
  WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
  WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
  WOO_WEBHOOK_SECRET,
};
const secret = (name: string): string | undefined => SECRETS[name];
const catalog = generateStoreCatalog({ variants: 40, seed: 9 });

let redis: Redis;
const closers: (() => Promise<unknown>)[] = [];
const prefixes: string[] = [];

beforeAll(() => {
  redis = connectRedis(REDIS_URL, { name: "omnifeed-test-webhooks", forQueues: true });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const prefix of prefixes.splice(0)) await deleteKeysUnder(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

/**
 * The Amazon route's parser until the Amazon adapter lands (the route takes any
 * `parseNotification`): the bridge's shared secret compared in constant time, the raw
 * `ORDER_CHANGE`, deduplicated on its NotificationId.
 */
function amazonParser(expected: string): NotificationSource {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return {
    id: "amazon",
    parseNotification(notification: IncomingWebhook) {
      const given = notification.headers[DEFAULT_NOTIFICATION_SECRET_HEADER] ?? "";
      if (!timingSafeEqual(digest(given), digest(expected))) {
        throw new OmnifeedError("auth", "Amazon notification: the shared secret does not match");
      }
      let body: {
        NotificationMetadata?: { NotificationId?: string };
        Payload?: { OrderChangeNotification?: { SellerId?: string; AmazonOrderId?: string } };
      };
      try {
        body = JSON.parse(notification.rawBody.toString("utf8")) as typeof body;
      } catch {
        throw new OmnifeedError("rejected", "Amazon notification: the body is not JSON");
      }
      const id = body.NotificationMetadata?.NotificationId;
      const change = body.Payload?.OrderChangeNotification;
      if (!id || !change?.AmazonOrderId || !change.SellerId) {
        throw new OmnifeedError("rejected", "Amazon notification: not an ORDER_CHANGE");
      }
      return {
        dedupeKey: id,
        event: { type: "orders_changed", account: change.SellerId, orderIds: [change.AmazonOrderId] },
      };
    },
  };
}

function shopifyStore(shopUrl = "http://127.0.0.1:9") {
  return createShopifyStore(
    ShopifyConnectionSchema.parse({
      shop_url: shopUrl,
      access_token_env: "TEST_SHOPIFY_TOKEN",
      client_secret_env: SHOPIFY_SECRET_ENV,
      currency: "USD",
      store_url: "https://shop.example",
      lookup_delay_ms: 10,
    }),
    { secret },
  );
}

function wooStore(url = "http://127.0.0.1:9") {
  return createWooCommerceStore(
    WooCommerceConnectionSchema.parse({
      url,
      consumer_key_env: "WOO_KEY",
      consumer_secret_env: "WOO_SECRET",
      webhook_secret_env: "WOO_WEBHOOK_SECRET",
      currency: "USD",
    }),
    { secret, baseDelayMs: 5 },
  );
}

interface Harness {
  app: FastifyInstance;
  queues: JobQueues;
  prefix: string;
  /** Every log line the server wrote. */
  logs: string[];
  /** Deliveries stored: in the inbox stream, or relayed into the fast lane as jobs. */
  jobCount: () => Promise<number>;
  /** The payloads in the inbox stream (not yet relayed), oldest first, with their job ids. */
  stored: () => Promise<(WebhookEventPayload & { jobId: string })[]>;
}

async function harness(
  options: {
    receivers?: WebhookReceiver[];
    inbox?: (real: WebhookInbox) => WebhookInbox;
    basePrefix?: string;
  } = {},
): Promise<Harness> {
  const base = options.basePrefix ?? `omnifeed-test:${randomUUID()}:`;
  prefixes.push(base);
  const prefix = installationPrefixOf(base, WORKSPACE);
  const queues = openQueues(redis, prefix, {});
  closers.push(() => queues.close());
  const real = openStreamInbox(redis, prefix, { dedupeWindowMs: 3_600_000 });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const app = await createServer({
    auth: { token: "metrics-token" },
    redis,
    prefix,
    logger: createLogger({ level: "info", destination }),
    webhooks: {
      receivers: options.receivers ?? [
        storeReceiver(shopifyStore()),
        storeReceiver(wooStore()),
        marketplaceReceiver(amazonParser(AMAZON_SECRET)),
      ],
      inbox: options.inbox ? options.inbox(real) : real,
    },
  });
  closers.push(() => app.close());
  const jobCount = async () => {
    const counts = await queues.byLane.fast.getJobCounts();
    const jobs = Object.values(counts).reduce((sum, count) => sum + count, 0);
    return jobs + (await redis.xlen(webhookInboxKeyOf(prefix)));
  };
  const stored = async () =>
    (await redis.xrange(webhookInboxKeyOf(prefix), "-", "+")).map(([id, fields]) => ({
      ...(JSON.parse(fields[fields.indexOf("payload") + 1]!) as WebhookEventPayload),
      jobId: `wh-${id}`,
    }));
  return { app, queues, prefix, logs, jobCount, stored };
}

const FULFILLMENT = JSON.stringify({
  id: 1069019878,
  order_id: 450789469,
  status: "success",
  created_at: "2026-12-01T10:00:00-05:00",
  tracking_company: "UPS",
  tracking_numbers: ["1Z999AA10123456784"],
  tracking_urls: [],
  line_items: [{ id: 518995019, sku: "MUG-RED", quantity: 1 }],
  admin_graphql_api_id: "gid://shopify/Fulfillment/1069019878",
});

function shopifyHeaders(
  body: string,
  webhookId: string,
  key: string = SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
) {
  return {
    "content-type": "application/json",
    "x-shopify-topic": "fulfillments/create",
    "x-shopify-webhook-id": webhookId,
    "x-shopify-hmac-sha256": createHmac("sha256", key).update(body, "utf8").digest("base64"),
  };
}

describe("webhook receivers", () => {
  it("refuses a bad or missing signature with 401 and stores nothing", async () => {
    const { app, jobCount, logs, prefix } = await harness();
    const wrongKey = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: { ...shopifyHeaders(FULFILLMENT, "w-1", "not-the-secret"), "x-request-id": "req-bad-sig" },
      payload: FULFILLMENT,
    });
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json()).toEqual({
      error: {
        code: "auth",
        message: expect.stringContaining("X-Shopify-Hmac-Sha256") as string,
        requestId: "req-bad-sig",
      },
    });
    // Signed, then one byte changed.
    const tampered = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: shopifyHeaders(FULFILLMENT, "w-2"),
      payload: FULFILLMENT.replace("1Z999", "1Z998"),
    });
    expect(tampered.statusCode).toBe(401);
    const unsigned: Record<string, string> = { ...shopifyHeaders(FULFILLMENT, "w-3") };
    delete unsigned["x-shopify-hmac-sha256"];
    const missing = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: unsigned,
      payload: FULFILLMENT,
    });
    expect(missing.statusCode).toBe(401);
    const woo = await app.inject({
      method: "POST",
      url: "/webhooks/woocommerce",
      headers: {
        "content-type": "application/json",
        "x-wc-webhook-signature": "AAAA",
        "x-wc-webhook-topic": "order.updated",
      },
      payload: JSON.stringify({ id: 1 }),
    });
    expect(woo.statusCode).toBe(401);
    const amazon = await app.inject({
      method: "POST",
      url: "/webhooks/amazon",
      headers: { "content-type": "application/json", [DEFAULT_NOTIFICATION_SECRET_HEADER]: "guess" },
      payload: "{}",
    });
    expect(amazon.statusCode).toBe(401);

    expect(await jobCount()).toBe(0);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.filter((key) => key.includes(":de:") || /:wh-/.test(key))).toEqual([]);
    // Each refusal is logged with its request id and kind, never with the body.
    const refused = logs.filter((line) => line.includes("webhook refused"));
    expect(refused).toHaveLength(5);
    expect(refused[0]).toContain('"requestId":"req-bad-sig"');
    expect(logs.join("")).not.toContain("1Z999AA10123456784");
    const metrics = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: "Bearer metrics-token" },
    });
    expect(metrics.body).toContain(
      'omnifeed_webhook_deliveries_total{source="shopify",outcome="rejected"} 3',
    );
    expect(metrics.body).toContain('omnifeed_webhook_deliveries_total{source="amazon",outcome="rejected"} 1');
  });

  it("stores a good delivery before answering 202, and answers its repeats 200 without storing them", async () => {
    const { app, stored, jobCount, logs } = await harness();
    const headers = shopifyHeaders(FULFILLMENT, "b7e0c9d2-0001");
    const first = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers,
      payload: FULFILLMENT,
    });
    expect(first.statusCode).toBe(202);
    const answer = first.json<{ status: string; requestId: string; jobId: string }>();
    expect(answer.status).toBe("accepted");
    expect(first.headers["x-request-id"]).toBe(answer.requestId);
    // In Redis when the answer left: read back from the inbox stream on the same server.
    const [entry] = await stored();
    expect(entry?.jobId).toBe(answer.jobId);
    expect(entry).toMatchObject({
      name: "webhook-event",
      source: "shopify",
      dedupeKey: "shopify:b7e0c9d2-0001",
      requestId: answer.requestId,
      event: {
        type: "shipment",
        shipment: { storeOrderId: "gid://shopify/Order/450789469", trackingNumber: "1Z999AA10123456784" },
      },
    });
    for (let repeats = 0; repeats < 2; repeats += 1) {
      const repeat = await app.inject({
        method: "POST",
        url: "/webhooks/shopify",
        headers,
        payload: FULFILLMENT,
      });
      expect(repeat.statusCode).toBe(200);
      expect(repeat.json()).toMatchObject({ status: "duplicate", jobId: answer.jobId });
    }
    expect(await jobCount()).toBe(1);
    // Another delivery id is another event.
    const other = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: shopifyHeaders(FULFILLMENT, "b7e0c9d2-0002"),
      payload: FULFILLMENT,
    });
    expect(other.statusCode).toBe(202);
    expect(await jobCount()).toBe(2);

    const metrics = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: "Bearer metrics-token" },
    });
    expect(metrics.body).toContain(
      'omnifeed_webhook_deliveries_total{source="shopify",outcome="accepted"} 2',
    );
    expect(metrics.body).toContain(
      'omnifeed_webhook_deliveries_total{source="shopify",outcome="duplicate"} 2',
    );
    // No worker runs here: both wait in the inbox for a relay.
    expect(metrics.body).toContain("omnifeed_webhook_inbox_backlog 2");
    expect(metrics.body).toContain("omnifeed_webhook_dead_letters 0");
    const lines = logs.filter((line) => line.includes('"msg":"webhook delivery"'));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(`"requestId":"${answer.requestId}"`);
    expect(logs.join("")).not.toContain("1Z999AA10123456784");
  });

  it("answers 503 and no 2xx when the delivery cannot be stored", async () => {
    const { app, jobCount } = await harness({
      inbox: () => ({
        accept: () => Promise.reject(new Error("connection lost")),
      }),
    });
    const response = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: shopifyHeaders(FULFILLMENT, "w-503"),
      payload: FULFILLMENT,
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: "transient" } });
    expect(await jobCount()).toBe(0);
  });

  it("refuses a body over the route's limit with 413 before reading it, and stores nothing", async () => {
    const { app, jobCount } = await harness({
      receivers: [
        { ...storeReceiver(shopifyStore()), bodyLimit: 4096 },
        marketplaceReceiver(amazonParser(AMAZON_SECRET)),
      ],
    });
    const big = JSON.stringify({ id: 1, order_id: 2, status: "success", note: "x".repeat(5000) });
    const response = await app.inject({
      method: "POST",
      url: "/webhooks/shopify",
      headers: { ...shopifyHeaders(big, "w-big"), "x-request-id": "req-big" },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { requestId: "req-big" } });
    // The Amazon route keeps its own limit (256 KiB): the same bytes pass its size check.
    const amazon = await app.inject({
      method: "POST",
      url: "/webhooks/amazon",
      headers: { "content-type": "application/json", [DEFAULT_NOTIFICATION_SECRET_HEADER]: AMAZON_SECRET },
      payload: big,
    });
    expect(amazon.statusCode).toBe(400);
    expect(await jobCount()).toBe(0);
  });

  it("answers WooCommerce's unsigned creation ping 200 and stores nothing; an unknown source is 404", async () => {
    const { app, jobCount } = await harness();
    const ping = await app.inject({
      method: "POST",
      url: "/webhooks/woocommerce",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "webhook_id=7",
    });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ status: "ignored" });
    const unknown = await app.inject({ method: "POST", url: "/webhooks/magento", payload: "{}" });
    expect(unknown.statusCode).toBe(404);
    expect(await jobCount()).toBe(0);
  });
});

describe("webhook receivers over a socket, fed by the simulators", () => {
  async function listening(h: Harness): Promise<string> {
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const address = h.app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return `http://127.0.0.1:${address.port}`;
  }

  function storeOrder(sku: string, orderId: string): Order {
    return OrderSchema.parse({
      marketplace: "amazon",
      account: "A1SELLER",
      orderId,
      status: "unshipped",
      purchasedAt: new Date(Date.now() - 60_000).toISOString(),
      currency: "USD",
      lines: [{ lineId: "L1", sku, quantity: 1, unitPrice: { amount: 1999, currency: "USD" } }],
      shippingAddress: {
        name: "Jane Doe",
        line1: "969 Market St",
        city: "San Francisco",
        region: "CA",
        postalCode: "94103",
        country: "US",
      },
      shippingService: "Standard",
      total: { amount: 1999, currency: "USD" },
    });
  }

  const sku = catalog
    .flatMap((product) => product.variants)
    .find((variant) => variant.inventory.reduce((sum, level) => sum + level.quantity, 0) >= 5)!.sku;

  it("accepts Shopify's signed fulfillment webhook and its redelivery once", async () => {
    const shop: ShopifySimulator = await startShopifySimulator({ port: 0, catalog });
    closers.push(() => shop.close());
    const h = await harness({ receivers: [storeReceiver(shopifyStore(shop.url))] });
    const url = await listening(h);
    shop.setWebhookUrl(`${url}/webhooks/shopify`);
    const store = shopifyStore(shop.url);
    const ref = await store.createOrder(storeOrder(sku, "112-0000000-0000101"), { clock: () => new Date() });
    shop.fulfill(ref.storeOrderId, { company: "UPS", number: "1Z1" });
    await shop.webhooksSettled();
    const fulfillment = shop.webhookDeliveries.find((delivery) => delivery.topic === "fulfillments/create")!;
    expect(fulfillment.status).toBe(202);
    await shop.redeliver(fulfillment.headers["x-shopify-webhook-id"]!);
    await shop.redeliver(fulfillment.headers["x-shopify-webhook-id"]!);
    const copies = shop.webhookDeliveries.filter(
      (delivery) => delivery.headers["x-shopify-webhook-id"] === fulfillment.headers["x-shopify-webhook-id"],
    );
    expect(copies.map((delivery) => delivery.status)).toEqual([202, 200, 200]);
    const shipments = (await h.stored()).filter((entry) => entry.event.type === "shipment");
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({
      event: { shipment: { storeOrderId: ref.storeOrderId, trackingNumber: "1Z1", carrier: "UPS" } },
    });
    // The order the store created echoes back as orders/create: every delivery got a 2xx.
    expect(shop.webhookDeliveries.every((delivery) => delivery.status >= 200 && delivery.status < 300)).toBe(
      true,
    );
  });

  it("accepts WooCommerce's ping and signed order.updated", async () => {
    const site = await startWooCommerceSimulator({ port: 0, catalog });
    closers.push(() => site.close());
    const h = await harness({ receivers: [storeReceiver(wooStore(site.url))] });
    const url = await listening(h);
    const created = await fetch(`${site.url}/wp-json/wc/v3/webhooks`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${SECRETS.WOO_KEY}:${SECRETS.WOO_SECRET}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        name: "orders",
        topic: "order.updated",
        delivery_url: `${url}/webhooks/woocommerce`,
        secret: WOO_WEBHOOK_SECRET,
      }),
    });
    expect(created.status).toBe(201);
    await site.webhooksSettled();
    const store = wooStore(site.url);
    const ref = await store.createOrder(storeOrder(sku, "112-0000000-0000202"), { clock: () => new Date() });
    site.completeOrder(Number(ref.storeOrderId));
    await site.webhooksSettled();
    const statuses = site.webhookDeliveries.map((delivery) => [delivery.topic, delivery.status]);
    expect(statuses[0]).toEqual(["ping", 200]);
    expect(
      statuses.filter(([topic]) => topic === "order.updated").every(([, status]) => status === 202),
    ).toBe(true);
    expect(site.webhooks()[0]!.status).toBe("active");
    const entries = await h.stored();
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries.map((entry) => entry.event)).toContainEqual({
      type: "order_updated",
      storeOrderId: ref.storeOrderId,
      order: { marketplace: "amazon", account: "A1SELLER", orderId: "112-0000000-0000202" },
    });
  });

  it("accepts Amazon's ORDER_CHANGE from the bridge, delivered three times, and the worker hands it to the handler once", async () => {
    const base = `omnifeed-test:${randomUUID()}:`;
    const h = await harness({
      receivers: [marketplaceReceiver(amazonParser(AMAZON_SECRET))],
      basePrefix: base,
    });
    const url = await listening(h);
    const amazon = createAmazonOrdersApi({
      notifications: { url: `${url}/webhooks/amazon`, secret: AMAZON_SECRET },
    });
    closers.push(() => amazon.close());
    const placed = amazon.placeOrder({ lines: [{ sku: "MUG-RED", quantity: 2, unitPriceMinor: 1500 }] });
    await amazon.settled();
    const [notification] = amazon.deliveries();
    expect(notification?.status).toBe(202);
    await amazon.redeliver(notification!.notificationId, 2);
    await amazon.settled();
    expect(amazon.deliveries().map((delivery) => delivery.status)).toEqual([202, 200, 200]);
    // A bridge with the wrong secret is refused; nothing more is stored.
    amazon.notifyTo({ url: `${url}/webhooks/amazon`, secret: "wrong" });
    await amazon.redeliver(notification!.notificationId);
    await amazon.settled();
    expect(amazon.deliveries().at(-1)?.status).toBe(401);
    expect(await h.jobCount()).toBe(1);

    const handled: { source: string; event: WebhookEvent }[] = [];
    const dir = mkdtempSync(join(tmpdir(), "omnifeed-hooks-"));
    closers.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const config = join(dir, "omnifeed.config.yaml");
    writeFileSync(config, `state:\n  workspace: ${WORKSPACE}\n`);
    const worker = await startWorker({
      configFile: config,
      redisUrl: REDIS_URL,
      redisPrefix: base,
      lanes: ["fast"],
      webhookHandler: async (delivery) => {
        handled.push({ source: delivery.source, event: delivery.event });
        return Promise.resolve("synced");
      },
    });
    closers.push(() => worker.close());
    // The worker's relay moves the stored delivery into the fast lane, where it is run.
    await expect
      .poll(async () => (await h.queues.byLane.fast.getJobCounts("completed")).completed, { timeout: 10_000 })
      .toBe(1);
    expect(await h.stored()).toEqual([]);
    expect(handled).toEqual([
      {
        source: "amazon",
        event: { type: "orders_changed", account: "A1SIMSELLER0001", orderIds: [placed.orderId] },
      },
    ]);
    // A redelivery after the event was handled is still a duplicate (the dedupe key outlives the job).
    amazon.notifyTo({ url: `${url}/webhooks/amazon`, secret: AMAZON_SECRET });
    await amazon.redeliver(notification!.notificationId);
    await amazon.settled();
    expect(amazon.deliveries().at(-1)?.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handled).toHaveLength(1);
  });
});
