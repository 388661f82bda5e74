import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAmazonOrdersSimulator } from "../../src/dev/simulators/amazon-orders.js";
import { storeBlockOf } from "../../src/dev/simulators/run-simulators.js";
import { startShopifySimulator } from "../../src/dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import { startWooCommerceSimulator } from "../../src/dev/simulators/woocommerce.js";
import { startEbaySimulator } from "../../src/dev/simulators/ebay.js";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { connectRedis } from "../../src/infra/redis.js";
import { installationPrefixOf } from "../../src/jobs/lanes.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed, startServe, type RunningServe } from "./cli.js";
import {
  DEMO_LINES,
  REDIS_URL,
  UNDER_CI,
  redisProblem,
  runsOf,
  startWorkerProcess,
  testPrefix,
  waitFor,
  writeInstallation,
  type WorkerProcess,
} from "./jobs-support.js";

/**
 * The reverse path wired end to end on real Redis, through `omnifeed serve` and `omnifeed worker`
 * processes and the simulators: an Amazon ORDER_CHANGE delivered three times → one store order →
 * its sale's stock on Google and Meta; the merchant's tracking → a confirmed Amazon shipment; the
 * worker's own schedules pull orders and push tracking. A bad signature → 401 and nothing queued
 * is proved by the receivers' tests (src/server/webhooks/webhooks.test.ts,
 * test/e2e/webhooks-serve.test.ts).
 */
const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI) console.warn(`[did not run] order loop on Redis: ${unreachable}`);

const SKU = "TEE-ORG-WHI-S";
const SECRET = `amzn-${randomUUID()}`;
// Far above the simulators' own limits: the test is about the loop, not about quotas.
const FAST = { rate_limit_per_second: 500, rate_limit_burst: 50 };
const AMAZON_FAST = {
  search_orders: { per_second: 50, burst: 20 },
  get_order: { per_second: 50, burst: 20 },
  confirm_shipment: { per_second: 50, burst: 20 },
};

