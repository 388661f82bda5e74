import { z } from "zod";
import { IsoDateTimeSchema } from "../core/catalog.js";
import { OmnifeedError } from "../core/errors.js";
import { SkuSchema } from "../core/ids.js";
import { OrderKeySchema, OrderSchema, orderKeyText, type Order, type OrderKey } from "../core/order.js";

/**
 * The order ledger: what omnifeed knows of every marketplace order it has seen, one record per
 * (marketplace, account, order id). It is the first of the two exactly-once layers (adr/0027):
 * the record's state and its lock keep two workers from importing one order at once; the store's
 * own lookup (`findOrder` before `createOrder`) heals a crash between the store write and the
 * ledger write. Two backends behind one interface: an embedded SQLite file for CLI runs
 * (ledger-sqlite.ts) and Redis for workers (ledger-redis.ts); test/conformance/order-ledger.ts
 * holds both to it.
 */

export const ORDER_STATES = [
  "received",
  "unmatched",
  "importing",
  "imported",
  "failed",
  "cancelled",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const SHIPMENT_STATES = ["waiting", "sent", "confirmed", "rejected"] as const;
export type ShipmentState = (typeof SHIPMENT_STATES)[number];

/** A line of the order as the store knows it: the marketplace line, its SKU there and the store's SKU. */
export const LedgerLineSchema = z.object({
  lineId: z.string().min(1),
  marketplaceSku: SkuSchema,
  sku: SkuSchema,
  quantity: z.number().int().positive(),
});
export type LedgerLine = z.infer<typeof LedgerLineSchema>;

/** One package of a store fulfillment on its way to the marketplace. */
export const ShipmentRecordSchema = z.object({
  shipmentId: z.string().min(1),
  state: z.enum(SHIPMENT_STATES),
  /** The marketplace lines and quantities in this package (mapped from the store's SKUs). */
  lines: z.array(
    z.object({ lineId: z.string().min(1), sku: SkuSchema, quantity: z.number().int().positive() }),
  ),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  trackingUrl: z.string().optional(),
  shippedAt: IsoDateTimeSchema.optional(),
  attempts: z.number().int().min(0).default(0),
  lastError: z.string().optional(),
  /** Not pushed again before this time (backoff after a transient failure or a 429). */
  nextAttemptAt: IsoDateTimeSchema.optional(),
  /** The marketplace's ship-by date: a shipment not confirmed by then is reported. */
  deadline: IsoDateTimeSchema.optional(),
  sentAt: IsoDateTimeSchema.optional(),
  confirmedAt: IsoDateTimeSchema.optional(),
  carrierCode: z.string().optional(),
  carrierName: z.string().optional(),
  reference: z.string().optional(),
});
export type ShipmentRecord = z.infer<typeof ShipmentRecordSchema>;

export const OrderRecordSchema = z.object({
  key: OrderKeySchema,
  state: z.enum(ORDER_STATES),
  /** Why the order is unmatched, failed or cancelled. */
  reason: z.string().optional(),
  /** The order as the marketplace last gave it. */
  order: OrderSchema,
  /** The lines with their store SKUs, once matched. */
  lines: z.array(LedgerLineSchema).default([]),
  /** The store the order goes to (`file`, `shopify`, `woocommerce`) once an import started. */
  store: z.string().optional(),
  storeOrderId: z.string().optional(),
  storeOrderName: z.string().optional(),
  /** Import attempts so far (each lock taken to import counts one). */
  attempts: z.number().int().min(0).default(0),
  receivedAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
  importedAt: IsoDateTimeSchema.optional(),
  /** `created`: this ledger's import made the store order; `found`: the store-side lookup found it. */
  importOutcome: z.enum(["created", "found"]).optional(),
  /** What the import sold, per store SKU: the stock change for the other channels. */
  sold: z.array(z.object({ sku: SkuSchema, quantity: z.number().int().positive() })).default([]),
  /** The marketplace cancelled the order; `storeCancelled` says whether the store order was cancelled too. */
  cancellation: z
    .object({ at: IsoDateTimeSchema, storeCancelled: z.boolean(), note: z.string().optional() })
    .optional(),
  shipments: z.array(ShipmentRecordSchema).default([]),
});
export type OrderRecord = z.infer<typeof OrderRecordSchema>;
export type OrderRecordInput = z.input<typeof OrderRecordSchema>;

/** What `list` selects. */
export interface OrderFilter {
  states?: readonly OrderState[] | undefined;
  /** Only records with shipments or lines still to confirm (the tracking push's work list). */
  openOnly?: boolean | undefined;
}

export interface LedgerLockOptions {
  /** How long a holder that stopped renewing (killed) keeps the lock (ms). */
  ttlMs?: number | undefined;
  /** How long a second taker waits before `conflict` (ms). */
  waitMs?: number | undefined;
}

/** The ledger both backends implement. Every write of a record happens under its order lock. */
export interface OrderLedger {
  readonly backend: "embedded" | "redis";
  get(key: OrderKey): Promise<OrderRecord | undefined>;
  /** Writes the whole record (the caller holds the order's lock). */
  put(record: OrderRecord): Promise<void>;
  /** The record whose store order is `storeOrderId` in `store`, for store events that carry no order key. */
  findByStoreOrder(store: string, storeOrderId: string): Promise<OrderRecord | undefined>;
  /** Records in key order, page by page. */
  list(filter?: OrderFilter, pageSize?: number): AsyncIterable<OrderRecord[]>;
  /** How many records are in each state. */
  counts(): Promise<Record<OrderState, number>>;
  /** A named resume point (`pull:amazon/A1`, `shipments:shopify`), or undefined. */
  checkpoint(name: string): Promise<string | undefined>;
  setCheckpoint(name: string, value: string): Promise<void>;
  /**
   * Runs `task` holding the lock of one order key (Redis: SET NX PX with a token, renewed; SQLite:
   * a lease row taken in an IMMEDIATE transaction). `conflict` when another holder keeps it past
   * `waitMs`.
   */
  withOrderLock<T>(key: OrderKey, task: () => Promise<T>, options?: LedgerLockOptions): Promise<T>;
  close(): Promise<void>;
}

/** Still to do on the tracking side: an imported order not wholly confirmed, or a shipment not settled. */
export function isOpen(record: OrderRecord): boolean {
  if (record.shipments.some((shipment) => shipment.state === "waiting" || shipment.state === "sent"))
    return true;
  if (record.state !== "imported") return false;
  return shippedQuantities(record, ["sent", "confirmed"]).remaining > 0;
}

/** Units per marketplace line already in shipments of the given states, and how many are left. */
export function shippedQuantities(
  record: OrderRecord,
  states: readonly ShipmentState[],
  except?: string,
): { byLine: Map<string, number>; remaining: number } {
  const byLine = new Map<string, number>();
  for (const shipment of record.shipments) {
    if (shipment.shipmentId === except || !states.includes(shipment.state)) continue;
    for (const line of shipment.lines)
      byLine.set(line.lineId, (byLine.get(line.lineId) ?? 0) + line.quantity);
  }
  let remaining = 0;
  for (const line of record.order.lines)
    remaining += Math.max(0, line.quantity - (byLine.get(line.lineId) ?? 0));
  return { byLine, remaining };
}

/** A new record for an order seen for the first time. */
export function newRecord(order: Order, now: Date): OrderRecord {
  const at = now.toISOString();
  return OrderRecordSchema.parse({
    key: { marketplace: order.marketplace, account: order.account, orderId: order.orderId },
    state: "received",
    order,
    receivedAt: at,
    updatedAt: at,
  });
}

/** Reads a stored record; a damaged one is a `config` error naming where it sits. */
export function decodeRecord(text: string, where: string): OrderRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OmnifeedError("config", "an order ledger record is not JSON", { where });
  }
  const parsed = OrderRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OmnifeedError(
      "config",
      `an order ledger record is damaged: ${issue.path.join(".")}: ${issue.message}`,
      {
        where,
      },
    );
  }
  return parsed.data;
}

export function recordKeyText(record: OrderRecord | { key: OrderKey }): string {
  return orderKeyText(record.key);
}

export function emptyCounts(): Record<OrderState, number> {
  return Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as Record<OrderState, number>;
}
