import { describe, expect, it } from "vitest";
import type { RowIssue } from "../../core/issues.js";
import type { ShopifyProductRecord, ShopifyVariantRecord } from "./records.js";
import { decodeShopifyProduct } from "./transform.js";

const options = { currency: "EUR", store_url: "https://shop.example" };

function variant(overrides: Partial<ShopifyVariantRecord> = {}): ShopifyVariantRecord {
  return {
    id: "gid://shopify/ProductVariant/1",
    sku: "SKU-1",
    barcode: null,
    price: "10.00",
    compareAtPrice: null,
    position: 1,
    selectedOptions: [{ name: "Title", value: "Default Title" }],
    inventory: [],
    weight: null,
    ...overrides,
  };
}

function product(
  variants: ShopifyVariantRecord[],
  overrides: Partial<ShopifyProductRecord> = {},
): ShopifyProductRecord {
  return {
    id: "gid://shopify/Product/7",
    position: 3,
    handle: "mug",
    title: "Mug",
    descriptionHtml: "",
    vendor: "",
    productType: "",
    status: "ACTIVE",
    tags: [],
    images: [],
    variants,
    ...overrides,
  };
}

describe("decodeShopifyProduct", () => {
  it("drops Shopify's Default Title option and leaves empty texts out", () => {
    const issues: RowIssue[] = [];
    const entry = decodeShopifyProduct(product([variant()]), options, "shopify:test", issues)!;
    expect(issues).toEqual([]);
    expect(entry.product.variants[0]!.options).toEqual([]);
    expect(entry.product.brand).toBeUndefined();
    expect(entry.product.description).toBeUndefined();
    expect(entry.product.link).toBe("https://shop.example/products/mug");
    expect(entry.origin).toEqual({
      file: "shopify:test",
      line: 3,
      variantLines: [3],
      ids: { product: "gid://shopify/Product/7", variants: ["gid://shopify/ProductVariant/1"] },
    });
  });

  it("reads a compare-at price above the price as a sale, and one not above it as no sale", () => {
    const sale = decodeShopifyProduct(product([variant({ compareAtPrice: "12.50" })]), options, "s", [])!;
    expect(sale.product.variants[0]).toMatchObject({
      price: { amount: 1250, currency: "EUR" },
      salePrice: { amount: 1000, currency: "EUR" },
    });
    const none = decodeShopifyProduct(product([variant({ compareAtPrice: "10.00" })]), options, "s", [])!;
    expect(none.product.variants[0]!.price).toEqual({ amount: 1000, currency: "EUR" });
    expect(none.product.variants[0]!.salePrice).toBeUndefined();
  });

  it("counts oversold locations as zero and converts weights to grams", () => {
    const entry = decodeShopifyProduct(
      product([
        variant({
          inventory: [
            { location: "Berlin", quantity: -2 },
            { location: "Paris", quantity: 5 },
          ],
          weight: { unit: "KILOGRAMS", value: 1.25 },
          selectedOptions: [{ name: "Color", value: "Red" }],
        }),
      ]),
      options,
      "s",
      [],
    )!;
    expect(entry.product.variants[0]).toMatchObject({
      quantity: 5,
      inventory: [
        { location: "Berlin", quantity: 0 },
        { location: "Paris", quantity: 5 },
      ],
      weight: { value: 1250, unit: "g" },
      options: [{ name: "Color", value: "Red" }],
      color: "Red",
    });
  });

  it("reports an unreadable price by the variant's GID and leaves a draft out silently", () => {
    const issues: RowIssue[] = [];
    expect(decodeShopifyProduct(product([variant({ price: "ten" })]), options, "s", issues)).toBeUndefined();
    expect(issues).toMatchObject([{ ref: "gid://shopify/ProductVariant/1", field: "price", line: 3 }]);
    const quiet: RowIssue[] = [];
    expect(
      decodeShopifyProduct(product([variant()], { status: "DRAFT" }), options, "s", quiet),
    ).toBeUndefined();
    expect(quiet).toEqual([]);
  });
});
