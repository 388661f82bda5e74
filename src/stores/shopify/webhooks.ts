import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import type { IncomingWebhook, ParsedWebhook } from "../store.js";
import { orderKeyOf, shipmentOf } from "./shipments.js";

/**
 * Shopify webhooks (stores.md §1.9): `X-Shopify-Hmac-Sha256` is base64 HMAC-SHA256 of the raw
 * body with the app's client secret, checked in constant time against the current secret and,
 * during a rotation, the previous one. A delivery and its retries share `X-Shopify-Webhook-Id`:
 * that is the dedupe key. Bodies are REST-shaped (snake_case, numeric ids).
 */

export function shopifySignatureMatches(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): boolean {
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(header ?? "", "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const FulfillmentBody = z.object({
  id: z.number(),
  admin_graphql_api_id: z.string().optional(),
  order_id: z.number(),
  status: z.string(),
  created_at: z.string().nullable().optional(),
  tracking_company: z.string().nullable().optional(),
  tracking_numbers: z.array(z.string()).default([]),
  tracking_number: z.string().nullable().optional(),
  tracking_urls: z.array(z.string()).default([]),
  tracking_url: z.string().nullable().optional(),
  line_items: z.array(z.object({ sku: z.string().nullable().optional(), quantity: z.number() })).default([]),
});

const OrderBody = z.object({
  id: z.number(),
  admin_graphql_api_id: z.string().optional(),
  source_name: z.string().nullable().optional(),
  source_identifier: z.string().nullable().optional(),
  note_attributes: z.array(z.object({ name: z.string(), value: z.string().nullable() })).default([]),
});

export function parseShopifyWebhook(webhook: IncomingWebhook, secrets: readonly string[]): ParsedWebhook {
  if (secrets.length === 0) {
    throw new OmnifeedError(
      "config",
      "Shopify webhooks: no client secret is configured (stores.shopify.client_secret_env)",
    );
  }
  const signature = webhook.headers["x-shopify-hmac-sha256"];
  if (!secrets.some((secret) => shopifySignatureMatches(webhook.rawBody, signature, secret))) {
    throw new OmnifeedError(
      "auth",
      "Shopify webhook: the X-Shopify-Hmac-Sha256 signature does not match the body",
    );
  }
  const webhookId = webhook.headers["x-shopify-webhook-id"];
  const topic = webhook.headers["x-shopify-topic"];
  if (!webhookId || !topic) {
    throw new OmnifeedError(
      "rejected",
      "Shopify webhook: X-Shopify-Webhook-Id or X-Shopify-Topic is missing",
    );
  }
  const where = `webhook ${webhookId} (${topic})`;
  let body: unknown;
  try {
    body = JSON.parse(webhook.rawBody.toString("utf8"));
  } catch {
    throw new OmnifeedError("rejected", "Shopify webhook: the body is not JSON", { where });
  }
  const dedupeKey = `shopify:${webhookId}`;
  switch (topic) {
    case "fulfillments/create":
    case "fulfillments/update": {
      const parsed = FulfillmentBody.safeParse(body);
      if (!parsed.success)
        throw new OmnifeedError(
          "rejected",
          `Shopify webhook: not a fulfillment: ${parsed.error.issues[0]?.message ?? ""}`,
          { where },
        );
      const fulfillment = parsed.data;
      const numbers =
        fulfillment.tracking_numbers.length > 0
          ? fulfillment.tracking_numbers
          : fulfillment.tracking_number
            ? [fulfillment.tracking_number]
            : [];
      const shipment = shipmentOf(
        {
          id: fulfillment.admin_graphql_api_id ?? `gid://shopify/Fulfillment/${fulfillment.id}`,
          status: fulfillment.status,
          createdAt: fulfillment.created_at,
          tracking:
            numbers.length > 0
              ? numbers.map((number, index) => ({
                  company: fulfillment.tracking_company ?? null,
                  number,
                  url:
                    fulfillment.tracking_urls[index] ??
                    (index === 0 ? (fulfillment.tracking_url ?? null) : null),
                }))
              : [
                  {
                    company: fulfillment.tracking_company ?? null,
                    number: null,
                    url: fulfillment.tracking_url ?? null,
                  },
                ],
          lines: fulfillment.line_items.map((line) => ({ sku: line.sku ?? null, quantity: line.quantity })),
        },
        `gid://shopify/Order/${fulfillment.order_id}`,
        // The REST fulfillment does not carry the order's source fields: the order key is looked up by storeOrderId.
        undefined,
      );
      return shipment
        ? { dedupeKey, event: { type: "shipment", shipment } }
        : { dedupeKey, event: { type: "ignored", reason: "a fulfillment without SKU lines" } };
    }
    case "orders/cancelled":
    case "orders/updated":
    case "orders/create": {
      const parsed = OrderBody.safeParse(body);
      if (!parsed.success)
        throw new OmnifeedError(
          "rejected",
          `Shopify webhook: not an order: ${parsed.error.issues[0]?.message ?? ""}`,
          { where },
        );
      const order = parsed.data;
      const key = orderKeyOf({
        sourceName: order.source_name ?? null,
        sourceIdentifier: order.source_identifier ?? null,
        customAttributes: order.note_attributes.map((attribute) => ({
          key: attribute.name,
          value: attribute.value,
        })),
      });
      const storeOrderId = order.admin_graphql_api_id ?? `gid://shopify/Order/${order.id}`;
      return {
        dedupeKey,
        event: {
          type: topic === "orders/cancelled" ? "order_cancelled" : "order_updated",
          storeOrderId,
          ...(key ? { order: key } : {}),
        },
      };
    }
    default:
      return { dedupeKey, event: { type: "ignored", reason: `topic ${topic}` } };
  }
}
