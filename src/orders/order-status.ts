import { orderKeyText } from "../core/order.js";
import type { OrderLedger, OrderState } from "./ledger.js";
import { overdueOf, overdueText, type OverdueItem } from "./tracking.js";

/** The order side of `omnifeed status`: what waits, what is held and why, what is late. */
export interface OrderStatus {
  backend: OrderLedger["backend"];
  counts: Record<OrderState, number>;
  /** Held orders with their reasons (the first `limit`). */
  unmatched: { order: string; reason: string }[];
  failed: { order: string; reason: string }[];
  /** Shipments waiting to be pushed or confirmed. */
  trackingWaiting: number;
  trackingRejected: { order: string; shipmentId: string; reason: string }[];
  overdue: OverdueItem[];
}

export async function collectOrderStatus(ledger: OrderLedger, now: Date, limit = 20): Promise<OrderStatus> {
  const status: OrderStatus = {
    backend: ledger.backend,
    counts: await ledger.counts(),
    unmatched: [],
    failed: [],
    trackingWaiting: 0,
    trackingRejected: [],
    overdue: [],
  };
  for await (const page of ledger.list({ states: ["unmatched", "failed"] })) {
    for (const record of page) {
      const list = record.state === "unmatched" ? status.unmatched : status.failed;
      if (list.length < limit) list.push({ order: orderKeyText(record.key), reason: record.reason ?? "" });
    }
  }
  for await (const page of ledger.list({ openOnly: true })) {
    for (const record of page) {
      for (const shipment of record.shipments) {
        if (shipment.state === "waiting" || shipment.state === "sent") status.trackingWaiting += 1;
      }
      status.overdue.push(...overdueOf(record, now));
    }
  }
  for await (const page of ledger.list({ states: ["imported"] })) {
    for (const record of page) {
      for (const shipment of record.shipments) {
        if (shipment.state === "rejected" && status.trackingRejected.length < limit)
          status.trackingRejected.push({
            order: orderKeyText(record.key),
            shipmentId: shipment.shipmentId,
            reason: shipment.lastError ?? "",
          });
      }
    }
  }
  return status;
}

export function formatOrderStatus(status: OrderStatus): string {
  const { counts } = status;
  const lines = [
    `orders (${status.backend} ledger): ${counts.imported} imported, ${counts.received + counts.importing} waiting to import, ${counts.unmatched} unmatched, ${counts.failed} failed, ${counts.cancelled} cancelled`,
  ];
  for (const item of status.unmatched) lines.push(`  unmatched ${item.order}: ${item.reason}`);
  for (const item of status.failed) lines.push(`  failed ${item.order}: ${item.reason}`);
  lines.push(
    `tracking: ${status.trackingWaiting} waiting, ${status.trackingRejected.length} rejected, ${status.overdue.length} overdue`,
  );
  for (const item of status.trackingRejected)
    lines.push(`  rejected ${item.order} shipment ${item.shipmentId}: ${item.reason}`);
  for (const item of status.overdue) lines.push(`  overdue ${overdueText(item)}`);
  return lines.join("\n");
}
