import type { RowIssue } from "../core/issues.js";
import type { OrderKey, Shipment } from "../core/order.js";
import type { StoreEvent } from "../stores/store.js";
import { shippedQuantities, type OrderRecord, type ShipmentRecord } from "./ledger.js";
import { storeContextOf, type OrderContext } from "./order-context.js";

export interface RecordedShipment {
  shipmentId: string;
  key?: OrderKey | undefined;
  /** `waiting`: queued for the push (or its tracking updated); `unknown_order`: not an order of the ledger. */
  outcome: "waiting" | "unchanged" | "withdrawn" | "rejected" | "unknown_order";
  reason?: string | undefined;
}

/**
 * Maps a store shipment's lines (store SKU + quantity) onto the marketplace lines still to ship,
 * in order-line order: a partial shipment names only what it carries. Units the order does not
 * have left are a reason, not a guess.
 */
export function shipmentLines(
  record: OrderRecord,
  shipment: Shipment,
): { lines: ShipmentRecord["lines"] } | { reason: string } {
  const { byLine } = shippedQuantities(record, ["waiting", "sent", "confirmed"], shipment.shipmentId);
  const lines: ShipmentRecord["lines"] = [];
  for (const wanted of shipment.lines) {
    let left = wanted.quantity;
    for (const line of record.lines) {
      if (line.sku !== wanted.sku || left === 0) continue;
      const open = line.quantity - (byLine.get(line.lineId) ?? 0);
      if (open <= 0) continue;
      const take = Math.min(open, left);
      lines.push({ lineId: line.lineId, sku: line.marketplaceSku, quantity: take });
      byLine.set(line.lineId, (byLine.get(line.lineId) ?? 0) + take);
      left -= take;
    }
    if (left > 0) {
      return {
        reason: `the shipment carries ${left} more of SKU ${wanted.sku} than the order has left to ship`,
      };
    }
  }
  return { lines };
}

/**
 * Records one store shipment against its order: new → `waiting` (pushed by the tracking step once
 * it has a tracking number); the same shipment again with tracking added → its tracking updated,
 * still waiting; a cancelled fulfillment not yet pushed → withdrawn. Safe to run twice.
 */
export async function recordShipment(shipment: Shipment, context: OrderContext): Promise<RecordedShipment> {
  const { ledger, store } = context;
  const located = shipment.order
    ? await ledger.get(shipment.order)
    : await ledger.findByStoreOrder(store.id, shipment.storeOrderId);
  if (!located) return { shipmentId: shipment.shipmentId, outcome: "unknown_order" };
  const key = located.key;
  return ledger.withOrderLock(
    key,
    async () => {
      const record = (await ledger.get(key))!;
      const at = context.clock().toISOString();
      const existing = record.shipments.find((candidate) => candidate.shipmentId === shipment.shipmentId);
      const others = record.shipments.filter((candidate) => candidate !== existing);
      const base = { shipmentId: shipment.shipmentId, key };
      if (shipment.cancelled) {
        if (!existing || existing.state !== "waiting") return { ...base, outcome: "unchanged" as const };
        await ledger.put({ ...record, shipments: others, updatedAt: at });
        return { ...base, outcome: "withdrawn" as const };
      }
      const tracking = {
        ...(shipment.carrier !== undefined && { carrier: shipment.carrier }),
        ...(shipment.trackingNumber !== undefined && { trackingNumber: shipment.trackingNumber }),
        ...(shipment.trackingUrl !== undefined && { trackingUrl: shipment.trackingUrl }),
        ...(shipment.shippedAt !== undefined && { shippedAt: shipment.shippedAt }),
      };
      if (existing) {
        // Sent packages stay as sent; a waiting one takes the tracking the merchant added since.
        const same =
          existing.trackingNumber === tracking.trackingNumber && existing.carrier === tracking.carrier;
        if (existing.state !== "waiting" || same) return { ...base, outcome: "unchanged" as const };
        await ledger.put({ ...record, shipments: [...others, { ...existing, ...tracking }], updatedAt: at });
        return { ...base, outcome: "waiting" as const };
      }
      const mapped = shipmentLines(record, shipment);
      const deadline = record.order.shipBy;
      const entry: ShipmentRecord =
        "reason" in mapped
          ? {
              shipmentId: shipment.shipmentId,
              state: "rejected",
              lines: [],
              attempts: 0,
              lastError: mapped.reason,
              ...tracking,
            }
          : {
              shipmentId: shipment.shipmentId,
              state: "waiting",
              lines: mapped.lines,
              attempts: 0,
              ...tracking,
              ...(deadline !== undefined && { deadline }),
            };
      await ledger.put({ ...record, shipments: [...record.shipments, entry], updatedAt: at });
      return "reason" in mapped
        ? { ...base, outcome: "rejected" as const, reason: mapped.reason }
        : { ...base, outcome: "waiting" as const };
    },
    context.lock,
  );
}

export interface CollectResult {
  shipments: RecordedShipment[];
  issues: RowIssue[];
}

/** The store checkpoint name of the shipments poll. */
export function shipmentsCheckpointName(storeId: string): string {
  return `shipments:${storeId}`;
}

/**
 * Polls the store for fulfillments since the last checkpoint and records each; the checkpoint is
 * stored only after every shipment of the page is in the ledger.
 */
export async function collectShipments(context: OrderContext): Promise<CollectResult> {
  const name = shipmentsCheckpointName(context.store.id);
  const from = await context.ledger.checkpoint(name);
  const page = await context.store.shipmentsSince(from, storeContextOf(context));
  const shipments: RecordedShipment[] = [];
  for (const shipment of page.shipments) shipments.push(await recordShipment(shipment, context));
  await context.ledger.setCheckpoint(name, page.checkpoint);
  return { shipments, issues: page.issues ?? [] };
}

/** A verified store webhook: shipments are recorded; other events need nothing from the ledger. */
export async function handleStoreEvent(
  event: StoreEvent,
  context: OrderContext,
): Promise<RecordedShipment | undefined> {
  return event.type === "shipment" ? recordShipment(event.shipment, context) : undefined;
}
