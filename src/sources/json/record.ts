import { z } from "zod";
import { ProductFieldsSchema, VariantSchema } from "../../core/catalog.js";
import { formatAmount } from "../../core/money.js";

/**
 * A product record as JSON and JSONL catalogs hold it and as the catalog writers take it: the
 * canonical `ProductInput`, except that money may be written the way people write it.
 */

/** `"19.99"`, `"19.99 USD"`, `19.99`, or `{ amount: 1999, currency: "USD" }` (minor units). */
export const MoneyRecordSchema = z.union([
  z.string(),
  z.number(),
  z.object({ amount: z.number(), currency: z.string().optional() }),
]);
export type MoneyRecord = z.infer<typeof MoneyRecordSchema>;

export const VariantRecordSchema = VariantSchema.extend({
  // Empty is allowed here so that a catalog with a missing SKU can be written (and reported on read).
  sku: z.string(),
  price: MoneyRecordSchema,
  salePrice: MoneyRecordSchema.optional(),
  costOfGoods: MoneyRecordSchema.optional(),
});
export type VariantRecord = z.input<typeof VariantRecordSchema>;

export const ProductRecordSchema = ProductFieldsSchema.extend({
  id: z.string(),
  variants: z.array(VariantRecordSchema),
});
export type ProductRecord = z.input<typeof ProductRecordSchema>;

/** Keys a record may have; anything else is reported as unknown. */
export const PRODUCT_RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(ProductRecordSchema.shape));
export const VARIANT_RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(VariantRecordSchema.shape));
export const MONEY_RECORD_KEYS = ["price", "salePrice", "costOfGoods"] as const;

/**
 * Money as text in a file whose rows state their currency elsewhere: written as given when it is
 * text or a number; `{amount, currency}` as its amount, with the code appended when it is not the
 * file's currency.
 */
export function moneyRecordText(money: MoneyRecord | undefined, fileCurrency: string | undefined): string {
  if (money === undefined) return "";
  if (typeof money === "string") return money;
  if (typeof money === "number") return String(money);
  const currency = money.currency ?? fileCurrency ?? "USD";
  const amount = !Number.isInteger(money.amount)
    ? String(money.amount)
    : money.amount < 0
      ? `-${formatAmount({ amount: -money.amount, currency })}`
      : formatAmount({ amount: money.amount, currency });
  return currency === fileCurrency ? amount : `${amount} ${currency}`;
}

/** The currency a money record names, if it names one. */
export function moneyRecordCurrency(money: MoneyRecord | undefined): string | undefined {
  return money !== undefined && typeof money === "object" ? money.currency : undefined;
}
