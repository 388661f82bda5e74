import { describe, expect, it } from "vitest";
import type { RowIssue } from "../../core/issues.js";
import { WooProductSchema, WooVariationSchema } from "./api.js";
import { decodeWooProduct } from "./decode.js";
import { WooCommerceConnectionSchema } from "./options.js";
import type { WooGroup } from "./records.js";

const OPTIONS = WooCommerceConnectionSchema.parse({ url: "https://shop.example", currency: "USD" });
const FILE = "woocommerce:shop.example";

function simple(fields: Record<string, unknown>): WooGroup {
  return {
    position: 7,
    product: WooProductSchema.parse({
      id: 41,
      name: "Mug",
      slug: "mug",
      type: "simple",
      status: "publish",
      sku: "MUG-1",
      regular_price: "20.00",
      price: "20.00",
      stock_quantity: 3,
      ...fields,
    }),
    variations: [],
  };
}

function decode(group: WooGroup, options = OPTIONS) {
  const issues: RowIssue[] = [];
  const entry = decodeWooProduct(group, options, FILE, issues);
  return { entry, issues, variant: entry?.product.variants[0] };
}

describe("WooCommerce decode", () => {
  it("takes the regular price as the was-price only while the buyer pays less", () => {
    expect(decode(simple({ price: "15.00", sale_price: "15.00" })).variant).toMatchObject({
      price: { amount: 2000 },
      salePrice: { amount: 1500 },
    });
    // A sale scheduled for later: WooCommerce still charges the regular price, so no sale yet.
    const later = decode(
      simple({ sale_price: "15.00", date_on_sale_from_gmt: "2099-01-01T00:00:00" }),
    ).variant!;
    expect(later.price.amount).toBe(2000);
    expect(later.salePrice).toBeUndefined();
    expect(later.salePriceStart).toBeUndefined();
    // A "regular" price below the price is no sale (as a Shopify compare-at price below the price).
    const odd = decode(simple({ regular_price: "0.00", price: "18.99", sale_price: "18.99" })).variant!;
    expect(odd).toMatchObject({ price: { amount: 1899 } });
    expect(odd.salePrice).toBeUndefined();
  });

  it("reports a product without price or SKU against its store id and leaves it out", () => {
    const noPrice = decode(simple({ regular_price: "", price: "" }));
    expect(noPrice.entry).toBeUndefined();
    expect(noPrice.issues).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 7,
        ref: "product 41",
        id: "MUG-1",
        field: "regular_price",
      }),
    ]);
    const noSku = decode(simple({ sku: "" }));
    expect(noSku.entry).toBeUndefined();
    expect(noSku.issues[0]).toMatchObject({ ref: "product 41", field: "sku", severity: "error" });
  });

  it("reads weights into grams, stock below zero as none, and stock_status where stock is not managed", () => {
    const pounds = WooCommerceConnectionSchema.parse({
      url: "https://shop.example",
      currency: "USD",
      weight_unit: "lbs",
    });
    expect(decode(simple({ weight: "2" }), pounds).variant!.weight).toEqual({ value: 907.185, unit: "g" });
    expect(decode(simple({ weight: "0.25" })).variant!.weight).toEqual({ value: 250, unit: "g" });
    expect(decode(simple({ stock_quantity: -4 })).variant!.quantity).toBe(0);
    const unmanaged = decode(
      simple({ stock_quantity: null, manage_stock: false, stock_status: "onbackorder" }),
    ).variant!;
    expect(unmanaged.quantity).toBeUndefined();
    expect(unmanaged.availability).toBe("backorder");
    expect(decode(simple({ weight: "heavy" })).issues[0]).toMatchObject({
      field: "weight",
      ref: "product 41",
    });
  });

  it("leaves out drafts and grouped products silently, and skips disabled variations", () => {
    expect(decode(simple({ status: "draft" }))).toMatchObject({ entry: undefined, issues: [] });
    expect(decode(simple({ type: "grouped" }))).toMatchObject({ entry: undefined, issues: [] });
    const group: WooGroup = {
      position: 1,
      product: WooProductSchema.parse({
        id: 50,
        name: "Tee",
        slug: "tee",
        type: "variable",
        status: "publish",
        tags: [{ name: "summer" }, { name: "cotton" }],
        attributes: [{ id: 0, name: "Size", position: 0, variation: true, options: ["S", "M"] }],
        variations: [52, 51],
      }),
      variations: [51, 52].map((id) =>
        WooVariationSchema.parse({
          id,
          sku: `TEE-${id}`,
          status: id === 52 ? "private" : "publish",
          regular_price: "10.00",
          price: "10.00",
          attributes: [{ id: 0, name: "size", option: id === 51 ? "S" : "M" }],
        }),
      ),
    };
    const { entry, issues } = decode(group);
    expect(issues).toEqual([]);
    expect(entry!.product.tags).toEqual(["cotton", "summer"]);
    expect(entry!.product.variants.map((variant) => [variant.sku, variant.size])).toEqual([["TEE-51", "S"]]);
    expect(entry!.origin.ids).toEqual({ product: "50", variants: ["51"] });
  });
});
