import { createHmac, timingSafeEqual } from "node:crypto";
import { OmnifeedError } from "../../core/errors.js";
import { WooOrderSchema } from "../../sources/woocommerce/api.js";
import type { IncomingWebhook, ParsedWebhook } from "../store.js";
import { orderKeyOf } from "./orders.js";

/**
 * WooCommerce webhook deliveries (stores.md §2.4). `X-WC-Webhook-Signature` is base64 of
 * HMAC-SHA256 over the raw body with the webhook's own secret (not the consumer secret), compared
 * in constant time. The creation ping is a form body `webhook_id=<id>` without a signature: it is
 * answered (or WooCommerce never activates the webhook) and means nothing. The delivery id is
 * time-based, not per event, so a repeat is known by webhook id + topic + resource id +
 * `date_modified_gmt`. WooCommerce does not redeliver; a reconcile by polling catches gaps.
 */
export function parseWooWebhook(
  webhook: IncomingWebhook,
  secret: string | undefined,
  where: string,
): ParsedWebhook {
  const signature = webhook.headers["x-wc-webhook-signature"];
  const text = webhook.rawBody.toString("utf8");
  if (signature === undefined) {
    const ping = /^webhook_id=(\d+)$/.exec(text.trim());
    if (ping) return { dedupeKey: `ping:${ping[1]}`, event: { type: "ping" } };
    throw new OmnifeedError("auth", "the webhook carries no X-WC-Webhook-Signature", { where });
  }
  if (secret === undefined || secret === "") {
    throw new OmnifeedError("config", "no webhook secret is set (stores.woocommerce.webhook_secret_env)", {
      where,
    });
  }
  const expected = createHmac("sha256", secret).update(webhook.rawBody).digest();
  const given = Buffer.from(signature, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new OmnifeedError("auth", "the webhook's X-WC-Webhook-Signature does not match its body", {
      where,
    });
  }
  const topic = webhook.headers["x-wc-webhook-topic"] ?? "";
  const webhookId = webhook.headers["x-wc-webhook-id"] ?? "";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OmnifeedError("rejected", `the ${topic || "webhook"} body is not JSON`, { where });
  }
  const record = (typeof body === "object" && body !== null ? body : {}) as {
    id?: unknown;
    date_modified_gmt?: unknown;
  };
  const resourceId = typeof record.id === "number" || typeof record.id === "string" ? String(record.id) : "";
  const modified = typeof record.date_modified_gmt === "string" ? record.date_modified_gmt : "";
  const dedupeKey = `${webhookId}:${topic}:${resourceId}:${modified}`;
  if (topic === "order.deleted") {
    return { dedupeKey, event: { type: "order_cancelled", storeOrderId: resourceId } };
  }
  if (topic === "order.updated" || topic === "order.created") {
    const order = WooOrderSchema.safeParse(body);
    if (!order.success) {
      throw new OmnifeedError(
        "rejected",
        `the ${topic} body is not an order: ${order.error.issues[0]?.message ?? ""}`,
        {
          where,
        },
      );
    }
    const key = orderKeyOf(order.data);
    const storeOrderId = String(order.data.id);
    const cancelled =
      order.data.status === "cancelled" || order.data.status === "refunded" || order.data.status === "trash";
    return {
      dedupeKey,
      event: {
        type: cancelled ? "order_cancelled" : "order_updated",
        storeOrderId,
        ...(key ? { order: key } : {}),
      },
    };
  }
  return {
    dedupeKey,
    event: { type: "ignored", reason: `topic ${topic || "(none)"} is not one omnifeed reads` },
  };
}
