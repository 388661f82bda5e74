import { generateCatalog, type GeneratedProduct } from "../gen-catalog.js";

/**
 * The catalog a store simulator (Shopify, WooCommerce) is seeded with: one list, written in the
 * merchant's terms, that each simulator turns into its own records (GIDs and media on Shopify,
 * simple/variable products and variations on WooCommerce). A test seeds both with the same list
 * and checks that what a client reads back from either reassembles to it.
 */
export interface StoreCatalogProduct {
  /** The merchant's own key for the product (kept as the handle's source and for assertions). */
  key: string;
  title: string;
  /** URL slug; Shopify's `handle`, WooCommerce's `slug`. */
  handle: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: "active" | "draft" | "archived";
  images: { url: string; alt?: string }[];
  /** Option names in order (`Color`, `Size`); empty for a product without options. */
  options: string[];
  variants: StoreCatalogVariant[];
}

export interface StoreCatalogVariant {
  sku: string;
  barcode?: string;
  /** Decimal text with two places, as both stores return it (`"19.99"`). */
  price: string;
  /** The higher "was" price (Shopify `compareAtPrice`; WooCommerce `regular_price` on sale). */
  compareAtPrice?: string;
  /** One value per product option, in the product's option order. */
  optionValues: string[];
  /** Stock per location (WooCommerce keeps one number: their sum). */
  inventory: { location: string; quantity: number }[];
  /** `deny`: no sale beyond stock; `continue`: oversell allowed (WooCommerce `backorders`). */
  inventoryPolicy: "deny" | "continue";
  weightGrams: number;
}

const DECIMAL = /^\d+\.\d{2}$/;

/**
 * Checks a seed list before a simulator takes it, naming the product and field at fault (a
 * simulator seeded with nonsense would make every later assertion about it meaningless).
 */
export function checkStoreCatalog(products: readonly StoreCatalogProduct[]): void {
  const handles = new Set<string>();
  products.forEach((product, index) => {
    const where = `store catalog products[${index}] (${product.key})`;
    if (product.title.trim() === "") throw new Error(`${where}: title is empty`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(product.handle)) {
      throw new Error(`${where}: handle ${JSON.stringify(product.handle)} is not a lower-case slug`);
    }
    if (handles.has(product.handle)) throw new Error(`${where}: handle ${product.handle} is used twice`);
    handles.add(product.handle);
    if (product.variants.length === 0) throw new Error(`${where}: no variants`);
    if (product.options.length > 3) throw new Error(`${where}: more than 3 options`);
    if (product.variants.length > 2048) throw new Error(`${where}: more than 2,048 variants`);
    product.variants.forEach((variant, position) => {
      const at = `${where} variants[${position}]`;
      if (!DECIMAL.test(variant.price))
        throw new Error(`${at}: price ${JSON.stringify(variant.price)} is not d.dd`);
      if (variant.compareAtPrice !== undefined && !DECIMAL.test(variant.compareAtPrice)) {
        throw new Error(`${at}: compareAtPrice ${JSON.stringify(variant.compareAtPrice)} is not d.dd`);
      }
      if (variant.optionValues.length !== product.options.length) {
        throw new Error(
          `${at}: ${variant.optionValues.length} option values for ${product.options.length} options`,
        );
      }
      for (const level of variant.inventory) {
        if (!Number.isInteger(level.quantity))
          throw new Error(`${at}: quantity at ${level.location} is not an integer`);
      }
    });
  });
}

/**
 * The seed list for a generated catalog (`omnifeed dev gen-catalog`'s generator, same seed, same
 * products): cheap enough for 50,000 variants. The generator's deliberately bad prices (`N/A`)
 * become `0.00`, since a store always holds a number there.
 */
export function generateStoreCatalog(options: { variants: number; seed: number }): StoreCatalogProduct[] {
  const products: StoreCatalogProduct[] = [];
  for (const generated of generateCatalog(options)) products.push(storeProductOf(generated));
  return products;
}

/** One generated product as a store holds it. */
export function storeProductOf(generated: GeneratedProduct): StoreCatalogProduct {
  const options = generated.variants[0]?.options.map((option) => option.name) ?? [];
  return {
    key: generated.id,
    title: generated.title,
    handle: generated.id.toLowerCase(),
    descriptionHtml: generated.description,
    vendor: generated.brand ?? "",
    productType: generated.productType,
    tags: [...generated.tags],
    status: "active",
    images: generated.images.map((url) => ({ url })),
    options,
    variants: generated.variants.map((variant) => {
      const price = DECIMAL.test(variant.price) ? variant.price : "0.00";
      const onSale = variant.salePrice !== undefined && DECIMAL.test(variant.salePrice);
      return {
        sku: variant.sku,
        ...(variant.gtin !== undefined ? { barcode: variant.gtin } : {}),
        price: onSale ? variant.salePrice! : price,
        ...(onSale ? { compareAtPrice: price } : {}),
        optionValues: options.map(
          (name) => variant.options.find((option) => option.name === name)?.value ?? "",
        ),
        inventory: variant.inventory.map((level) => ({ ...level })),
        inventoryPolicy: variant.availability === "preorder" ? "continue" : "deny",
        weightGrams: variant.weight.value,
      };
    }),
  };
}

/** The total stock of a variant over its locations. */
export function totalQuantity(variant: StoreCatalogVariant): number {
  return variant.inventory.reduce((sum, level) => sum + level.quantity, 0);
}
