import { createHmac } from "node:crypto";
import { orderKeyText, type OrderKey } from "../../src/core/order.js";
import { generateStoreCatalog, totalQuantity } from "../../src/dev/simulators/store-catalog.js";
import { startWebhookReceiver } from "../../src/dev/simulators/webhook-receiver.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
} from "../../src/dev/simulators/woocommerce.js";
import { WooCommerceConnectionSchema } from "../../src/sources/woocommerce/options.js";
import { createWooCommerceStore } from "../../src/stores/woocommerce/index.js";
import { describeStoreConformance } from "./store.js";

type Json = Record<string, unknown>;

const WEBHOOK_SECRET = "conformance-webhook-secret";
const SECRETS: Record<string, string> = {
  WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
  WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
  WOO_WEBHOOK_SECRET: WEBHOOK_SECRET,
};

const sign = (rawBody: Buffer, secret: string) =>
  createHmac("sha256", secret).update(rawBody).digest("base64");

describeStoreConformance("woocommerce", async () => {
  const catalog = generateStoreCatalog({ variants: 120, seed: 31 });
  const sim = await startWooCommerceSimulator({ port: 0, catalog });
  const receiver = await startWebhookReceiver();
  const connection = WooCommerceConnectionSchema.parse({
    url: sim.url,
    consumer_key_env: "WOO_KEY",
    consumer_secret_env: "WOO_SECRET",
    webhook_secret_env: "WOO_WEBHOOK_SECRET",
    currency: "USD",
    // Ten products a page: the catalog spans several pages.
    per_page: 10,
  });
  const store = createWooCommerceStore(connection, { secret: (name) => SECRETS[name] });
  const merchant = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${sim.url}/wp-json${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${SECRETS.WOO_KEY}:${SECRETS.WOO_SECRET}`).toString("base64")}`,
        "content-type": "application/json",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Json;
  };
  await merchant("POST", "/wc/v3/webhooks", {
    name: "omnifeed orders",
    topic: "order.updated",
    delivery_url: receiver.url,
    secret: WEBHOOK_SECRET,
  });
  const stocked = catalog
    .filter((product) => product.status === "active")
    .flatMap((product) => product.variants)
    .filter((variant) => totalQuantity(variant) >= 10);
  const orderOf = (storeOrderId: string) => {
    const order = sim.orders().find((candidate) => String(candidate.id) === storeOrderId);
    if (!order) throw new Error(`no order ${storeOrderId} in the simulator`);
    return order;
  };
  const keyOf = (order: Json): string => {
    const meta = order.meta_data as { key: string; value: unknown }[];
    const value = (key: string) => {
      const found = meta.find((entry) => entry.key === key)?.value;
      return typeof found === "string" ? found : "";
    };
    return `${value("_omnifeed_marketplace")}/${value("_omnifeed_account")}/${value("_omnifeed_order_id")}`;
  };

  return {
    store,
    seed: { skus: stocked.slice(0, 3).map((variant) => variant.sku), currency: "USD" },
    async fulfill(storeOrderId, lines, tracking) {
      const items = orderOf(storeOrderId).line_items as { id: number; sku: string }[];
      // The Shipment Tracking route, with the items it covers as Advanced Shipment Tracking keeps them.
      await merchant("POST", `/wc-shipment-tracking/v3/orders/${storeOrderId}/shipment-trackings`, {
        tracking_provider: tracking.carrier,
        tracking_number: tracking.number,
        products_list: lines.map((line) => ({
          item_id: items.find((item) => item.sku === line.sku)!.id,
          qty: line.quantity,
        })),
      });
    },
    countOrders: (key: OrderKey) =>
      Promise.resolve(sim.orders().filter((order) => keyOf(order) === orderKeyText(key)).length),
    isCancelled: (storeOrderId) => Promise.resolve(orderOf(storeOrderId).status === "cancelled"),
    webhooks: {
      signatureHeader: "x-wc-webhook-signature",
      sign,
      async delivery({ storeOrderId }) {
        await sim.webhooksSettled();
        const delivery = sim.webhookDeliveries
          .filter(
            (candidate) =>
              candidate.topic === "order.updated" &&
              String((JSON.parse(candidate.body) as Json).id) === storeOrderId,
          )
          .at(-1);
        if (!delivery) throw new Error(`no order.updated delivery for order ${storeOrderId}`);
        return {
          rawBody: Buffer.from(delivery.body, "utf8"),
          headers: Object.fromEntries(
            Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]),
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
