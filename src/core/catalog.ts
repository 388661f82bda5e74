import { z } from "zod";
import { ProductIdSchema, SkuSchema } from "./ids.js";
import { MoneySchema } from "./money.js";
import { LENGTH_UNITS, WEIGHT_UNITS } from "./units.js";

/**
 * The canonical catalog: what every source is read into and every channel is built from.
 * A product groups variants; every variant becomes one item on a channel. Fields a variant leaves
 * empty are taken from its product (see `mapping/context.ts`).
 */

const text = z.string().trim().min(1);
const url = z
  .string()
  .trim()
  .regex(/^https?:\/\/\S+$/i, "expected an http(s) URL");

/** ISO 8601 date or date-time with optional offset: `2026-11-27`, `2026-11-27T00:00-08:00`, `…Z`. */
export const IsoDateTimeSchema = z
  .string()
  .trim()
  .regex(
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
    "expected an ISO 8601 date such as 2026-11-27T00:00-08:00",
  );

export const AvailabilitySchema = z.enum(["in_stock", "out_of_stock", "preorder", "backorder"]);
export type Availability = z.infer<typeof AvailabilitySchema>;

export const ConditionSchema = z.enum(["new", "refurbished", "used"]);
export const GenderSchema = z.enum(["male", "female", "unisex"]);
export const AgeGroupSchema = z.enum(["newborn", "infant", "toddler", "kids", "adult"]);

export const WeightUnitSchema = z.enum(WEIGHT_UNITS);
export const LengthUnitSchema = z.enum(LENGTH_UNITS);

export const WeightSchema = z.object({ value: z.number().nonnegative(), unit: WeightUnitSchema });
export type Weight = z.infer<typeof WeightSchema>;

export const DimensionsSchema = z.object({
  length: z.number().nonnegative(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  unit: LengthUnitSchema,
});
export type Dimensions = z.infer<typeof DimensionsSchema>;

/** Stock at one location; `location` is the store code channels know it by (Google Business Profile). */
export const LocationStockSchema = z.object({
  location: text,
  quantity: z.number().int().nonnegative(),
});
export type LocationStock = z.infer<typeof LocationStockSchema>;

export const OptionSchema = z.object({ name: text, value: text });
export type Option = z.infer<typeof OptionSchema>;

/** Free-form attributes: anything a mapping may read as `attributes.<name>`. */
export const AttributesSchema = z.record(z.string(), z.string());

/**
 * Values that replace a mapped field on one channel only: `{ google: { title: "…" } }`.
 * They win over the mapping file, so a merchant can fix one item without a rule.
 */
export const ChannelOverridesSchema = z.record(z.string(), z.record(z.string(), z.string()));

export const VariantSchema = z.object({
  sku: SkuSchema,
  /** A full title of its own; when absent, channels compose one from the product title and options. */
  title: text.optional(),
  gtin: text.optional(),
  mpn: text.optional(),
  price: MoneySchema,
  salePrice: MoneySchema.optional(),
  salePriceStart: IsoDateTimeSchema.optional(),
  salePriceEnd: IsoDateTimeSchema.optional(),
  costOfGoods: MoneySchema.optional(),
  /** When absent it is derived from the (allocated) quantity. */
  availability: AvailabilitySchema.optional(),
  availabilityDate: IsoDateTimeSchema.optional(),
  /** Total sellable quantity; when absent and `inventory` is set, the sum of the locations. */
  quantity: z.number().int().nonnegative().optional(),
  inventory: z.array(LocationStockSchema).default([]),
  options: z.array(OptionSchema).default([]),
  color: text.optional(),
  size: text.optional(),
  material: text.optional(),
  pattern: text.optional(),
  gender: GenderSchema.optional(),
  ageGroup: AgeGroupSchema.optional(),
  condition: ConditionSchema.optional(),
  weight: WeightSchema.optional(),
  dimensions: DimensionsSchema.optional(),
  images: z.array(url).default([]),
  link: url.optional(),
  attributes: AttributesSchema.default({}),
  overrides: ChannelOverridesSchema.default({}),
});
export type Variant = z.infer<typeof VariantSchema>;
export type VariantInput = z.input<typeof VariantSchema>;

export const ProductFieldsSchema = z.object({
  id: ProductIdSchema,
  title: text,
  /** HTML or plain text; channels that want text strip the markup in their mapping. */
  description: text.optional(),
  brand: text.optional(),
  link: url.optional(),
  images: z.array(url).default([]),
  /** The merchant's category path, outermost first: `["Apparel", "Tops", "T-Shirts"]`. */
  categoryPath: z.array(text).default([]),
  productType: text.optional(),
  /** A Google taxonomy id or path the merchant already assigned. */
  googleProductCategory: text.optional(),
  condition: ConditionSchema.optional(),
  gender: GenderSchema.optional(),
  ageGroup: AgeGroupSchema.optional(),
  color: text.optional(),
  material: text.optional(),
  pattern: text.optional(),
  tags: z.array(text).default([]),
  attributes: AttributesSchema.default({}),
  overrides: ChannelOverridesSchema.default({}),
});

export const ProductSchema = ProductFieldsSchema.extend({
  variants: z.array(VariantSchema).min(1, "a product needs at least one variant"),
});
export type Product = z.infer<typeof ProductSchema>;
export type ProductInput = z.input<typeof ProductSchema>;

/**
 * Where a product came from, for issues and `omnifeed explain`: a line of a file, or a record of
 * a store known by the store's own ids.
 */
export interface Origin {
  /** The file, or the store's label (`shopify:acme.myshopify.com`). */
  file: string;
  /** Line of the product's first record; for a store, the product's position in the read (1-based). */
  line: number;
  /** Line (or position) of each variant's record, index-aligned with `product.variants`. */
  variantLines: number[];
  /** Store records only: the store's ids of the product and of each variant (index-aligned). */
  ids?: { product: string; variants: string[] } | undefined;
}

/** A product as a source delivers it: the canonical product plus where it was read. */
export interface CatalogEntry {
  product: Product;
  origin: Origin;
}
