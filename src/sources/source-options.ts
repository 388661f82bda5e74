import { z } from "zod";
import { CurrencySchema } from "../core/money.js";

/** A store's address without a trailing slash: `https://shop.example.com`. */
export const StoreUrlSchema = z
  .string()
  .trim()
  .regex(/^https?:\/\/\S+$/i, "expected an http(s) URL such as https://shop.example.com")
  .transform((url) => url.replace(/\/+$/, ""));

/** Options every catalog source takes. */
export const SourceOptionsSchema = z.object({
  /** Currency of prices written without a code (`19.99`). */
  currency: CurrencySchema.default("USD"),
  /** The store's address, for formats whose rows carry no product link (Shopify, WooCommerce). */
  store_url: StoreUrlSchema.optional(),
});
export type SourceOptions = z.infer<typeof SourceOptionsSchema>;
