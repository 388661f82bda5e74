import { randomUUID } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { redisUrlFromEnv } from "../../src/config/env.js";
import { orderKeyText, type OrderKey } from "../../src/core/order.js";
import { SHOPIFY_SIMULATOR_CREDENTIALS, startShopifySimulator } from "../../src/dev/simulators/shopify.js";
import { generateStoreCatalog, totalQuantity } from "../../src/dev/simulators/store-catalog.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
} from "../../src/dev/simulators/woocommerce.js";
import { connectRedis } from "../../src/infra/redis.js";
import { openOrderLedger } from "../../src/orders/ledger-open.js";
import type { OrderLedger } from "../../src/orders/ledger.js";
import type { OrderContext } from "../../src/orders/order-context.js";
import { EMPTY_SKU_MAP, type SkuMap } from "../../src/orders/sku-map.js";
import { ShopifyConnectionSchema } from "../../src/sources/shopify/options.js";
import { WooCommerceConnectionSchema } from "../../src/sources/woocommerce/options.js";
import { createFileStore } from "../../src/stores/file/index.js";
import { readOutboxOrder } from "../../src/stores/file/outbox.js";
import { createShopifyStore } from "../../src/stores/shopify/index.js";
import type { Store } from "../../src/stores/store.js";
import { createWooCommerceStore } from "../../src/stores/woocommerce/index.js";
import { ROOT } from "../e2e/cli.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { makeTempDir } from "../support/temp-dirs.js";

/** The shared Redis of the machine (a unique prefix per test; only its own keys are deleted). */
export const REDIS_URL = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";

export const DEMO_CATALOG = join(ROOT, "fixtures/catalogs/demo/catalog.csv");

/** One real store as the order tests drive it, with the merchant's hands where the contract has none. */
export interface OrderStore {
  name: "file" | "shopify" | "woocommerce";
  store: Store;
  /** Two SKUs the store sells with stock for a few orders. */
  skus: [string, string];
  /** The merchant ships `lines` of a store order; without `number`, a fulfillment with no tracking yet. */
  fulfill(
    storeOrderId: string,
    lines: { sku: string; quantity: number }[],
    tracking: { carrier: string; number?: string },
  ): Promise<string>;
  /** The merchant adds tracking to an existing fulfillment (stores that allow it). */
  addTracking?(fulfillmentId: string, tracking: { carrier: string; number: string }): Promise<void>;
  /** Orders the store holds for `key`, counted in the store itself. */
  countOrders(key: OrderKey): Promise<number>;
  /** How a child process builds the same store from dist/ (test/orders/import-child.mjs). */
  child: {
    kind: "file" | "shopify" | "woocommerce";
    settings: Record<string, unknown>;
    secrets: Record<string, string>;
  };
  teardown(): Promise<void>;
}

export function fileOrderStore(): Promise<OrderStore> {
  const dir = makeTempDir("orders-file-store");
  const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
  let files = 0;
  return Promise.resolve({
    name: "file",
    store,
    child: { kind: "file", settings: { dir, catalog: { file: DEMO_CATALOG } }, secrets: {} },
    skus: ["TEE-ORG-WHI-S", "TEE-ORG-BLA-M"],
    async fulfill(storeOrderId, lines, tracking) {
      const entry = await readOutboxOrder(store.layout, storeOrderId);
      if (!entry) throw new Error(`no order ${storeOrderId}`);
      const { marketplace, account, orderId } = entry.order;
      files += 1;
      const file = join(makeTempDir("tracking"), `shipped-${files}.csv`);
      const rows = lines.map((line) =>
        [
          marketplace,
          account,
          orderId,
          line.sku,
          line.quantity,
          tracking.carrier,
          tracking.number ?? `T${files}`,
        ].join(","),
      );
      await writeFile(
        file,
        ["marketplace,account,order_id,sku,quantity,carrier,tracking_number", ...rows].join("\n"),
      );
      const result = await store.importTracking(file, { clock: () => new Date() });
      if (result.issues.length > 0) throw new Error(JSON.stringify(result.issues));
      return `file-${files}`;
    },
    async countOrders(key) {
      let count = 0;
      for (const name of await readdir(store.layout.outbox).catch(() => [])) {
        if (!name.endsWith(".json")) continue;
        const json = JSON.parse(await readFile(join(store.layout.outbox, name), "utf8")) as {
          order: OrderKey;
        };
        if (orderKeyText(json.order) === orderKeyText(key)) count += 1;
      }
      return count;
    },
    teardown: () => Promise.resolve(),
  });
}

