import { z } from "zod";

/** The merchant's id of a product: the variant group (Shopify handle, WooCommerce parent SKU, item_group_id). */
export const ProductIdSchema = z.string().trim().min(1, "product id is empty").brand<"ProductId">();
export type ProductId = z.infer<typeof ProductIdSchema>;

/** The merchant's SKU of a variant; every channel item is keyed by it. */
export const SkuSchema = z.string().trim().min(1, "SKU is empty").brand<"Sku">();
export type Sku = z.infer<typeof SkuSchema>;

/** A channel's id, as registered in `src/channels/registry.ts`. */
export const ChannelIdSchema = z.enum(["google", "meta", "amazon"]);
export type ChannelId = z.infer<typeof ChannelIdSchema>;
