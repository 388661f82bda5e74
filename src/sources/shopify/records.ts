import { z } from "zod";

/**
 * The raw Shopify records a catalog read hands to `decode`: one group per product, the same shape
 * from a bulk operation's JSONL and from paged queries, plain JSON (batches are posted to build
 * workers). Only what the agreed canonical mapping reads is kept.
 */

export interface ShopifyVariantRecord {
  /** `gid://shopify/ProductVariant/…`. */
  id: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  selectedOptions: { name: string; value: string }[];
  /** `available` per location, by location name, in the shop's location order. */
  inventory: { location: string; quantity: number }[];
  weight: { unit: string; value: number } | null;
}

export interface ShopifyProductRecord {
  /** `gid://shopify/Product/…`. */
  id: string;
  /** 1-based position of the product in the whole read (resumed reads continue the count). */
  position: number;
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  status: string;
  tags: string[];
  images: string[];
  variants: ShopifyVariantRecord[];
}

/** What a line or node of the API holds for a product (bulk line or paged node), checked at the boundary. */
export const ProductNodeSchema = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  descriptionHtml: z.string().nullable().optional(),
  vendor: z.string().nullable().optional(),
  productType: z.string().nullable().optional(),
  status: z.string(),
  tags: z.array(z.string()).default([]),
  variantsCount: z.object({ count: z.number() }).nullable().optional(),
  mediaCount: z.object({ count: z.number() }).nullable().optional(),
});
export type ProductNode = z.infer<typeof ProductNodeSchema>;

const LevelSchema = z
  .object({ quantities: z.array(z.object({ name: z.string().optional(), quantity: z.number() })) })
  .nullable();

export const VariantNodeSchema = z.object({
  id: z.string(),
  sku: z.string().nullable().optional(),
  barcode: z.string().nullable().optional(),
  price: z.string(),
  compareAtPrice: z.string().nullable().optional(),
  position: z.number().default(0),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
  inventoryItem: z
    .object({
      measurement: z
        .object({ weight: z.object({ unit: z.string(), value: z.number() }).nullable().optional() })
        .nullable()
        .optional(),
    })
    .catchall(LevelSchema)
    .nullable()
    .optional(),
});
export type VariantNode = z.infer<typeof VariantNodeSchema>;

export const MediaNodeSchema = z.object({
  id: z.string().optional(),
  image: z.object({ url: z.string() }).nullable().optional(),
});

export interface ShopLocation {
  id: string;
  name: string;
  /** The alias its level has in queries (`l0`, `l1`, …). */
  alias: string;
}

export function productRecordOf(node: ProductNode, position: number): ShopifyProductRecord {
  return {
    id: node.id,
    position,
    handle: node.handle,
    title: node.title,
    descriptionHtml: node.descriptionHtml ?? "",
    vendor: node.vendor ?? "",
    productType: node.productType ?? "",
    status: node.status,
    tags: node.tags,
    images: [],
    variants: [],
  };
}

export function variantRecordOf(node: VariantNode, locations: readonly ShopLocation[]): ShopifyVariantRecord {
  const item = node.inventoryItem ?? undefined;
  const inventory: ShopifyVariantRecord["inventory"] = [];
  for (const location of locations) {
    const level = item?.[location.alias];
    if (level === null || level === undefined) continue;
    const available = level.quantities.find(
      (quantity) => quantity.name === undefined || quantity.name === "available",
    );
    inventory.push({ location: location.name, quantity: available?.quantity ?? 0 });
  }
  return {
    id: node.id,
    sku: node.sku ?? null,
    barcode: node.barcode ?? null,
    price: node.price,
    compareAtPrice: node.compareAtPrice ?? null,
    position: node.position,
    selectedOptions: node.selectedOptions,
    inventory,
    weight: item?.measurement?.weight ?? null,
  };
}

/** Variants in the product's own order (position), whatever order the lines came in. */
export function sortVariants(record: ShopifyProductRecord): void {
  record.variants.sort((a, b) => a.position - b.position);
}
