import { OmnifeedError } from "../../core/errors.js";
import { MarketplaceAccountSchema, MarketplaceIdSchema } from "../../core/order.js";
import { createRateLimiter } from "../../infra/rate-limiters.js";
import { credentialOf } from "../credentials.js";
import type { MarketplaceDeps } from "../deps.js";
import {
  defineMarketplace,
  type Marketplace,
  type MarketplaceContext,
  type OrderPage,
  type PushResult,
  type ShipmentPush,
} from "../marketplace.js";
import { orderOrThrow, readOrders } from "../order-fields.js";
import { nextWindowStart, readCheckpoint, writeCheckpoint } from "../window.js";
import { ebayCarrier } from "./carriers.js";
import { createEbayClient } from "./client.js";
import type { EbayMarketplaceConfig } from "./config.js";
import { ebayOrderToCanonical } from "./transform.js";

/**
 * eBay as a marketplace: orders polled from the Sell Fulfillment API by `lastmodifieddate`
 * (eBay has no order notification a seller can rely on, so there is no `parseNotification`),
 * packages confirmed with `createShippingFulfillment`. docs/marketplaces.md tells the merchant's side.
 */

const ID = MarketplaceIdSchema.parse("ebay");
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
// eBay searches the last 90 days only (error 30830); stay an hour inside.
const SEARCHABLE_MS = 90 * 24 * HOUR_MS - HOUR_MS;

export function createEbayMarketplace(config: EbayMarketplaceConfig, deps: MarketplaceDeps): Marketplace {
  const setting = "marketplaces.ebay";
  const block = config as unknown as Record<string, unknown>;
  const limiterFor = deps.limiterFor ?? ((key, limit) => createRateLimiter({ key, limit }));
  const client = createEbayClient({
    apiUrl: config.api_url,
    identityUrl: config.identity_url,
    scope: config.scope,
    credentials: async () => ({
      clientId: await credentialOf(block, "client_id", `${setting}.client_id`, deps.secret),
      clientSecret: await credentialOf(block, "client_secret", `${setting}.client_secret`, deps.secret),
      refreshToken: await credentialOf(block, "refresh_token", `${setting}.refresh_token`, deps.secret),
    }),
    limiter: limiterFor(`ebay:${config.seller_id}:fulfillment`, {
      perSecond: config.rate_limit_per_second,
      burst: config.rate_limit_burst,
    }),
    retry: deps.retry,
  });
  const account = MarketplaceAccountSchema.parse(config.seller_id);
  const key = { marketplace: ID, account };
  const signalOf = (context: MarketplaceContext) => context.signal ?? new AbortController().signal;

  /**
   * One window: `lastmodifieddate:[from..]`, open-ended, paged by offset. Open-ended on purpose:
   * an order changed while we page stays in the result (it would drop out of a closed window and
   * shift the later pages back over an order we never saw); new changes only push orders to later
   * offsets, which repeats some and skips none. The next window starts `overlap` before this one
   * started.
   */
  async function* pullOrders(
    since: string | undefined,
    context: MarketplaceContext,
  ): AsyncIterable<OrderPage> {
    const signal = signalOf(context);
    const now = context.clock().getTime();
    const checkpoint = since
      ? readCheckpoint(since, ID)
      : { marketplace: ID, from: new Date(now - config.look_back_hours * HOUR_MS).toISOString() };
    const from = new Date(
      Math.min(now, Math.max(Date.parse(checkpoint.from), now - SEARCHABLE_MS)),
    ).toISOString();
    const started = checkpoint.started ?? new Date(now).toISOString();
    let offset = typeof checkpoint.page === "number" ? checkpoint.page : 0;
    for (;;) {
      const page = await client.getOrders(
        { filter: `lastmodifieddate:[${from}..]`, limit: config.page_size, offset },
        signal,
      );
      const { orders, problems } = readOrders(page.orders, (raw) => ebayOrderToCanonical(raw, key));
      if (page.hasNext) {
        offset += config.page_size;
        yield {
          orders,
          problems,
          checkpoint: writeCheckpoint({ marketplace: ID, from, started, page: offset }),
        };
        continue;
      }
      const next = nextWindowStart(new Date(started), config.overlap_minutes * MINUTE_MS, new Date(from));
      yield { orders, problems, checkpoint: writeCheckpoint({ marketplace: ID, from: next }) };
      return;
    }
  }

  async function pushShipment(shipment: ShipmentPush, context: MarketplaceContext): Promise<PushResult> {
    const signal = signalOf(context);
    const orderId = shipment.order.orderId;
    const carrier = ebayCarrier(shipment.carrier, config.carriers);
    const sent = {
      carrierCode: carrier.code,
      ...(carrier.name !== undefined ? { carrierName: carrier.name } : {}),
    };
    if (!shipment.trackingNumber)
      throw new OmnifeedError("rejected", "eBay shipments are pushed with a tracking number", {
        where: `shipment ${shipment.shipmentId} of ${orderId}`,
      });
    // eBay has no idempotency key: the package is there already when a fulfillment of this order
    // carries the same tracking number for the same lines (reference §1.3).
    const lineIds = new Set(shipment.lines.map((line) => line.lineId));
    const existing = (await client.fulfillments(orderId, signal)).find(
      (fulfillment) =>
        fulfillment.shipmentTrackingNumber === shipment.trackingNumber &&
        fulfillment.lineItems.some((line) => lineIds.has(line.lineItemId)),
    );
    if (existing) return { outcome: "already_sent", ...sent, reference: existing.fulfillmentId };
    const reference = await client.createFulfillment(
      orderId,
      {
        // A line item ships whole on eBay (its `quantity` is reserved): a partial shipment lists some lines.
        lineItems: shipment.lines.map((line) => ({ lineItemId: line.lineId, quantity: line.quantity })),
        shippedDate: new Date(shipment.shippedAt).toISOString(),
        shippingCarrierCode: carrier.code,
        trackingNumber: shipment.trackingNumber,
      },
      signal,
    );
    return { outcome: "sent", ...sent, ...(reference ? { reference } : {}) };
  }

  return defineMarketplace({
    id: ID,
    account,
    async check(context) {
      const target = `${config.api_url} (seller ${config.seller_id})`;
      try {
        await client.getOrders(
          {
            filter: `lastmodifieddate:[${new Date(context.clock().getTime() - HOUR_MS).toISOString()}..]`,
            limit: 1,
            offset: 0,
          },
          signalOf(context),
        );
        return { ok: true, target, detail: "OAuth token and Fulfillment API answered" };
      } catch (error) {
        return { ok: false, target, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    pullOrders,
    async getOrder(orderId, context) {
      const raw = await client.getOrder(orderId, signalOf(context));
      if (raw === undefined) return undefined;
      return orderOrThrow(ebayOrderToCanonical(raw, key), `eBay order ${orderId}`);
    },
    pushShipment,
  });
}
