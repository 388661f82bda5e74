import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import { MarketplaceAccountSchema, MarketplaceOrderIdSchema } from "../../core/order.js";
import type { IncomingWebhook } from "../../core/webhook.js";
import type { ParsedNotification } from "../marketplace.js";

/**
 * `ORDER_CHANGE` as an EventBridge API destination delivers it (SQS → Pipe → API destination,
 * reference §6.2): the raw notification JSON, with the connection's shared secret in a header.
 * Also accepted: the notification as a JSON string, or the SQS record around it (`{messageId,
 * body}`), which is what a pipe without an input transformer or a forwarder sends. Schema:
 * OrderChangeNotification.json; the payload has ids and statuses only, so the order is read again.
 */

const NotificationSchema = z.looseObject({
  NotificationType: z.string(),
  Payload: z.looseObject({
    OrderChangeNotification: z
      .looseObject({ SellerId: z.string().min(1), AmazonOrderId: z.string().min(1) })
      .optional(),
  }),
  NotificationMetadata: z.looseObject({ NotificationId: z.string().min(1) }),
});

/** True when `given` equals `expected`, in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  // Hash both first: timingSafeEqual needs equal lengths, and the length must not leak either.
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

export function parseOrderChange(
  webhook: IncomingWebhook,
  auth: { header: string; secret: string | undefined },
  sellerId: string,
): ParsedNotification {
  if (!auth.secret)
    throw new OmnifeedError(
      "config",
      "no notification secret is set (marketplaces.amazon.notification_secret_env or _file)",
    );
  const given = webhook.headers[auth.header.toLowerCase()];
  if (given === undefined || !sameSecret(given, auth.secret))
    throw new OmnifeedError(
      "auth",
      `Amazon ORDER_CHANGE: ${given === undefined ? "no" : "wrong"} ${auth.header} header`,
    );
  const parsed = NotificationSchema.safeParse(unwrap(webhook.rawBody));
  if (!parsed.success)
    throw new OmnifeedError(
      "rejected",
      "Amazon ORDER_CHANGE: not a notification (OrderChangeNotification.json)",
      {
        where: parsed.error.issues[0]?.path.join(".") || "body",
      },
    );
  const notification = parsed.data;
  const dedupeKey = notification.NotificationMetadata.NotificationId;
  const change = notification.Payload.OrderChangeNotification;
  if (notification.NotificationType !== "ORDER_CHANGE" || !change)
    return {
      dedupeKey,
      event: { type: "ignored", reason: `notification type ${notification.NotificationType}` },
    };
  if (change.SellerId !== sellerId)
    return {
      dedupeKey,
      event: { type: "ignored", reason: `for seller ${change.SellerId}, not ${sellerId}` },
    };
  return {
    dedupeKey,
    event: {
      type: "orders_changed",
      account: MarketplaceAccountSchema.parse(change.SellerId),
      orderIds: [MarketplaceOrderIdSchema.parse(change.AmazonOrderId)],
    },
  };
}

/** The notification inside the body: itself, a JSON string of it, or an SQS record's `body`. */
function unwrap(rawBody: Buffer): unknown {
  let value: unknown = parseJson(rawBody.toString("utf8"));
  for (let depth = 0; depth < 3; depth += 1) {
    if (typeof value === "string") value = parseJson(value);
    else if (isRecord(value) && !("NotificationMetadata" in value) && typeof value.body === "string")
      value = parseJson(value.body);
    else break;
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
