// A worker that dies between the store's create and the ledger write: it builds the store from
// dist/, wraps createOrder so the process is SIGKILLed right after the real create returns, then
// receives and imports one order into a Redis ledger.
// Usage: node import-child.mjs '{"store": {...}, "redisUrl": "...", "prefix": "...", "order": <Order>, "ttlMs": 1000}'
import { OrderSchema } from "../../dist/core/order.js";
import { openOrderLedger } from "../../dist/orders/ledger-open.js";
import { importOrder } from "../../dist/orders/import.js";
import { receiveOrder } from "../../dist/orders/pull.js";
import { EMPTY_SKU_MAP } from "../../dist/orders/sku-map.js";
import { createFileStore } from "../../dist/stores/file/index.js";
import { createShopifyStore } from "../../dist/stores/shopify/index.js";
import { createWooCommerceStore } from "../../dist/stores/woocommerce/index.js";
import { ShopifyConnectionSchema } from "../../dist/sources/shopify/options.js";
import { WooCommerceConnectionSchema } from "../../dist/sources/woocommerce/options.js";

const input = JSON.parse(process.argv[2] ?? "{}");
const { kind, settings, secrets } = input.store;
const secret = (name) => secrets[name];
const real =
  kind === "file"
    ? createFileStore(settings)
    : kind === "shopify"
      ? createShopifyStore(ShopifyConnectionSchema.parse(settings), { secret })
      : createWooCommerceStore(WooCommerceConnectionSchema.parse(settings), { secret });
const store = {
  ...real,
  id: real.id,
  findOrder: (key, context) => real.findOrder(key, context),
  async createOrder(order, context) {
    const ref = await real.createOrder(order, context);
    process.stdout.write(`${JSON.stringify({ created: ref })}\n`);
    process.kill(process.pid, "SIGKILL");
    return ref;
  },
};
const ledger = await openOrderLedger({ backend: "redis", url: input.redisUrl, prefix: input.prefix });
const context = {
  ledger,
  store,
  skuMap: EMPTY_SKU_MAP,
  clock: () => new Date(),
  lock: { ttlMs: input.ttlMs },
};
const order = OrderSchema.parse(input.order);
const received = await receiveOrder(order, context);
await importOrder(received.key, context);
process.stdout.write("not killed\n");
await ledger.close();
