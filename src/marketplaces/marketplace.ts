import type {
  MarketplaceAccount,
  MarketplaceId,
  MarketplaceOrderId,
  Order,
  OrderKey,
  OrderLine,
} from "../core/order.js";
import type { Sku } from "../core/ids.js";
import type { IncomingWebhook } from "../core/webhook.js";

/**
 * A marketplace the merchant sells on, from the order side: where orders come from and where
 * tracking numbers go. One contract for every marketplace (Amazon, eBay); the conformance suite
 * in test/conformance/marketplace.ts holds each to it against its simulator. Google and Meta have
 * no order API (Meta removed its on 27 Oct 2026), so they have no adapter here.
 */

/** What a marketplace may use besides its settings; passed in so tests control time and cancellation. */
export interface MarketplaceContext {
  signal?: AbortSignal | undefined;
  clock: () => Date;
}

/**
 * An opaque resume point of an order pull (a last-update window start, a page token): plain
 * text, kept in the order ledger between runs. Pulling again from it never skips an order; it
 * may repeat some (windows overlap on purpose), and the ledger makes repeats harmless.
 */
export type OrderCheckpoint = string;

/** An order the adapter could not read into the canonical model; the rest of the page goes on. */
export interface OrderProblem {
  orderId: string;
  /** The marketplace's field at fault (`OrderItems[0].SellerSKU`), when one is. */
  field?: string | undefined;
  message: string;
}

/** One page of pulled orders and where to continue. */
export interface OrderPage {
  orders: Order[];
  problems: OrderProblem[];
  /**
   * Store it once the page's orders are safely in the ledger: pulling from it continues after
   * this page (or, after the last page, starts the next window).
   */
  checkpoint: OrderCheckpoint;
}

/** A package to confirm: which marketplace lines and quantities, which carrier, which number. */
export interface ShipmentPush {
  /** The store's shipment id: stable, so pushing the same package twice is recognised. */
  shipmentId: string;
  order: OrderKey;
  /** The carrier as the merchant typed it in the store; the adapter maps it to its own codes. */
  carrier?: string | undefined;
  trackingNumber?: string | undefined;
  trackingUrl?: string | undefined;
  shippedAt: string;
  /** The order's lines in this package, by the marketplace's line id (a partial shipment names some). */
  lines: { lineId: OrderLine["lineId"]; sku: Sku; quantity: number }[];
  /** The service the package went with, when the store knows it. */
  shippingService?: string | undefined;
}

/** What the marketplace answered to a shipment push. */
export interface PushResult {
  /** `sent`: accepted now; `already_sent`: the marketplace already holds this package. */
  outcome: "sent" | "already_sent";
  /** The carrier as sent: the marketplace's code, and the free-text name when the code is `Other`. */
  carrierCode: string;
  carrierName?: string | undefined;
  /** The marketplace's id for the shipment, when it gives one (eBay fulfillment id). */
  reference?: string | undefined;
}

/** What a verified notification means: orders to fetch again (notifications carry ids, not orders). */
export type MarketplaceEvent =
  | { type: "orders_changed"; account: MarketplaceAccount; orderIds: MarketplaceOrderId[] }
  | { type: "ignored"; reason: string };

export interface ParsedNotification {
  /** The key every redelivery of the same notification shares (dedupe on it). */
  dedupeKey: string;
  event: MarketplaceEvent;
}

export interface Marketplace {
  readonly id: MarketplaceId;
  /** The seller account this adapter is configured for. */
  readonly account: MarketplaceAccount;
  /** Tests the connection and credentials with one cheap call. */
  check(context: MarketplaceContext): Promise<{ ok: boolean; target: string; detail: string }>;
  /**
   * Orders created or changed since the checkpoint (from the configured look-back without one),
   * page by page, each page with its own checkpoint.
   */
  pullOrders(since: OrderCheckpoint | undefined, context: MarketplaceContext): AsyncIterable<OrderPage>;
  /** One order as the marketplace holds it now (after a notification), or undefined. */
  getOrder(orderId: MarketplaceOrderId, context: MarketplaceContext): Promise<Order | undefined>;
  /**
   * Confirms one package with its tracking. Safe to call twice for the same `shipmentId`. A
   * package the marketplace refuses throws `rejected` with its reason; limits throw `rate_limited`.
   */
  pushShipment(shipment: ShipmentPush, context: MarketplaceContext): Promise<PushResult>;
  /**
   * Checks a notification's signature (or shared secret) over the raw body and reads it. Wrong or
   * missing credentials throw `auth`; an unreadable body throws `rejected`. Absent when the
   * marketplace sends no order notifications (then orders are polled).
   */
  parseNotification?(notification: IncomingWebhook): ParsedNotification;
}

export function defineMarketplace<M extends Marketplace>(marketplace: M): M {
  return marketplace;
}
