import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import { createWooCommerceClient } from "../../sources/woocommerce/client.js";
import { checkWooCommerce } from "../../sources/woocommerce/index.js";
import type { WooCommerceConnection } from "../../sources/woocommerce/options.js";
import { readWooRecords } from "../../sources/woocommerce/records.js";
import { decodeWooBatch } from "../../sources/woocommerce/decode.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import { defineStore, type Store } from "../store.js";
import { createOrderWriter } from "./orders.js";
import { readShipments } from "./shipments.js";
import { parseWooWebhook } from "./webhooks.js";

export interface WooCommerceStoreOptions {
  /** Reads a secret by its environment variable name (`config/env.ts` in production). */
  secret(name: string): string | undefined;
  limiter?: RateLimiter | undefined;
  /** Tests shorten the backoff. */
  baseDelayMs?: number;
}

/**
 * A WooCommerce store both ways: its catalog (the WooCommerce source), marketplace orders into
 * it at most once per key, tracking from the Shipment Tracking extension, and its signed webhooks.
 */
export function createWooCommerceStore(
  connection: WooCommerceConnection,
  options: WooCommerceStoreOptions,
): Store {
  const client = createWooCommerceClient(connection, options);
  const orders = createOrderWriter(connection, client);
  const where = `${client.label} webhook`;
  return defineStore({
    id: "woocommerce",
    async check(context) {
      const answer = await checkWooCommerce(client, context);
      if (!answer.ok) return answer;
      // Tracking needs the Shipment Tracking extension; the public REST index lists its namespace
      // (`_fields` keeps WordPress from sending its whole route table).
      try {
        const index = await client.call(
          { path: "/", query: { _fields: "namespaces" }, what: "REST index", signal: context.signal },
          z.object({ namespaces: z.array(z.string()).default([]) }),
        );
        const tracking = index.data.namespaces.includes("wc-shipment-tracking/v3");
        return {
          ...answer,
          detail: `${answer.detail}; ${tracking ? "Shipment Tracking installed" : "Shipment Tracking not installed: no tracking numbers can be read"}`,
        };
      } catch (error) {
        if (isOmnifeedError(error))
          return { ...answer, detail: `${answer.detail}; REST index unreadable (${error.message})` };
        throw error;
      }
    },
    async *readCatalog(context, from) {
      const read = readWooRecords(
        connection,
        { batchSize: connection.per_page, from, ...(context.signal ? { signal: context.signal } : {}) },
        { signal: context.signal, clock: context.clock, secret: (name) => options.secret(name) },
        client,
      );
      let previous:
        | {
            entries: ReturnType<typeof decodeWooBatch>["entries"];
            issues: ReturnType<typeof decodeWooBatch>["issues"];
            checkpoint?: string | undefined;
          }
        | undefined;
      for await (const batch of read) {
        if (previous) yield previous;
        const decoded = decodeWooBatch(batch, connection);
        previous = {
          entries: decoded.entries,
          issues: [...batch.issues, ...decoded.issues],
          checkpoint: batch.checkpoint,
        };
      }
      // The last page carries no checkpoint: there is nothing after it to resume to.
      if (previous) yield { entries: previous.entries, issues: previous.issues };
    },
    createOrder: (order, context) => orders.create(order, context.clock(), context.signal),
    findOrder: (key, context) =>
      orders.find(
        key,
        new Date(context.clock().getTime() - connection.order_lookup_days * 86_400_000),
        context.signal,
      ),
    cancelOrder: (storeOrderId, context) => orders.cancel(storeOrderId, context.signal),
    shipmentsSince: (from, context) => readShipments(connection, client, from, context.signal),
    parseWebhook: (webhook) =>
      parseWooWebhook(
        webhook,
        connection.webhook_secret_env === undefined
          ? undefined
          : options.secret(connection.webhook_secret_env),
        where,
      ),
  });
}
