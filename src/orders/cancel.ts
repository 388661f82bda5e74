import { isOmnifeedError } from "../core/errors.js";
import type { OrderKey } from "../core/order.js";
import { storeContextOf, type OrderContext } from "./order-context.js";

export interface CancelResult {
  key: OrderKey;
  /** `cancelled`: the store order was cancelled (or there was none); `kept`: the store order stays, with `note`. */
  outcome: "cancelled" | "kept" | "already_cancelled" | "unknown_order";
  storeOrderId?: string | undefined;
  note?: string | undefined;
}

/**
 * The marketplace cancelled the order: the compensation of the import. The store order is
 * cancelled where the store allows it; one already shipped (a shipment sent or confirmed) is kept
 * and said so. The store-side lookup runs too, so an order whose import crashed after the store
 * created it is cancelled as well. The ledger records what was done; running it twice is harmless.
 */
export async function cancelOrder(key: OrderKey, context: OrderContext): Promise<CancelResult> {
  const { ledger, store } = context;
  return ledger.withOrderLock(
    key,
    async () => {
      const record = await ledger.get(key);
      if (!record) return { key, outcome: "unknown_order" };
      if (record.state === "cancelled")
        return { key, outcome: "already_cancelled", storeOrderId: record.storeOrderId };
      const at = context.clock().toISOString();
      const storeContext = storeContextOf(context);
      let storeOrderId = record.storeOrderId;
      if (!storeOrderId && (record.state === "importing" || record.store !== undefined))
        storeOrderId = (await store.findOrder(key, storeContext))?.storeOrderId;
      let storeCancelled = false;
      let note: string | undefined;
      if (storeOrderId === undefined) {
        note = "the store never had the order";
      } else if (
        record.shipments.some((shipment) => shipment.state === "sent" || shipment.state === "confirmed")
      ) {
        note = "already shipped: the store order is kept";
      } else {
        try {
          await store.cancelOrder(storeOrderId, storeContext);
          storeCancelled = true;
        } catch (error) {
          if (!isOmnifeedError(error, "rejected") && !isOmnifeedError(error, "not_found")) throw error;
          note = `the store refused to cancel: ${error.message}`;
        }
      }
      await ledger.put({
        ...record,
        state: "cancelled",
        reason: "cancelled on the marketplace",
        ...(storeOrderId !== undefined && { storeOrderId }),
        cancellation: { at, storeCancelled, ...(note !== undefined && { note }) },
        updatedAt: at,
      });
      const kept = storeOrderId !== undefined && !storeCancelled;
      return { key, outcome: kept ? "kept" : "cancelled", storeOrderId, note };
    },
    context.lock,
  );
}
