import { isOmnifeedError, OmnifeedError } from "../core/errors.js";
import { orderKeyText, type OrderKey } from "../core/order.js";
import type { Sku } from "../core/ids.js";
import type { OrderRecord } from "./ledger.js";
import { isSkuRefusal, matchLines, soldLinesOf, storeOrderOf } from "./match.js";
import { storeContextOf, type OrderContext } from "./order-context.js";

/** A line sold by an import, for the stock publish of the other channels. */
export interface SoldLine {
  sku: Sku;
  quantity: number;
}

export interface ImportResult {
  key: OrderKey;
  /**
   * `imported`: this call brought the order into the store (or found it there after a crash);
   * `already_imported`: the ledger had it; `unmatched` / `failed`: held, with `reason`;
   * `cancelled`: the marketplace cancelled it before import.
   */
  outcome: "imported" | "already_imported" | "unmatched" | "failed" | "cancelled";
  storeOrderId?: string | undefined;
  /** Set when the store-side lookup, not this call, found the store order (a crash was healed). */
  found?: boolean | undefined;
  reason?: string | undefined;
  /** Only on `imported`: the units sold, per store SKU. */
  sold: SoldLine[];
}

/**
 * Imports one order exactly once. Under the order's lock: a ledger record already imported is
 * left alone; otherwise the record goes to `importing`, the store is asked first whether it holds
 * the order (`findOrder`) and only then to create it (`createOrder`, which looks up again), and
 * the record goes to `imported`. A crash or a timeout after the store created the order leaves
 * `importing`; the next attempt's lookup finds the store order instead of making a second one.
 * A transient store failure is thrown (the job boundary retries); a refusal is held as
 * `unmatched` (a SKU the store does not sell) or `failed` (any other reason).
 */
export async function importOrder(key: OrderKey, context: OrderContext): Promise<ImportResult> {
  const { ledger, store } = context;
  return ledger.withOrderLock(
    key,
    async () => {
      const record = await ledger.get(key);
      if (!record)
        throw new OmnifeedError("not_found", "the order ledger holds no such order", {
          where: orderKeyText(key),
        });
      if (record.state === "imported") {
        return { key, outcome: "already_imported", storeOrderId: record.storeOrderId, sold: [] };
      }
      if (record.state === "cancelled") return { key, outcome: "cancelled", reason: record.reason, sold: [] };
      const now = () => context.clock().toISOString();
      const lines = matchLines(record.order, context.skuMap);
      const importing: OrderRecord = {
        ...record,
        state: "importing",
        lines,
        store: store.id,
        attempts: record.attempts + 1,
        updatedAt: now(),
      };
      await ledger.put(importing);
      const storeContext = storeContextOf(context);
      let ref;
      try {
        ref =
          (await store.findOrder(key, storeContext)) ??
          (await store.createOrder(storeOrderOf(record.order, lines), storeContext));
      } catch (error) {
        if (isOmnifeedError(error, "rejected")) {
          const unmatched = isSkuRefusal(error.message);
          await ledger.put({
            ...importing,
            state: unmatched ? "unmatched" : "failed",
            reason: error.message,
            updatedAt: now(),
          });
          return { key, outcome: unmatched ? "unmatched" : "failed", reason: error.message, sold: [] };
        }
        // Left `importing`, with why: the next attempt's store lookup settles whether it was created.
        // A `config` or `auth` error stops the whole run (every order would fail alike).
        const reason = error instanceof Error ? error.message : String(error);
        await ledger.put({ ...importing, reason: `last attempt: ${reason}`, updatedAt: now() });
        throw error;
      }
      const sold = soldLinesOf(lines);
      const rest: OrderRecord = { ...importing };
      delete rest.reason;
      await ledger.put({
        ...rest,
        state: "imported",
        storeOrderId: ref.storeOrderId,
        ...(ref.name !== undefined && { storeOrderName: ref.name }),
        importOutcome: ref.outcome,
        importedAt: now(),
        sold,
        updatedAt: now(),
      });
      return {
        key,
        outcome: "imported",
        storeOrderId: ref.storeOrderId,
        found: ref.outcome === "found" || undefined,
        sold,
      };
    },
    context.lock,
  );
}
