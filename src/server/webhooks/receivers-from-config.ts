import type { ConfigFile } from "../../config/config-file.js";
import { configuredMarketplaces, marketplaceFor } from "../../marketplaces/registry.js";
import { createShopifyStore } from "../../stores/shopify/index.js";
import { createWooCommerceStore } from "../../stores/woocommerce/index.js";
import {
  checkReceivers,
  marketplaceReceiver,
  storeReceiver,
  type NotificationSource,
  type WebhookReceiver,
} from "./receivers.js";

/** The receivers an installation's config asks for (kept apart so the server loads no store client unless serving webhooks). */
export interface ReceiverDeps {
  /** Reads a secret by its environment variable name (`config/env.ts`). */
  secret: (name: string) => string | undefined;
  /**
   * The marketplaces of the installation; those with a notification parser get a receiver. The
   * config's `marketplaces:` when absent.
   */
  marketplaces?: readonly NotificationSource[] | undefined;
}

/**
 * The receivers of an installation: its configured stores that send webhooks (Shopify,
 * WooCommerce; the file store sends none) and its marketplaces that send notifications, with
 * `server.webhooks.body_limit_bytes` over the defaults when set.
 */
export function webhookReceiversFor(config: ConfigFile, deps: ReceiverDeps): WebhookReceiver[] {
  const limit = config.server?.webhooks?.body_limit_bytes;
  const receivers: WebhookReceiver[] = [];
  const stores = config.stores;
  if (stores?.shopify) {
    receivers.push(storeReceiver(createShopifyStore(stores.shopify, { secret: deps.secret }), limit));
  }
  if (stores?.woocommerce) {
    receivers.push(storeReceiver(createWooCommerceStore(stores.woocommerce, { secret: deps.secret }), limit));
  }
  const marketplaces =
    deps.marketplaces ??
    configuredMarketplaces(config).map((id) => marketplaceFor(config, id, { secret: deps.secret }));
  for (const marketplace of marketplaces) {
    if (marketplace.parseNotification !== undefined) receivers.push(marketplaceReceiver(marketplace, limit));
  }
  checkReceivers(receivers);
  return receivers;
}
