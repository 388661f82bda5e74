import { orderKeyText } from "../../core/order.js";
import { shopifyClientFor } from "../../sources/shopify/connection.js";
import { shopifySource } from "../../sources/shopify/index.js";
import type { ShopifyConnection } from "../../sources/shopify/options.js";
import type { SourceContext } from "../../sources/source.js";
import {
  defineStore,
  type CatalogPage,
  type Store,
  type StoreContext,
  type StoreOrderRef,
} from "../store.js";
import { KeyLock } from "./key-lock.js";
import { cancelShopifyOrder, createShopifyOrder, findShopifyOrder } from "./orders.js";
import { shopifyShipmentsSince } from "./shipments.js";
import { parseShopifyWebhook } from "./webhooks.js";

/** What the store needs from its host besides the connection: secrets by env name, a warning sink. */
export interface ShopifyStoreDeps {
  secret: (name: string) => string | undefined;
  warn?: (message: string) => void;
  /** Variants per catalog page (default 1000). */
  batchSize?: number;
}

/**
 * A Shopify shop as omnifeed's store: catalog through the Shopify source, marketplace orders in
 * with `orderCreate` after a lookup by sourceIdentifier, fulfillments and tracking out, webhooks
 * verified with the client secret (docs/stores-shopify.md).
 */
export function createShopifyStore(options: ShopifyConnection, deps: ShopifyStoreDeps): Store {
  const client = shopifyClientFor(options, deps.secret, deps.warn);
  const locks = new KeyLock();
  // Orders this process created: Shopify's order search lags a fresh order by seconds, so a
  // repeat in the same process must not depend on it. Bounded; the ledger (issue 10) is durable.
  const created = new Map<string, StoreOrderRef>();
  const remember = (key: string, ref: StoreOrderRef): void => {
    created.set(key, ref);
    if (created.size > 10_000) created.delete(created.keys().next().value!);
  };
  const sourceContext = (context: StoreContext): SourceContext => ({
    signal: context.signal,
    clock: context.clock,
    secret: deps.secret,
  });
  const webhookSecrets = (): string[] =>
    [options.client_secret_env, options.previous_client_secret_env]
      .filter((name): name is string => name !== undefined)
      .map((name) => deps.secret(name)?.trim() ?? "")
      .filter((value) => value !== "");

  return defineStore({
    id: "shopify",
    check: (context) => shopifySource.check(options, sourceContext(context)),
    async *readCatalog(context, from): AsyncIterable<CatalogPage> {
      const read = {
        batchSize: deps.batchSize ?? 1000,
        from,
        ...(context.signal ? { signal: context.signal } : {}),
      };
      for await (const batch of shopifySource.records(options, read, sourceContext(context))) {
        const decoded = shopifySource.decode(batch, options);
        yield {
          entries: decoded.entries,
          issues: [...batch.issues, ...decoded.issues],
          checkpoint: batch.checkpoint,
        };
      }
    },
    createOrder: (order, context) => {
      const key = orderKeyText(order);
      return locks.run(key, async () => {
        const known = created.get(key);
        if (known) return { ...known, outcome: "found" as const };
        const ref = await createShopifyOrder({ client, options }, order, context.signal);
        remember(key, ref);
        return ref;
      });
    },
    findOrder: async (key, context) => {
      const known = created.get(orderKeyText(key));
      return known ? { ...known, outcome: "found" as const } : findShopifyOrder(client, key, context.signal);
    },
    cancelOrder: (storeOrderId, context) => cancelShopifyOrder(client, storeOrderId, context.signal),
    shipmentsSince: (from, context) =>
      shopifyShipmentsSince(client, from, options.shipment_overlap_ms, context.signal),
    parseWebhook: (webhook) => parseShopifyWebhook(webhook, webhookSecrets()),
  });
}
