import { isOmnifeedError } from "../core/errors.js";
import { orderKeyText, type OrderKey } from "../core/order.js";
import type { Marketplace } from "../marketplaces/marketplace.js";
import { shippedQuantities, type OrderLedger, type OrderRecord, type ShipmentRecord } from "./ledger.js";
import type { LedgerLockOptions } from "./ledger.js";

/** The marketplace adapter of an order's marketplace account, or undefined when none is configured. */
export type MarketplaceOf = (key: OrderKey) => Marketplace | undefined;

export interface TrackingContext {
  ledger: OrderLedger;
  marketplaceOf: MarketplaceOf;
  clock: () => Date;
  signal?: AbortSignal | undefined;
  lock?: LedgerLockOptions | undefined;
  /** First wait after a transient failure (doubled per attempt, at most an hour); default 30 s. */
  backoffMs?: number | undefined;
}

export interface OverdueItem {
  key: OrderKey;
  /** The shipment, or undefined when nothing at all was shipped yet. */
  shipmentId?: string | undefined;
  deadline: string;
  state: ShipmentRecord["state"] | "not_shipped";
}

export interface TrackingResult {
  pushed: {
    key: OrderKey;
    shipmentId: string;
    outcome: "sent" | "already_sent";
    lines: ShipmentRecord["lines"];
  }[];
  confirmed: { key: OrderKey; shipmentId: string }[];
  rejected: { key: OrderKey; shipmentId: string; reason: string }[];
  /** Transient failures and 429s: tried again after `nextAttemptAt`. */
  deferred: { key: OrderKey; shipmentId: string; reason: string; nextAttemptAt: string }[];
  /** Shipments with no tracking number yet, or whose backoff has not ended. */
  waiting: number;
  overdue: OverdueItem[];
  /** Orders of a marketplace account with no adapter configured. */
  skipped: OrderKey[];
}

const MAX_BACKOFF_MS = 3_600_000;

/**
 * Pushes tracking: every waiting shipment with a tracking number goes to its marketplace
 * (`pushShipment`, idempotent per shipment id) → `sent`; a sent one becomes `confirmed` when the
 * marketplace's order shows it shipped; a refusal → `rejected` with the marketplace's reason;
 * transient failures and 429s wait (backoff, or the time the marketplace asked for). Anything
 * past the order's ship-by date and not confirmed is reported as overdue. Safe to run twice.
 */
export async function pushTracking(context: TrackingContext): Promise<TrackingResult> {
  const result: TrackingResult = {
    pushed: [],
    confirmed: [],
    rejected: [],
    deferred: [],
    waiting: 0,
    overdue: [],
    skipped: [],
  };
  const keys: OrderKey[] = [];
  for await (const page of context.ledger.list({ openOnly: true }))
    for (const record of page) keys.push(record.key);
  for (const key of keys) {
    const marketplace = context.marketplaceOf(key);
    if (!marketplace) {
      result.skipped.push(key);
      const record = await context.ledger.get(key);
      if (record) result.overdue.push(...overdueOf(record, context.clock()));
      continue;
    }
    await context.ledger.withOrderLock(key, () => pushOrder(key, marketplace, context, result), context.lock);
  }
  return result;
}

