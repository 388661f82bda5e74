import { createHash } from "node:crypto";
import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import {
  MarketplaceAccountSchema,
  MarketplaceOrderIdSchema,
  OrderKeySchema,
  ShipmentSchema,
} from "../core/order.js";
import type { JobReport } from "./run-record.js";

/**
 * Verified webhook deliveries and the `webhook-event` jobs they become. The server's receivers
 * call {@link WebhookInbox.accept} once a delivery's signature is checked; the inbox
 * (`webhook-inbox.ts`, adr/0030) stores the event and claims its dedupe key in one Redis script,
 * so when it resolves the event is durable and a repeat of it is known. Workers relay stored
 * events into the fast lane, where each is handed to the use case the installation wires in
 * ({@link WebhookEventHandler}).
 */

/** How long a delivery's dedupe key is remembered unless `server.webhooks.dedupe_window_s` says otherwise. */
export const DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS = 72 * 3600 * 1000;

/** A verified event as a store or a marketplace reported it (`StoreEvent` | `MarketplaceEvent`). */
export const WebhookEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping") }),
  z.object({ type: z.literal("shipment"), shipment: ShipmentSchema }),
  z.object({
    type: z.literal("order_cancelled"),
    storeOrderId: z.string().min(1),
    order: OrderKeySchema.optional(),
  }),
  z.object({
    type: z.literal("order_updated"),
    storeOrderId: z.string().min(1),
    order: OrderKeySchema.optional(),
  }),
  z.object({
    type: z.literal("orders_changed"),
    account: MarketplaceAccountSchema,
    orderIds: z.array(MarketplaceOrderIdSchema),
  }),
  z.object({ type: z.literal("ignored"), reason: z.string() }),
]);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
export type WebhookEventInput = z.input<typeof WebhookEventSchema>;

/** The `webhook-event` job: which receiver took it, its dedupe key, the request that brought it. */
export const WebhookEventPayloadSchema = z.object({
  /** The job kind (run history and logs name jobs by it). */
  name: z.string().min(1),
  /** The receiver: `shopify`, `woocommerce`, `amazon`… (the route `/webhooks/<source>`). */
  source: z.string().min(1),
  dedupeKey: z.string().min(1),
  /** The HTTP request id of the delivery, to find its log line. */
  requestId: z.string().min(1),
  /** Epoch ms the server accepted it. */
  receivedAt: z.number().int().positive(),
  event: WebhookEventSchema,
});
export type WebhookEventPayload = z.infer<typeof WebhookEventPayloadSchema>;

/** One verified delivery to store. */
export interface WebhookDeliveryInput {
  source: string;
  dedupeKey: string;
  requestId: string;
  event: WebhookEventInput;
}

/** What the inbox did with a delivery: `accepted` (stored) or `duplicate` (seen within the window). */
export interface InboxAnswer {
  outcome: "accepted" | "duplicate";
  /** The job that holds (or, once relayed, will hold) the event: this delivery's, or the first one's. */
  jobId: string;
}

export interface WebhookInbox {
  /** Stores the event unless its dedupe key was seen within the window; durable when it resolves. */
  accept(delivery: WebhookDeliveryInput): Promise<InboxAnswer>;
}

export const WEBHOOK_EVENT_KIND = "webhook-event";

/**
 * The dedupe id of a delivery: hashed, so a key that names an order never sits in Redis key
 * names, and its length is bounded whatever a sender puts in its id header.
 */
export function webhookDedupeIdOf(source: string, dedupeKey: string): string {
  const digest = createHash("sha256").update(dedupeKey, "utf8").digest("base64url");
  return `webhook:${source}:${digest}`;
}

/**
 * The use case a webhook event goes to: the order pipeline (an `orders_changed` notification →
 * `syncOrder` of each order; a store's `shipment` → tracking push; `order_cancelled` →
 * cancellation). Thrown errors follow the job retry policy: `transient` is tried again, `rejected`
 * fails the job for an operator. It must be safe to run twice for one event (a worker killed
 * mid-job hands the job to another).
 */
export type WebhookEventHandler = (
  delivery: { source: string; dedupeKey: string; event: WebhookEvent },
  context: { signal: AbortSignal },
) => Promise<string | void>;

/** The `webhook-event` processor: thin (STYLE.md rule 11), it hands the event to the handler. */
export async function processWebhookEvent(
  payload: WebhookEventPayload,
  handler: WebhookEventHandler | undefined,
  context: { signal: AbortSignal },
): Promise<JobReport> {
  if (handler === undefined) {
    throw new OmnifeedError(
      "config",
      `webhook event from ${payload.source} (request ${payload.requestId}): this worker has no webhook handler wired in`,
    );
  }
  const said = await handler(
    { source: payload.source, dedupeKey: payload.dedupeKey, event: payload.event },
    context,
  );
  return {
    outcome: "succeeded",
    summary: said ?? `${payload.source} ${payload.event.type} handled`,
    channels: [],
  };
}
