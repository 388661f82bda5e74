import { createHash } from "node:crypto";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import { MarketplaceAccountSchema, MarketplaceIdSchema } from "../../core/order.js";
import { createRateLimiter } from "../../infra/rate-limiters.js";
import { createSpApiClient } from "../../infra/sp-api.js";
import {
  checkpointOrLookBack,
  MINUTE_MS,
  oauthCredentials,
  probe,
  pushPrelude,
  signalOf,
} from "../adapter-steps.js";
import { syncCredentialOf } from "../credentials.js";
import {
  defineMarketplace,
  type Marketplace,
  type MarketplaceContext,
  type OrderPage,
  type PushResult,
  type ShipmentPush,
} from "../marketplace.js";
import type { MarketplaceDeps } from "../deps.js";
import { orderOrThrow, readOrders } from "../order-fields.js";
import { nextWindowStart, writeCheckpoint } from "../window.js";
import { amazonCarrier } from "./carriers.js";
import { createAmazonOrdersClient, ORDER_INCLUDED_DATA, type ConfirmShipmentBody } from "./client.js";
import type { AmazonMarketplaceConfig } from "./config.js";
import { parseOrderChange } from "./notification.js";
import { amazonOrderToCanonical } from "./transform.js";

/**
 * Amazon as a marketplace (src/marketplaces/marketplace.ts): orders pulled by last-update window
 * from the Orders API 2026-01-01, packages confirmed with v0 confirmShipment, ORDER_CHANGE read
 * from an EventBridge API destination. docs/marketplaces.md tells the merchant's side.
 */

const ID = MarketplaceIdSchema.parse("amazon");

/**
 * The `packageReferenceId` of a store shipment: a positive integer held in a string (ordersV0
 * `PackageReferenceId`), derived from the shipment id so a retry names the same package and
 * Amazon edits it instead of adding one. Nine digits: a clash needs two packages of one order
 * among a billion values.
 */
export function packageReferenceOf(shipmentId: string): string {
  const hash = BigInt(`0x${createHash("sha256").update(shipmentId, "utf8").digest("hex").slice(0, 15)}`);
  return String((hash % 999_999_999n) + 1n);
}

