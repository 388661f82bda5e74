import { MarketplaceAccountSchema, MarketplaceIdSchema } from "../../core/order.js";
import { createRateLimiter } from "../../infra/rate-limiters.js";
import * as steps from "../adapter-steps.js";
import type { MarketplaceDeps } from "../deps.js";
import * as contract from "../marketplace.js";
import { orderOrThrow, readOrders } from "../order-fields.js";
import { nextWindowStart, writeCheckpoint } from "../window.js";
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
// eBay searches the last 90 days only (error 30830); stay an hour inside.
const SEARCHABLE_MS = 90 * 24 * steps.HOUR_MS - steps.HOUR_MS;

export function createEbayMarketplace(
  config: EbayMarketplaceConfig,
  deps: MarketplaceDeps,
): contract.Marketplace {
  const setting = "marketplaces.ebay";
  const block = config as unknown as Record<string, unknown>;
  const limiterFor = deps.limiterFor ?? ((key, limit) => createRateLimiter({ key, limit }));
  const client = createEbayClient({
    apiUrl: config.api_url,
    identityUrl: config.identity_url,
    scope: config.scope,
    credentials: steps.oauthCredentials(block, setting, deps.secret),
    limiter: limiterFor(`ebay:${config.seller_id}:fulfillment`, {
      perSecond: config.rate_limit_per_second,
      burst: config.rate_limit_burst,
    }),
    retry: deps.retry,
  });
  const account = MarketplaceAccountSchema.parse(config.seller_id);
  const key = { marketplace: ID, account };

  /**
   * One window: `lastmodifieddate:[from..]`, open-ended, paged by offset. Open-ended on purpose:
   * an order changed while we page stays in the result (it would drop out of a closed window and
   * shift the later pages back over an order we never saw); new changes only push orders to later
   * offsets, which repeats some and skips none. The next window starts `overlap` before this one
   * started.
   */
  async function* pullOrders(
    since: string | undefined,
    context: contract.MarketplaceContext,
  ): AsyncIterable<contract.OrderPage> {
    const signal = steps.signalOf(context);
    const now = context.clock().getTime();
    const checkpoint = steps.checkpointOrLookBack(since, ID, now, config.look_back_hours);
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
      const next = nextWindowStart(
        new Date(started),
        config.overlap_minutes * steps.MINUTE_MS,
        new Date(from),
      );
      yield { orders, problems, checkpoint: writeCheckpoint({ marketplace: ID, from: next }) };
      return;
    }
  }

  async function pushShipment(
    shipment: contract.ShipmentPush,
    context: contract.MarketplaceContext,
  ): Promise<contract.PushResult> {
    const signal = steps.signalOf(context);
    const orderId = shipment.order.orderId;
    const carrier = ebayCarrier(shipment.carrier, config.carriers);
    const { trackingNumber, sent } = steps.pushPrelude(shipment, carrier, "eBay");
    // eBay has no idempotency key: the package is there already when a fulfillment of this order
    // carries the same tracking number for the same lines (reference §1.3).
    const lineIds = new Set(shipment.lines.map((line) => line.lineId));
    const existing = (await client.fulfillments(orderId, signal)).find(
      (fulfillment) =>
        fulfillment.shipmentTrackingNumber === trackingNumber &&
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
        trackingNumber,
      },
      signal,
    );
    return { outcome: "sent", ...sent, ...(reference ? { reference } : {}) };
  }

  return contract.defineMarketplace({
    id: ID,
    account,
    check: (context) =>
      steps.probe(
        `${config.api_url} (seller ${config.seller_id})`,
        "OAuth token and Fulfillment API answered",
        () =>
          client.getOrders(
            {
              filter: `lastmodifieddate:[${new Date(context.clock().getTime() - steps.HOUR_MS).toISOString()}..]`,
              limit: 1,
              offset: 0,
            },
            steps.signalOf(context),
          ),
      ),
    pullOrders,
    async getOrder(orderId, context) {
      const raw = await client.getOrder(orderId, steps.signalOf(context));
      if (raw === undefined) return undefined;
      return orderOrThrow(ebayOrderToCanonical(raw, key), `eBay order ${orderId}`);
    },
    pushShipment,
  });
}
