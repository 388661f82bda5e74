import { OmnifeedError } from "../../core/errors.js";
import type { IncomingWebhook } from "../../core/webhook.js";
import type { WebhookEventInput } from "../../jobs/webhook-events.js";
import type { Store } from "../../stores/store.js";

/**
 * The webhook receivers of the server: one per store or marketplace that sends webhooks, each at
 * `POST /webhooks/<source>`. A receiver only names its parser and its body limit; the route
 * (`routes.ts`) does the HTTP side the same way for all.
 */

/** What a store's `parseWebhook` or a marketplace's `parseNotification` returns. */
export interface ParsedDelivery {
  /** The key every redelivery of the same event shares. */
  dedupeKey: string;
  event: WebhookEventInput;
}

export interface WebhookReceiver {
  /** The route's last segment, `/webhooks/<source>`: lower-case letters, digits and dashes. */
  source: string;
  /** Largest body accepted, in bytes; a larger one is answered 413 before it is read whole. */
  bodyLimit: number;
  /**
   * Verifies the signature (or shared secret) over the raw body and reads it: a bad or missing
   * signature throws `auth`, an unreadable body `rejected`.
   */
  parse(webhook: IncomingWebhook): ParsedDelivery;
}

/** Shopify and WooCommerce bodies are whole orders: generous, yet far below the server's memory. */
export const STORE_WEBHOOK_BODY_LIMIT = 1 << 20;
/** An SQS message (the bridge Amazon's `ORDER_CHANGE` comes through) holds 256 KiB at most. */
export const NOTIFICATION_BODY_LIMIT = 256 * 1024;

const SOURCE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A marketplace as the receivers see it: its id and its notification parser (the Marketplace contract). */
export interface NotificationSource {
  readonly id: string;
  parseNotification?(notification: IncomingWebhook): ParsedDelivery;
}

/** The receiver of a store's webhooks (`Store.parseWebhook`). */
export function storeReceiver(store: Store, bodyLimit = STORE_WEBHOOK_BODY_LIMIT): WebhookReceiver {
  if (store.parseWebhook === undefined) {
    throw new OmnifeedError("config", `the ${store.id} store sends no webhooks`, {
      where: `stores.${store.id}`,
    });
  }
  return { source: store.id, bodyLimit, parse: (webhook) => store.parseWebhook!(webhook) };
}

/**
 * The receiver of a marketplace's notifications (`Marketplace.parseNotification`, e.g. Amazon's
 * `ORDER_CHANGE` through an EventBridge API destination with its shared-secret header).
 */
export function marketplaceReceiver(
  marketplace: NotificationSource,
  bodyLimit = NOTIFICATION_BODY_LIMIT,
): WebhookReceiver {
  if (marketplace.parseNotification === undefined) {
    throw new OmnifeedError(
      "config",
      `the ${marketplace.id} marketplace sends no notifications; its orders are polled`,
      {
        where: `marketplaces.${marketplace.id}`,
      },
    );
  }
  return { source: marketplace.id, bodyLimit, parse: (webhook) => marketplace.parseNotification!(webhook) };
}

/** Checks the receivers' names and limits: one route each, no two alike. */
export function checkReceivers(receivers: readonly WebhookReceiver[]): void {
  const seen = new Set<string>();
  for (const receiver of receivers) {
    if (!SOURCE.test(receiver.source)) {
      throw new OmnifeedError(
        "config",
        `webhook receiver "${receiver.source}": a source is lower-case letters, digits and dashes`,
      );
    }
    if (seen.has(receiver.source)) {
      throw new OmnifeedError("config", `two webhook receivers for /webhooks/${receiver.source}`);
    }
    if (!Number.isInteger(receiver.bodyLimit) || receiver.bodyLimit <= 0) {
      throw new OmnifeedError(
        "config",
        `webhook receiver "${receiver.source}": the body limit must be a positive number of bytes`,
      );
    }
    seen.add(receiver.source);
  }
}
