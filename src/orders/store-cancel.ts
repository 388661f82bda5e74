import type { OrderKey } from "../core/order.js";
import type { OrderContext } from "./order-context.js";

export interface StoreCancelResult {
  storeOrderId: string;
  key?: OrderKey | undefined;
  /** `cancelled`: the ledger now says so; `unknown_order`: not a marketplace order of the ledger. */
  outcome: "cancelled" | "already_cancelled" | "unknown_order";
}

/**
 * The merchant cancelled a store order (a store's `order_cancelled` webhook). The ledger records
 * it as cancelled, so no pull or notification imports the order again; the marketplace order is
 * left to the merchant (the marketplace contract has no cancel), which the record's note says.
 * An order omnifeed itself cancelled in the store (the marketplace cancelled it) is already
 * `cancelled`: the webhook that cancellation sends changes nothing. Safe to run twice.
 */
export async function recordStoreCancellation(
  event: { storeOrderId: string; order?: OrderKey | undefined },
  context: OrderContext,
): Promise<StoreCancelResult> {
  const { ledger, store } = context;
  const located = event.order
    ? await ledger.get(event.order)
    : await ledger.findByStoreOrder(store.id, event.storeOrderId);
  if (!located) return { storeOrderId: event.storeOrderId, outcome: "unknown_order" };
  const key = located.key;
  return ledger.withOrderLock(
    key,
    async () => {
      const record = await ledger.get(key);
      if (!record) return { storeOrderId: event.storeOrderId, outcome: "unknown_order" };
      if (record.state === "cancelled")
        return { storeOrderId: event.storeOrderId, key, outcome: "already_cancelled" };
      const at = context.clock().toISOString();
      await ledger.put({
        ...record,
        state: "cancelled",
        reason: "cancelled in the store",
        storeOrderId: record.storeOrderId ?? event.storeOrderId,
        cancellation: {
          at,
          storeCancelled: true,
          note: "the merchant cancelled the store order; the marketplace order is still open there",
        },
        updatedAt: at,
      });
      return { storeOrderId: event.storeOrderId, key, outcome: "cancelled" };
    },
    context.lock,
  );
}
