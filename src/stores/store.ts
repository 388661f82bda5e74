import type { CatalogEntry } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";
import type { Order, OrderKey, Shipment } from "../core/order.js";
import type { IncomingWebhook } from "../core/webhook.js";
import type { Checkpoint, SourceCheck } from "../sources/source.js";

/**
 * The merchant's store, both ways: the catalog's source of truth and the destination of
 * marketplace orders. One contract for every store (file, Shopify, WooCommerce); the conformance
 * suite in test/conformance/store.ts holds each to it.
 */

/** What a store may use besides its settings; passed in so tests control time and cancellation. */
export interface StoreContext {
  signal?: AbortSignal | undefined;
  clock: () => Date;
}

/** A page of the catalog, with the checkpoint to read the pages after it. */
export interface CatalogPage {
  entries: CatalogEntry[];
  issues: RowIssue[];
  /** Reading again `from` this checkpoint yields the pages after this one; absent on the last. */
  checkpoint?: Checkpoint | undefined;
}

/** The outcome of `createOrder`: the store's order and whether this call made it or found it. */
export interface StoreOrderRef {
  /** The store's id of the order (a GID, a WooCommerce id, the file store's file name). */
  storeOrderId: string;
  /** The merchant-facing number (`#1001`), when the store has one. */
  name?: string | undefined;
  /** `created`: this call created it; `found`: it existed already (the store-side lookup matched). */
  outcome: "created" | "found";
}

/** Shipments reported since a checkpoint, and where to continue next time. */
export interface ShipmentPage {
  shipments: Shipment[];
  checkpoint: Checkpoint;
  /** Records that could not be read as shipments (a bad row of a tracking file), as row issues. */
  issues?: RowIssue[] | undefined;
}

export type { IncomingWebhook };

/** What a verified webhook means to omnifeed. */
export type StoreEvent =
  | { type: "ping" }
  | { type: "shipment"; shipment: Shipment }
  | { type: "order_cancelled"; storeOrderId: string; order?: OrderKey | undefined }
  | { type: "order_updated"; storeOrderId: string; order?: OrderKey | undefined }
  | { type: "ignored"; reason: string };

export interface ParsedWebhook {
  /** The key a repeated delivery of the same event shares (dedupe on it). */
  dedupeKey: string;
  event: StoreEvent;
}

export interface Store {
  /** `file`, `shopify`, `woocommerce`. */
  readonly id: string;
  /** Tests the connection and credentials with one cheap call. */
  check(context: StoreContext): Promise<SourceCheck>;
  /** Streams the catalog in pages, from a checkpoint of an earlier page or from the start. */
  readCatalog(context: StoreContext, from?: Checkpoint): AsyncIterable<CatalogPage>;
  /**
   * Creates the order unless the store already holds one with the same key (the store-side
   * lookup runs first). Lines whose SKU the store does not sell are refused (`rejected`), never
   * created as custom lines.
   */
  createOrder(order: Order, context: StoreContext): Promise<StoreOrderRef>;
  /** The store's order for a key, if it holds one. */
  findOrder(key: OrderKey, context: StoreContext): Promise<StoreOrderRef | undefined>;
  /** Cancels an order this store created (compensation, or the marketplace cancelled it). */
  cancelOrder(storeOrderId: string, context: StoreContext): Promise<void>;
  /** Fulfillments (with tracking) created or changed since the checkpoint; from the start without one. */
  shipmentsSince(from: Checkpoint | undefined, context: StoreContext): Promise<ShipmentPage>;
  /**
   * Checks a webhook's signature over the raw body and reads it. A wrong or missing signature
   * throws `auth`; a body that cannot be read throws `rejected`. Absent for stores that send no
   * webhooks (the file store: its shipments arrive as tracking CSV files).
   */
  parseWebhook?(webhook: IncomingWebhook): ParsedWebhook;
}

export function defineStore<S extends Store>(store: S): S {
  return store;
}