export function createAmazonMarketplace(config: AmazonMarketplaceConfig, deps: MarketplaceDeps): Marketplace {
  const setting = "marketplaces.amazon";
  const block = config as unknown as Record<string, unknown>;
  const spApi = createSpApiClient({
    apiUrl: config.api_url,
    lwaUrl: config.lwa_url,
    credentials: oauthCredentials(block, setting, deps.secret),
    ...deps.retry,
  });
  const limiterFor = deps.limiterFor ?? ((key, limit) => createRateLimiter({ key, limit }));
  const client = createAmazonOrdersClient(spApi, config, limiterFor);
  const account = MarketplaceAccountSchema.parse(config.seller_id);
  const key = { marketplace: ID, account };

  async function* pullOrders(
    since: string | undefined,
    context: MarketplaceContext,
  ): AsyncIterable<OrderPage> {
    const signal = signalOf(context);
    const now = context.clock().getTime();
    const checkpoint = checkpointOrLookBack(since, ID, now, config.look_back_hours);
    const from = checkpoint.from;
    // Amazon refuses a window end less than 2 minutes old; a resumed window keeps its own end,
    // because a page token is only good with the very parameters that made it.
    const to = checkpoint.to ?? new Date(now - config.settle_minutes * MINUTE_MS).toISOString();
    if (Date.parse(from) >= Date.parse(to)) {
      yield { orders: [], problems: [], checkpoint: writeCheckpoint({ marketplace: ID, from }) };
      return;
    }
    let token = typeof checkpoint.page === "string" ? checkpoint.page : undefined;
    for (;;) {
      let page: { orders: unknown[]; nextToken: string | undefined };
      try {
        page = await client.searchOrders({ after: from, before: to, token }, signal);
      } catch (error) {
        // A token lives 24 h: an old one starts the window again (repeats, never a gap).
        if (token && isOmnifeedError(error, "rejected") && /paginationToken/i.test(error.message)) {
          token = undefined;
          continue;
        }
        throw error;
      }
      const { orders, problems } = readOrders(page.orders, (raw) => amazonOrderToCanonical(raw, key));
      if (page.nextToken) {
        token = page.nextToken;
        yield { orders, problems, checkpoint: writeCheckpoint({ marketplace: ID, from, to, page: token }) };
        continue;
      }
      const next = nextWindowStart(new Date(to), config.overlap_minutes * MINUTE_MS, new Date(from));
      yield { orders, problems, checkpoint: writeCheckpoint({ marketplace: ID, from: next }) };
      return;
    }
  }

  async function pushShipment(shipment: ShipmentPush, context: MarketplaceContext): Promise<PushResult> {
    const signal = signalOf(context);
    const orderId = shipment.order.orderId;
    const carrier = amazonCarrier(shipment.carrier, config.carriers);
    const { trackingNumber, sent } = pushPrelude(shipment, carrier, "Amazon");
    const reference = packageReferenceOf(shipment.shipmentId);
    const held = await client.packages(orderId, signal);
    if (held.order === undefined)
      throw new OmnifeedError("not_found", `Amazon holds no order ${orderId}`, {
        where: `shipment ${shipment.shipmentId}`,
      });
    const existing = held.packages.find((pack) => pack.packageReferenceId === reference);
    // The same package with the same number is there already; a new number edits it (below).
    if (existing && existing.trackingNumber === trackingNumber) return { outcome: "already_sent", ...sent };
    const body: ConfirmShipmentBody = {
      marketplaceId: held.marketplaceId ?? config.marketplace_ids[0]!,
      packageDetail: {
        packageReferenceId: reference,
        carrierCode: carrier.code,
        ...(carrier.name !== undefined ? { carrierName: carrier.name } : {}),
        ...(shipment.shippingService ? { shippingMethod: shipment.shippingService } : {}),
        trackingNumber,
        shipDate: new Date(shipment.shippedAt).toISOString(),
        orderItems: shipment.lines.map((line) => ({ orderItemId: line.lineId, quantity: line.quantity })),
      },
    };
    try {
      await client.confirmShipment(orderId, body, signal);
    } catch (error) {
      // "order already fulfilled … PackageToUpdateNotFound": ours may have landed on an attempt
      // whose answer was lost; read back before calling it a refusal.
      if (isOmnifeedError(error, "rejected") && /PackageToUpdateNotFound/.test(error.message)) {
        const after = await client.packages(orderId, signal);
        if (after.packages.some((pack) => pack.packageReferenceId === reference))
          return { outcome: "already_sent", ...sent };
      }
      throw error;
    }
    return { outcome: "sent", ...sent };
  }

  let notificationSecret: string | undefined;
  return defineMarketplace({
    id: ID,
    account,
    // A getOrder of an id no seller has: a 404 proves the credentials and the host.
    check: (context) =>
      probe(`${config.api_url} (seller ${config.seller_id})`, "LWA token and Orders API answered", () =>
        client.getOrder("000-0000000-0000000", "", signalOf(context)),
      ),
    pullOrders,
    async getOrder(orderId, context) {
      const raw = await client.getOrder(orderId, ORDER_INCLUDED_DATA, signalOf(context));
      if (raw === undefined) return undefined;
      return orderOrThrow(amazonOrderToCanonical(raw, key), `Amazon order ${orderId}`);
    },
    pushShipment,
    parseNotification(notification) {
      notificationSecret ??= syncCredentialOf(block, "notification_secret", deps.secret);
      return parseOrderChange(
        notification,
        { header: config.notification_header, secret: notificationSecret },
        config.seller_id,
      );
    },
  });
}