async function pushOrder(
  key: OrderKey,
  marketplace: Marketplace,
  context: TrackingContext,
  result: TrackingResult,
): Promise<void> {
  const record = await context.ledger.get(key);
  if (!record) return;
  const now = context.clock();
  const marketplaceContext = { clock: context.clock, signal: context.signal };
  const shipments: ShipmentRecord[] = [];
  for (const shipment of record.shipments) {
    if (shipment.state !== "waiting") {
      shipments.push(shipment);
      continue;
    }
    if (
      !shipment.trackingNumber ||
      (shipment.nextAttemptAt !== undefined && Date.parse(shipment.nextAttemptAt) > now.getTime())
    ) {
      result.waiting += 1;
      shipments.push(shipment);
      continue;
    }
    const attempts = shipment.attempts + 1;
    try {
      const answer = await marketplace.pushShipment(
        {
          shipmentId: shipment.shipmentId,
          order: key,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
          trackingUrl: shipment.trackingUrl,
          shippedAt: shipment.shippedAt ?? now.toISOString(),
          lines: shipment.lines,
          shippingService: record.order.shippingService,
        },
        marketplaceContext,
      );
      const rest: ShipmentRecord = { ...shipment };
      delete rest.lastError;
      delete rest.nextAttemptAt;
      shipments.push({
        ...rest,
        state: "sent",
        attempts,
        sentAt: now.toISOString(),
        carrierCode: answer.carrierCode,
        ...(answer.carrierName !== undefined && { carrierName: answer.carrierName }),
        ...(answer.reference !== undefined && { reference: answer.reference }),
      });
      result.pushed.push({
        key,
        shipmentId: shipment.shipmentId,
        outcome: answer.outcome,
        lines: shipment.lines,
      });
    } catch (error) {
      if (!isOmnifeedError(error)) throw error;
      if (error.kind === "rejected" || error.kind === "not_found") {
        shipments.push({ ...shipment, state: "rejected", attempts, lastError: error.message });
        result.rejected.push({ key, shipmentId: shipment.shipmentId, reason: error.message });
        continue;
      }
      // transient, rate_limited, and auth/config (fixed by the merchant, then tried again).
      const base = context.backoffMs ?? 30_000;
      const wait =
        error.kind === "rate_limited" && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : Math.min(MAX_BACKOFF_MS, base * 2 ** (attempts - 1));
      const nextAttemptAt = new Date(now.getTime() + wait).toISOString();
      shipments.push({ ...shipment, attempts, lastError: `${error.kind}: ${error.message}`, nextAttemptAt });
      result.deferred.push({ key, shipmentId: shipment.shipmentId, reason: error.message, nextAttemptAt });
    }
  }
  let updated: OrderRecord = { ...record, shipments, updatedAt: now.toISOString() };
  if (shipments.some((shipment) => shipment.state === "sent")) {
    const current = await marketplace.getOrder(key.orderId, marketplaceContext);
    if (current && (current.status === "shipped" || current.status === "partially_shipped")) {
      updated = {
        ...updated,
        shipments: shipments.map((shipment) => {
          if (shipment.state !== "sent") return shipment;
          result.confirmed.push({ key, shipmentId: shipment.shipmentId });
          return { ...shipment, state: "confirmed" as const, confirmedAt: now.toISOString() };
        }),
      };
    }
  }
  await context.ledger.put(updated);
  result.overdue.push(...overdueOf(updated, now));
}

/** What of an order is past its ship-by date and not confirmed. */
export function overdueOf(record: OrderRecord, now: Date): OverdueItem[] {
  const deadline = record.order.shipBy;
  // Compared as instants: marketplaces give dates with offsets as well as in UTC.
  if (!deadline || Date.parse(deadline) >= now.getTime() || record.state === "cancelled") return [];
  const items: OverdueItem[] = record.shipments
    .filter((shipment) => shipment.state === "waiting" || shipment.state === "sent")
    .map((shipment) => ({
      key: record.key,
      shipmentId: shipment.shipmentId,
      deadline,
      state: shipment.state,
    }));
  if (
    record.state === "imported" &&
    shippedQuantities(record, ["waiting", "sent", "confirmed"]).remaining > 0
  )
    items.push({ key: record.key, deadline, state: "not_shipped" });
  return items;
}

/** `amazon/A1/123 shipment F1 (sent) due 2026-12-01T…` */
export function overdueText(item: OverdueItem): string {
  const what =
    item.shipmentId === undefined ? "nothing shipped" : `shipment ${item.shipmentId} ${item.state}`;
  return `${orderKeyText(item.key)}: ${what}, due ${item.deadline}`;
}
