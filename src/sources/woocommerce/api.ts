import { z } from "zod";

/**
 * The parts of WooCommerce REST v3 answers omnifeed reads (../shared/reference/stores.md §2),
 * parsed at the boundary. Unknown fields are dropped, so a record kept in a batch is small plain
 * JSON. Money is decimal text (`"19.99"`, or `""` when unset); `*_gmt` dates are UTC without `Z`.
 */

const id = z.number().int().nonnegative();
/** WooCommerce sends `""` or `null` for an unset text field depending on the version and field. */
const looseText = z
  .string()
  .nullish()
  .transform((value) => value ?? "");

export const WooMetaSchema = z.object({ key: z.string(), value: z.unknown() });
export type WooMeta = z.infer<typeof WooMetaSchema>;

export const WooImageSchema = z.object({ src: z.string(), alt: looseText.optional() });

export const WooVariationSchema = z.object({
  id,
  parent_id: id.optional(),
  sku: looseText,
  status: z.string().optional(),
  regular_price: looseText,
  sale_price: looseText,
  date_on_sale_from_gmt: looseText.optional(),
  date_on_sale_to_gmt: looseText.optional(),
  stock_quantity: z.number().int().nullish(),
  stock_status: z.string().optional(),
  manage_stock: z.union([z.boolean(), z.literal("parent")]).optional(),
  weight: looseText,
  global_unique_id: looseText.optional(),
  image: WooImageSchema.nullish(),
  attributes: z
    .array(z.object({ id: z.number().optional(), name: z.string(), option: z.string() }))
    .default([]),
});
export type WooVariation = z.infer<typeof WooVariationSchema>;

export const WooProductSchema = z.object({
  id,
  name: z.string(),
  slug: z.string(),
  type: z.string(),
  status: z.string(),
  description: looseText,
  sku: looseText,
  global_unique_id: looseText.optional(),
  regular_price: looseText.optional(),
  sale_price: looseText.optional(),
  date_on_sale_from_gmt: looseText.optional(),
  date_on_sale_to_gmt: looseText.optional(),
  stock_quantity: z.number().int().nullish(),
  stock_status: z.string().optional(),
  manage_stock: z.boolean().optional(),
  weight: looseText.optional(),
  categories: z.array(z.object({ name: z.string() })).default([]),
  tags: z.array(z.object({ name: z.string() })).default([]),
  images: z.array(WooImageSchema).default([]),
  attributes: z
    .array(
      z.object({
        id: z.number().optional(),
        name: z.string(),
        position: z.number().optional(),
        variation: z.boolean().optional(),
        options: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  variations: z.array(id).default([]),
  meta_data: z.array(WooMetaSchema).default([]),
});
export type WooProduct = z.infer<typeof WooProductSchema>;

/** A record of `GET /products?sku=…`: products and variations alike (variations have a parent). */
export const WooSkuRecordSchema = z.object({
  id,
  parent_id: id.default(0),
  sku: looseText,
  type: z.string().optional(),
  name: looseText.optional(),
});
export type WooSkuRecord = z.infer<typeof WooSkuRecordSchema>;

export const WooOrderLineSchema = z.object({
  id,
  product_id: id.default(0),
  variation_id: id.default(0),
  sku: looseText,
  quantity: z.number(),
  meta_data: z.array(WooMetaSchema).default([]),
});

export const WooOrderSchema = z.object({
  id,
  number: z.coerce.string().optional(),
  status: z.string(),
  date_created_gmt: looseText.optional(),
  date_modified_gmt: looseText.optional(),
  line_items: z.array(WooOrderLineSchema).default([]),
  meta_data: z.array(WooMetaSchema).default([]),
});
export type WooOrder = z.infer<typeof WooOrderSchema>;

/** An item of the Shipment Tracking extension (`wc-shipment-tracking/v3`). */
export const WooTrackingItemSchema = z.object({
  tracking_id: z.string(),
  tracking_provider: looseText,
  tracking_link: looseText,
  tracking_number: looseText,
  /** `YYYY-MM-DD` from the REST route; the order meta keeps a Unix time instead. */
  date_shipped: z.union([z.string(), z.number()]).nullish(),
  /** Advanced Shipment Tracking and similar plugins name the items a tracking number covers. */
  products_list: z
    .array(
      z.object({
        item_id: z.coerce.number().optional(),
        product: z.coerce.number().optional(),
        qty: z.coerce.number(),
      }),
    )
    .optional(),
});
export type WooTrackingItem = z.infer<typeof WooTrackingItemSchema>;

/** The error body of every WooCommerce/WordPress REST failure. */
export const WooErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  data: z
    .object({ status: z.number().optional(), params: z.record(z.string(), z.unknown()).optional() })
    .nullish(),
});

/** A meta value as text, or `undefined` when absent or not text/number. */
export function metaText(meta: readonly WooMeta[], key: string): string | undefined {
  const entry = meta.find((candidate) => candidate.key === key);
  if (entry === undefined) return undefined;
  if (typeof entry.value === "string") return entry.value;
  if (typeof entry.value === "number") return String(entry.value);
  return undefined;
}
