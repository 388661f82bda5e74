import { stat } from "node:fs/promises";
import type { StockHolds } from "../sync/stock-holds.js";
import type { PreparedRun } from "./plan.js";

/**
 * When the run's catalog was taken (adr/0028): a file's last modification; a store's read starts
 * now (Shopify and WooCommerce take the stock off when the order is created, before the sale is
 * recorded here), so every sale recorded before `now` is in what it reads.
 */
export async function catalogSnapshotAt(run: PreparedRun, now: number): Promise<number> {
  // A sale recorded in this very millisecond was in the store before it was recorded.
  if (run.catalog.kind === "store") return now + 1;
  return (await stat(run.catalog.file)).mtimeMs;
}

/**
 * The holds a build of this catalog must subtract: those of sales after the catalog was taken.
 * The holds of older sales are dropped for good: this catalog, and every later one, shows them.
 */
export async function liveHolds(
  run: PreparedRun,
  holds: StockHolds,
  now: number,
  skus?: readonly string[],
): Promise<Map<string, number>> {
  await holds.release(await catalogSnapshotAt(run, now));
  return holds.held(skus);
}
