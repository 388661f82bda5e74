import { createHmac } from "node:crypto";
import type { OrderKey } from "../../src/core/order.js";
import { SHOPIFY_SIMULATOR_CREDENTIALS, startShopifySimulator } from "../../src/dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import { startWebhookReceiver } from "../../src/dev/simulators/webhook-receiver.js";
import { ShopifyConnectionSchema } from "../../src/sources/shopify/options.js";
import { createShopifyStore } from "../../src/stores/shopify/index.js";
import type { IncomingWebhook } from "../../src/stores/store.js";
import { describeStoreConformance } from "./store.js";

const TOKEN_ENV = "CONFORMANCE_SHOPIFY_TOKEN";
const SECRET_ENV = "CONFORMANCE_SHOPIFY_SECRET";

// Both ways of reading the catalog: pages (cursor checkpoints) and a bulk operation (JSONL lines).
for (const mode of ["paged", "bulk"] as const) {
  describeStoreConformance(`shopify (${mode})`, async () => {
    const catalog = generateStoreCatalog({ variants: 150, seed: 9 });
    // Two SKUs with stock enough for every order of the suite (DECREMENT_OBEYING_POLICY).
    const skus = catalog
      .flatMap((product) => product.variants)
      .filter((variant) => variant.inventory.reduce((sum, level) => sum + level.quantity, 0) >= 15)
      .slice(0, 2)
      .map((variant) => variant.sku);
    const receiver = await startWebhookReceiver();
    const sim = await startShopifySimulator({
      port: 0,
      catalog,
      webhookUrl: receiver.url,
      throttle: { maximumAvailable: 1000, restoreRate: 10_000 },
    });
    const secrets: Record<string, string> = {
      [TOKEN_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken,
      [SECRET_ENV]: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
    };
    const options = ShopifyConnectionSchema.parse({
      shop_url: sim.url,
      access_token_env: TOKEN_ENV,
      client_secret_env: SECRET_ENV,
      currency: "USD",
      store_url: "https://shop.example",
      mode,
      bulk_poll_ms: 10,
      lookup_delay_ms: 10,
    });
    // Twenty variants a page: the catalog spans several pages.
    const store = createShopifyStore(options, { secret: (name) => secrets[name], batchSize: 20 });
    const orderOf = (storeOrderId: string) => {
      const id = Number(/(\d+)$/.exec(storeOrderId)?.[1]);
      const order = sim.store.ordersById.get(id);
      if (!order) throw new Error(`the simulator holds no order ${storeOrderId}`);
      return order;
    };
    return {
      store,
      seed: { skus, currency: "USD" },
      fulfill(storeOrderId, lines, tracking) {
        const order = orderOf(storeOrderId);
        sim.fulfill(storeOrderId, {
          company: tracking.carrier,
          number: tracking.number,
          ...(tracking.url ? { url: tracking.url } : {}),
          lines: lines.map((line) => {
            const item = order.lineItems.find((candidate) => candidate.sku === line.sku);
            if (!item) throw new Error(`order ${storeOrderId} has no line for ${line.sku}`);
            return { lineItemId: item.id, quantity: line.quantity };
          }),
        });
        return Promise.resolve();
      },
      countOrders(key: OrderKey) {
        return Promise.resolve(
          sim.store.orders.filter(
            (order) =>
              order.sourceIdentifier === key.orderId &&
              order.sourceName === `omnifeed-${key.marketplace}` &&
              order.customAttributes.some(
                (attribute) => attribute.key === "omnifeed_account" && attribute.value === key.account,
              ),
          ).length,
        );
      },
      isCancelled: (storeOrderId) => Promise.resolve(orderOf(storeOrderId).cancelledAt !== null),
      webhooks: {
        signatureHeader: "x-shopify-hmac-sha256",
        sign: (rawBody, secret) => createHmac("sha256", secret).update(rawBody).digest("base64"),
        async delivery({ storeOrderId }): Promise<IncomingWebhook> {
          await sim.webhooksSettled();
          const orderId = Number(/(\d+)$/.exec(storeOrderId)?.[1]);
          const found = receiver.received.find((item) => {
            if (item.headers["x-shopify-topic"] !== "fulfillments/create") return false;
            return (JSON.parse(item.raw.toString("utf8")) as { order_id?: number }).order_id === orderId;
          });
          if (!found) throw new Error(`no fulfillments/create delivery for ${storeOrderId}`);
          return {
            rawBody: found.raw,
            headers: Object.fromEntries(
              Object.entries(found.headers).map(([name, value]) => [
                name.toLowerCase(),
                Array.isArray(value) ? value.join(", ") : value,
              ]),
            ),
          };
        },
      },
      async teardown() {
        await sim.close();
        await receiver.close();
      },
    };
  });
}
