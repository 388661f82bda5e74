import { z } from "zod";

/**
 * Stock holds (adr/0028): per SKU, the quantities sold by imported marketplace orders that the
 * catalog may not show yet. A build subtracts the live holds from the variant's quantity, so a
 * full publish reading a catalog taken before the sale does not put the sold units back on the
 * other channels. A hold lasts until a catalog snapshot taken after the sale is read (a file
 * modified after it, a store read started after it); then `release` drops it.
 */

/** One sold line of an imported order, as recorded. */
export const StockSaleSchema = z.object({
  sku: z.string().trim().min(1, "SKU is empty"),
  quantity: z.number().int().positive("the sold quantity must be a whole number above 0"),
  /** The order this sale belongs to (`amazon/<account>/<order id>`, or `manual:<id>`). */
  orderKey: z.string().trim().min(1, "order key is empty"),
  /** The order line (marketplace line id); one hold per order key and line, however often recorded. */
  line: z.string().min(1, "order line is empty"),
  /** When the sale reached the store (ms since epoch). */
  soldAt: z.number().int().nonnegative(),
});
export type StockSale = z.infer<typeof StockSaleSchema>;

/** Where holds live: beside the state (the embedded file, or Redis), one set per workspace. */
export interface StockHolds {
  /**
   * Records sales; a sale already recorded (same order key and line) is not counted again.
   * Returns how many were new.
   */
  record(sales: readonly StockSale[]): Promise<number>;
  /** The held quantity per SKU (only SKUs with a hold; all of them when `skus` is absent). */
  held(skus?: readonly string[]): Promise<Map<string, number>>;
  /** Drops the holds of sales made before `snapshotAt` (ms): the catalog read then shows them. */
  release(snapshotAt: number): Promise<number>;
  close(): Promise<void>;
}

/** Sums sales per SKU. */
export function sumBySku(sales: Iterable<Pick<StockSale, "sku" | "quantity">>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sale of sales) totals.set(sale.sku, (totals.get(sale.sku) ?? 0) + sale.quantity);
  return totals;
}
