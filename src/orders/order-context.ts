import type { Store } from "../stores/store.js";
import type { LedgerLockOptions, OrderLedger } from "./ledger.js";
import type { SkuMap } from "./sku-map.js";

/** What every step of the order pipeline works with; passed in so tests control time and failure. */
export interface OrderContext {
  ledger: OrderLedger;
  /** The store orders are imported into. */
  store: Store;
  skuMap: SkuMap;
  clock: () => Date;
  signal?: AbortSignal | undefined;
  /** The order lock's lease and wait (defaults: 60 s, 30 s). */
  lock?: LedgerLockOptions | undefined;
}

export function storeContextOf(context: OrderContext): {
  clock: () => Date;
  signal?: AbortSignal | undefined;
} {
  return { clock: context.clock, signal: context.signal };
}