describe.skipIf(unreachable !== undefined && !UNDER_CI)("the order loop in a worker", () => {
  const prefix = testPrefix();
  afterAll(async () => {
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("imports a notified Amazon order once into the file store, pushes its stock to Google and Meta, and the merchant's tracking to Amazon", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0 });
    const meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    const amazon = await startAmazonOrdersSimulator({
      port: 0,
      settleMs: 0,
      rateLimits: { searchOrders: null, getOrder: null, confirmShipment: null },
    });
    const dir = freshDir("jobs-orders");
    const install = (schedules: Record<string, unknown>) =>
      writeInstallation(dir, "shop", {
        schedules,
        // Two units of the SKU: the sale empties it.
        catalogLines: DEMO_LINES.map((line) =>
          line.replace(`"sku":"${SKU}",`, `"sku":"${SKU}","quantity":2,`),
        ),
        channels: {
          google: { ...google.accountSettings, ...FAST },
          meta: { ...meta.accountSettings, ...FAST },
        },
        stores: { file: { dir: join(dir, "store") } },
        more: {
          orders: { store: "file" },
          marketplaces: {
            amazon: {
              ...amazon.accountSettings,
              notification_secret_env: "TEST_AMAZON_NOTIFICATION_SECRET",
              settle_minutes: 0,
              overlap_minutes: 1,
              rate_limits: AMAZON_FAST,
            },
          },
        },
      });
    // Every 2 s, so the test sees the worker act on its own; orders-pull comes later, so the
    // first order is known to come by its notification.
    const pushTracking = { job: "tracking-push", cron: "*/2 * * * * *" };
    const config = install({ "push-tracking": pushTracking });
    const env = {
      REDIS_URL,
      OMNIFEED_REDIS_PREFIX: prefix,
      TEST_AMAZON_NOTIFICATION_SECRET: SECRET,
      ...google.env,
      ...meta.env,
      ...amazon.env,
    };
    let server: RunningServe | undefined;
    let worker: WorkerProcess | undefined;
    try {
      const published = await omnifeed(["publish", "--config", config, "--state", "redis", "--quiet"], env);
      expect(published.code, published.stderr).toBe(0);
      expect(meta.items().get(SKU)?.fields).toMatchObject({ quantity_to_sell_on_facebook: 2 });
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("IN_STOCK");
      google.resetCalls();
      meta.resetCalls();

      server = await startServe(
        ["serve", "--config", config, "--port", "0", "--log-level", "silent", "--insecure-no-auth"],
        env,
      );
      worker = await startWorkerProcess(config, env);
      const log = () => `${worker!.log()}\n${server!.stderr()}`;
      amazon.notifyTo({ url: `${server.address}webhooks/amazon`, secret: SECRET });

      const { orderId, orderItemIds } = amazon.placeOrder({
        lines: [{ sku: SKU, quantity: 2, unitPriceMinor: 2500 }],
      });
      await amazon.settled();
      const [first] = amazon.deliveries();
      expect(first, log()).toMatchObject({ status: 202 });
      // EventBridge and SQS deliver at least once: the same notification twice more.
      await amazon.redeliver(first!.notificationId, 2);
      expect(amazon.deliveries().map((delivery) => delivery.status)).toEqual([202, 200, 200]);

      const outbox = () =>
        existsSync(join(dir, "store", "outbox"))
          ? readdirSync(join(dir, "store", "outbox")).filter((name) => name.endsWith(".json"))
          : [];
      await waitFor(() => outbox().length > 0, 30_000, log);
      const syncRuns = () => runsOf(installationPrefixOf(prefix, "shop"), "order-sync");
      await waitFor(async () => (await syncRuns()).length > 0, 30_000, log);
      // One order-sync ran (the receiver took one delivery of three) and queued the sale.
      expect((await syncRuns()).map((run) => run.summary)).toEqual([
        `amazon/${String(amazon.accountSettings.seller_id)}/${orderId}: imported · stock queued for 1 order`,
      ]);

      // The sale leaves Google and Meta: 2 − 2 units. The run is recorded once the push is done.
      const installation = installationPrefixOf(prefix, "shop");
      await waitFor(async () => (await runsOf(installation, "stock")).length > 0, 30_000, log);
      const [stock] = await runsOf(installation, "stock");
      expect(stock, log()).toMatchObject({ kind: "stock", lane: "fast", outcome: "succeeded" });
      expect(stock!.summary).toContain(`stock of ${SKU}`);
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("OUT_OF_STOCK");
      expect(meta.items().get(SKU)?.fields).toMatchObject({ availability: "out of stock" });
      // Inventory only: no item was created or replaced.
      expect(google.calls.filter((call) => call.path.includes("productInputs:insert"))).toEqual([]);

      // The merchant ships with a tracking CSV; the worker's tracking-push schedule takes it to Amazon.
      const csv = join(dir, "shipped.csv");
      writeFileSync(
        csv,
        `marketplace,account,order_id,sku,quantity,carrier,tracking_number\namazon,${String(amazon.accountSettings.seller_id)},${orderId},${SKU},2,UPS,1Z999AA10123456784\n`,
      );
      const tracked = await omnifeed(["tracking", "import", csv, "--config", config], env);
      expect(tracked.code, tracked.stderr).toBe(0);
      await waitFor(() => amazon.shipments(orderId).length > 0, 30_000, log);
      expect(amazon.shipments(orderId)).toEqual([
        expect.objectContaining({
          carrierCode: "UPS",
          trackingNumber: "1Z999AA10123456784",
          items: [{ orderItemId: orderItemIds[0], quantity: 2 }],
        }),
      ]);
      expect(amazon.order(orderId).status).toBe("SHIPPED");

      // With notifications off, the orders-pull schedule finds a new order by itself.
      amazon.notifyTo(undefined);
      install({
        "push-tracking": pushTracking,
        "pull-orders": { job: "orders-pull", cron: "*/2 * * * * *" },
      });
      const synced = await omnifeed(["schedule", "sync", "--config", config], env);
      expect(synced.code, synced.stderr).toBe(0);
      amazon.placeOrder({ lines: [{ sku: SKU, quantity: 1, unitPriceMinor: 2500 }] });
      await waitFor(() => outbox().length === 2, 30_000, log);
      // Every pull since, overlapping windows included, left one store order per marketplace order.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(outbox()).toHaveLength(2);
    } finally {
      worker?.child.kill("SIGTERM");
      if (worker) await worker.exited;
      server?.child.kill("SIGTERM");
      if (server) await server.exited;
      await amazon.close();
      await google.close();
      await meta.close();
    }
  }, 120_000);
  it("polls an eBay order on the worker's schedule, pushes its stock to every channel, and the tracking to eBay", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0 });
    const meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    const ebay = await startEbaySimulator({ port: 0 });
    const dir = freshDir("jobs-orders-ebay");
    const every2s = "*/2 * * * * *";
    const config = writeInstallation(dir, "ebay-shop", {
      catalogLines: DEMO_LINES.map((line) => line.replace(`"sku":"${SKU}",`, `"sku":"${SKU}","quantity":2,`)),
      channels: {
        google: { ...google.accountSettings, ...FAST },
        meta: { ...meta.accountSettings, ...FAST },
      },
      stores: { file: { dir: join(dir, "store") } },
      schedules: {
        "pull-orders": { job: "orders-pull", cron: every2s },
        "push-tracking": { job: "tracking-push", cron: every2s },
      },
      more: {
        orders: { store: "file" },
        marketplaces: { ebay: { ...ebay.accountSettings, overlap_minutes: 1 } },
      },
    });
    const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...google.env, ...meta.env, ...ebay.env };
    let worker: WorkerProcess | undefined;
    try {
      const published = await omnifeed(["publish", "--config", config, "--state", "redis", "--quiet"], env);
      expect(published.code, published.stderr).toBe(0);
      worker = await startWorkerProcess(config, env);
      const log = () => worker!.log();
      const { orderId, lineItemIds } = ebay.placeOrder({
        lines: [{ sku: SKU, quantity: 2, unitPriceMinor: 2500 }],
      });
      const installation = installationPrefixOf(prefix, "ebay-shop");
      await waitFor(async () => (await runsOf(installation, "stock")).length > 0, 30_000, log);
      const [stock] = await runsOf(installation, "stock");
      expect(stock, log()).toMatchObject({ outcome: "succeeded" });
      // eBay is no channel of ours: nothing is left out.
      expect(stock!.summary).not.toContain("left out");
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("OUT_OF_STOCK");
      expect(meta.items().get(SKU)?.fields).toMatchObject({ quantity_to_sell_on_facebook: 0 });

      const csv = join(dir, "shipped.csv");
      writeFileSync(
        csv,
        `marketplace,account,order_id,sku,quantity,carrier,tracking_number\nebay,${String(ebay.accountSettings.seller_id)},${orderId},${SKU},2,USPS,9400100000000000000001\n`,
      );
      const tracked = await omnifeed(["tracking", "import", csv, "--config", config], env);
      expect(tracked.code, tracked.stderr).toBe(0);
      await waitFor(() => ebay.fulfillments(orderId).length > 0, 30_000, log);
      expect(ebay.fulfillments(orderId)).toEqual([
        expect.objectContaining({
          shipmentTrackingNumber: "9400100000000000000001",
          shippingCarrierCode: "USPS",
          lineItems: [{ lineItemId: lineItemIds[0], quantity: 2 }],
        }),
      ]);
      expect(readdirSync(join(dir, "store", "outbox")).filter((name) => name.endsWith(".json"))).toHaveLength(
        1,
      );
    } finally {
      worker?.child.kill("SIGTERM");
      if (worker) await worker.exited;
      await ebay.close();
      await google.close();
      await meta.close();
    }
  }, 90_000);

  const catalog = generateStoreCatalog({ variants: 12, seed: 4 });
  const STORE_SKU = catalog[0]!.variants[0]!.sku;
  const stores = {
    shopify: async () => {
      const sim = await startShopifySimulator({ port: 0, catalog });
      return { sim, block: storeBlockOf(sim), orders: () => sim.store.ordersById.size };
    },
    woocommerce: async () => {
      const sim = await startWooCommerceSimulator({ port: 0, catalog });
      return { sim, block: storeBlockOf(sim), orders: () => sim.orders().length };
    },
  } as const;

  for (const store of ["shopify", "woocommerce"] as const) {
    it(`imports an Amazon order notified three times once into ${store}${store === "shopify" ? ", and its fulfillment webhook confirms the shipment on Amazon" : ""}`, async () => {
      expect(unreachable, "Redis is needed under CI").toBeUndefined();
      const { sim, block, orders } = await stores[store]();
      const amazon = await startAmazonOrdersSimulator({
        port: 0,
        settleMs: 0,
        rateLimits: { searchOrders: null, getOrder: null, confirmShipment: null },
      });
      const dir = freshDir(`jobs-orders-${store}`);
      const workspace = `${store}-shop`;
      const config = writeInstallation(dir, workspace, {
        // An installation that only takes orders: no channel to push the sale's stock to.
        channels: {},
        stores: { [store]: block },
        more: {
          orders: { store },
          marketplaces: {
            amazon: {
              ...amazon.accountSettings,
              notification_secret_env: "TEST_AMAZON_NOTIFICATION_SECRET",
              settle_minutes: 0,
              rate_limits: AMAZON_FAST,
            },
          },
        },
      });
      const env = {
        REDIS_URL,
        OMNIFEED_REDIS_PREFIX: prefix,
        TEST_AMAZON_NOTIFICATION_SECRET: SECRET,
        ...sim.env,
        ...amazon.env,
      };
      let server: RunningServe | undefined;
      let worker: WorkerProcess | undefined;
      try {
        server = await startServe(
          ["serve", "--config", config, "--port", "0", "--log-level", "silent", "--insecure-no-auth"],
          env,
        );
        worker = await startWorkerProcess(config, env);
        const log = () => `${worker!.log()}\n${server!.stderr()}`;
        amazon.notifyTo({ url: `${server.address}webhooks/amazon`, secret: SECRET });
        const { orderId, orderItemIds } = amazon.placeOrder({
          lines: [{ sku: STORE_SKU, quantity: 2, unitPriceMinor: 1800 }],
        });
        await amazon.settled();
        await amazon.redeliver(amazon.deliveries()[0]!.notificationId, 2);
        expect(amazon.deliveries().map((delivery) => delivery.status)).toEqual([202, 200, 200]);

        const syncRuns = () => runsOf(installationPrefixOf(prefix, workspace), "order-sync");
        await waitFor(async () => (await syncRuns()).length > 0, 30_000, log);
        const key = `amazon/${String(amazon.accountSettings.seller_id)}/${orderId}`;
        expect((await syncRuns()).map((run) => run.summary)).toEqual([
          `${key}: imported · stock not pushed: ${key}: the config enables no channel but amazon, where the sale was made`,
        ]);
        expect(orders()).toBe(1);
        if (store !== "shopify") return;

        // The merchant ships in Shopify: fulfillments/create reaches /webhooks/shopify.
        const shopify = sim as Awaited<ReturnType<typeof startShopifySimulator>>;
        shopify.setWebhookUrl(`${server.address}webhooks/shopify`);
        const [storeOrder] = [...shopify.store.ordersById.keys()];
        shopify.fulfill(storeOrder!, { company: "FedEx", number: "794600000001" });
        await shopify.webhooksSettled();
        await waitFor(() => amazon.shipments(orderId).length > 0, 30_000, log);
        expect(amazon.shipments(orderId)).toEqual([
          expect.objectContaining({
            carrierCode: "FedEx",
            trackingNumber: "794600000001",
            items: [{ orderItemId: orderItemIds[0], quantity: 2 }],
          }),
        ]);
      } finally {
        worker?.child.kill("SIGTERM");
        if (worker) await worker.exited;
        server?.child.kill("SIGTERM");
        if (server) await server.exited;
        await amazon.close();
        await sim.close();
      }
    }, 90_000);
  }
});