export async function shopifyOrderStore(): Promise<OrderStore> {
  const catalog = generateStoreCatalog({ variants: 60, seed: 9 });
  const skus = catalog
    .flatMap((product) => product.variants)
    .filter((variant) => variant.inventory.reduce((sum, level) => sum + level.quantity, 0) >= 15)
    .slice(0, 2)
    .map((variant) => variant.sku);
  const sim = await startShopifySimulator({
    port: 0,
    catalog,
    throttle: { maximumAvailable: 1000, restoreRate: 10_000 },
  });
  const secrets: Record<string, string> = {
    ORDERS_SHOPIFY_TOKEN: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken,
    ORDERS_SHOPIFY_SECRET: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
  };
  const settings = {
    shop_url: sim.url,
    access_token_env: "ORDERS_SHOPIFY_TOKEN",
    client_secret_env: "ORDERS_SHOPIFY_SECRET",
    currency: "USD",
    store_url: "https://shop.example",
    lookup_delay_ms: 10,
  };
  const options = ShopifyConnectionSchema.parse(settings);
  const store = createShopifyStore(options, { secret: (name) => secrets[name] });
  const orderOf = (storeOrderId: string) => {
    const order = sim.store.ordersById.get(Number(/(\d+)$/.exec(storeOrderId)?.[1]));
    if (!order) throw new Error(`no order ${storeOrderId}`);
    return order;
  };
  return {
    name: "shopify",
    store,
    child: { kind: "shopify", settings, secrets },
    skus: [skus[0]!, skus[1]!],
    fulfill(storeOrderId, lines, tracking) {
      const order = orderOf(storeOrderId);
      const { fulfillmentId } = sim.fulfill(storeOrderId, {
        company: tracking.carrier,
        ...(tracking.number !== undefined && { number: tracking.number }),
        lines: lines.map((line) => ({
          lineItemId: order.lineItems.find((item) => item.sku === line.sku)!.id,
          quantity: line.quantity,
        })),
      });
      return Promise.resolve(fulfillmentId);
    },
    addTracking(fulfillmentId, tracking) {
      sim.updateTracking(fulfillmentId, { company: tracking.carrier, number: tracking.number });
      return Promise.resolve();
    },
    countOrders: (key) =>
      Promise.resolve(
        sim.store.orders.filter(
          (order) =>
            order.sourceIdentifier === key.orderId &&
            order.sourceName === `omnifeed-${key.marketplace}` &&
            order.customAttributes.some(
              (attribute) => attribute.key === "omnifeed_account" && attribute.value === key.account,
            ),
        ).length,
      ),
    teardown: () => sim.close(),
  };
}

export async function wooCommerceOrderStore(): Promise<OrderStore> {
  const catalog = generateStoreCatalog({ variants: 60, seed: 31 });
  const sim = await startWooCommerceSimulator({ port: 0, catalog });
  const secrets: Record<string, string> = {
    ORDERS_WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
    ORDERS_WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
  };
  const settings = {
    url: sim.url,
    consumer_key_env: "ORDERS_WOO_KEY",
    consumer_secret_env: "ORDERS_WOO_SECRET",
    currency: "USD",
  };
  const connection = WooCommerceConnectionSchema.parse(settings);
  const store = createWooCommerceStore(connection, { secret: (name) => secrets[name] });
  const stocked = catalog
    .filter((product) => product.status === "active")
    .flatMap((product) => product.variants)
    .filter((variant) => totalQuantity(variant) >= 10);
  const auth = `Basic ${Buffer.from(`${secrets.ORDERS_WOO_KEY}:${secrets.ORDERS_WOO_SECRET}`).toString("base64")}`;
  const keyOf = (order: Record<string, unknown>): string => {
    const meta = order.meta_data as { key: string; value: unknown }[];
    const value = (name: string) => {
      const found = meta.find((entry) => entry.key === name)?.value;
      return typeof found === "string" ? found : "";
    };
    return `${value("_omnifeed_marketplace")}/${value("_omnifeed_account")}/${value("_omnifeed_order_id")}`;
  };
  return {
    name: "woocommerce",
    store,
    child: { kind: "woocommerce", settings, secrets },
    skus: [stocked[0]!.sku, stocked[1]!.sku],
    async fulfill(storeOrderId, lines, tracking) {
      const order = sim.orders().find((candidate) => String(candidate.id) === storeOrderId)!;
      const items = order.line_items as { id: number; sku: string }[];
      const response = await fetch(
        `${sim.url}/wp-json/wc-shipment-tracking/v3/orders/${storeOrderId}/shipment-trackings`,
        {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify({
            tracking_provider: tracking.carrier,
            tracking_number: tracking.number ?? `W-${randomUUID().slice(0, 8)}`,
            products_list: lines.map((line) => ({
              item_id: items.find((item) => item.sku === line.sku)!.id,
              qty: line.quantity,
            })),
          }),
        },
      );
      if (response.status >= 300) throw new Error(`tracking: ${response.status} ${await response.text()}`);
      return String(((await response.json()) as { tracking_id?: string }).tracking_id ?? "");
    },
    countOrders: (key) =>
      Promise.resolve(sim.orders().filter((order) => keyOf(order) === orderKeyText(key)).length),
    teardown: () => sim.close(),
  };
}

export const ORDER_STORES = {
  file: fileOrderStore,
  shopify: shopifyOrderStore,
  woocommerce: wooCommerceOrderStore,
};

/** A Redis ledger under a prefix of its own; `drop` deletes its keys (never FLUSH). */
export async function redisLedger(prefix = `omnifeed-test:${randomUUID()}:`): Promise<{
  ledger: OrderLedger;
  prefix: string;
  another: () => Promise<OrderLedger>;
  drop: () => Promise<void>;
}> {
  const handles: OrderLedger[] = [];
  const another = async () => {
    const handle = await openOrderLedger({ backend: "redis", url: REDIS_URL, prefix });
    handles.push(handle);
    return handle;
  };
  const ledger = await another();
  return {
    ledger,
    prefix,
    another,
    drop: async () => {
      for (const handle of handles) await handle.close();
      const redis = connectRedis(REDIS_URL);
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    },
  };
}

export function orderContext(
  ledger: OrderLedger,
  store: Store,
  skuMap: SkuMap = EMPTY_SKU_MAP,
): OrderContext {
  return { ledger, store, skuMap, clock: () => new Date() };
}
