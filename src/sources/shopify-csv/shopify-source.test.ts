import { describe, expect, it } from "vitest";
import { issueLines, readWholeCatalog, sampleFile } from "../../../test/fixtures/catalog-reading.js";

const OPTIONS = { currency: "USD", store_url: "https://shop.example.com/" };

describe("Shopify CSV source", () => {
  it("reads a legacy export: variant rows, image-only rows, Default Title, compare-at sales, grams", async () => {
    const { entries, issues } = await readWholeCatalog(
      "shopify-csv",
      sampleFile("shopify-legacy.csv"),
      OPTIONS,
      2,
    );
    expect(entries.map((entry) => [entry.product.id, entry.origin.line, entry.origin.variantLines])).toEqual([
      // The first row's description runs over two lines.
      ["classic-tee", 2, [2, 4, 5]],
      ["enamel-mug", 8, [8]],
    ]);
    const tee = entries[0]!.product;
    expect(tee).toMatchObject({
      title: "Classic Organic Tee",
      brand: "Acme Apparel",
      link: "https://shop.example.com/products/classic-tee",
      categoryPath: ["Apparel & Accessories", "Clothing", "Shirts & Tops"],
      productType: "T-Shirts",
      googleProductCategory: "212",
      gender: "unisex",
      ageGroup: "adult",
      condition: "new",
      material: "Organic cotton",
      tags: ["cotton", "organic", "summer"],
      attributes: { "custom.fabric": "Jersey", custom_product: "FALSE" },
      images: [
        "https://cdn.example.com/tee-red-front.jpg",
        "https://cdn.example.com/tee-red-back.jpg",
        "https://cdn.example.com/tee-navy.jpg",
        "https://cdn.example.com/tee-detail.jpg",
      ],
    });
    expect(tee.variants[0]).toMatchObject({
      sku: "TEE-RED-S",
      gtin: "0012345678905",
      mpn: "ACME-TEE-R-S",
      // Compare-at 24.99 above the price 19.99: on sale.
      price: { amount: 2499, currency: "USD" },
      salePrice: { amount: 1999, currency: "USD" },
      costOfGoods: { amount: 750, currency: "USD" },
      quantity: 12,
      inventory: [
        { location: "STORE-001", quantity: 5 },
        { location: "STORE-002", quantity: 7 },
      ],
      options: [
        { name: "Color", value: "Red" },
        { name: "Size", value: "S" },
      ],
      color: "Red",
      size: "S",
      // 180 g shown in lb.
      weight: { value: 0.397, unit: "lb" },
      images: ["https://cdn.example.com/tee-red-front.jpg"],
    });
    // Continue selling with nothing in stock: a backorder.
    expect(tee.variants[1]).toMatchObject({ sku: "TEE-RED-M", quantity: 0, availability: "backorder" });
    expect(tee.variants[2]).toMatchObject({ sku: "TEE-NAVY-M", price: { amount: 2100, currency: "USD" } });
    expect(tee.variants[2]!.salePrice).toBeUndefined();
    // Untracked inventory: no quantity, whatever the column says.
    expect(entries[1]!.product.variants[0]).toMatchObject({
      sku: "MUG-ENAMEL",
      options: [],
      weight: { value: 0.35, unit: "kg" },
    });
    expect(entries[1]!.product.variants[0]!.quantity).toBeUndefined();
    expect(issueLines(issues)).toEqual([
      "9 warning Status: the product is draft; it is left out [winter-beanie]",
      '10 Variant Price: "9,99" is not a price [GIFT-BOX]',
    ]);
  });

  it("reads a current export with omnifeed metafields and skips archived products", async () => {
    const { entries, issues } = await readWholeCatalog(
      "shopify-csv",
      sampleFile("shopify-current.csv"),
      OPTIONS,
    );
    const [sneaker, throw_] = entries.map((entry) => entry.product);
    expect(sneaker).toMatchObject({
      id: "trail-runner",
      description: "<p>Grippy trail sneaker.</p><script>track()</script>",
      pattern: "Solid",
      attributes: { custom_label_0: "bestseller", care: "Wipe clean" },
      overrides: { google: { title: "Stride Trail Runner Sneaker for Men" } },
    });
    expect(sneaker!.variants.map((variant) => variant.sku)).toEqual(["TRAIL-42", "TRAIL-43", "TRAIL-44"]);
    expect(sneaker!.variants[0]).toMatchObject({
      size: "42",
      weight: { value: 820, unit: "g" },
      dimensions: { length: 32, width: 20, height: 12, unit: "cm" },
      attributes: { warranty: "2 years" },
    });
    expect(sneaker!.variants[1]).toMatchObject({
      title: "Stride Trail Runner – EU 43 (last pair)",
      price: { amount: 8900, currency: "USD" },
      salePrice: { amount: 6900, currency: "USD" },
      salePriceStart: "2026-11-27T00:00-08:00",
      salePriceEnd: "2026-12-01T23:59-08:00",
    });
    expect(sneaker!.variants[2]).toMatchObject({ availability: "preorder", availabilityDate: "2027-01-15" });
    // A Google Shopping column on a variant row belongs to that variant.
    expect(throw_!.variants).toMatchObject([{ sku: "THROW-RUST", gender: "female", color: "Rust" }]);
    expect(issueLines(issues)).toEqual([
      "5 warning Status: the product is archived; it is left out [old-sandal]",
      '6 Price: "not for sale" is not a price [THROW-GREY]',
      "7 SKU: SKU is empty [wool-throw]",
    ]);
  });
});
