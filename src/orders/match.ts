import { SkuSchema } from "../core/ids.js";
import type { Order } from "../core/order.js";
import type { LedgerLine } from "./ledger.js";
import type { SkuMap } from "./sku-map.js";

/**
 * Match: each marketplace line gets its store SKU (through the SKU map). Pure. Whether the store
 * sells that SKU is the store's call (every store refuses an order with an unsold SKU, `rejected`,
 * before creating anything), so the import step turns such a refusal into `unmatched`.
 */
export function matchLines(order: Order, skuMap: SkuMap): LedgerLine[] {
  return order.lines.map((line) => ({
    lineId: line.lineId,
    marketplaceSku: line.sku,
    sku: SkuSchema.parse(skuMap.storeSku(order.marketplace, line.sku)),
    quantity: line.quantity,
  }));
}

/** The order as the store must create it: the same order with its lines' SKUs in the store's terms. */
export function storeOrderOf(order: Order, lines: readonly LedgerLine[]): Order {
  const byLine = new Map(lines.map((line) => [line.lineId, line.sku]));
  return {
    ...order,
    lines: order.lines.map((line) => ({ ...line, sku: byLine.get(line.lineId) ?? line.sku })),
  };
}

/** The store's refusal says a SKU is not sold: the order waits for the SKU map or the catalog. */
export function isSkuRefusal(message: string): boolean {
  return /\bSKU\b/.test(message);
}

/** Units sold per store SKU: what the stock publish must take off the other channels. */
export function soldLinesOf(lines: readonly LedgerLine[]): { sku: LedgerLine["sku"]; quantity: number }[] {
  const totals = new Map<LedgerLine["sku"], number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}
