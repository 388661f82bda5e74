import { describe, expect, it } from "vitest";
import { issueLines, readWholeCatalog, sampleFile } from "../../../test/fixtures/catalog-reading.js";

const OPTIONS = { currency: "USD", store_url: "https://woo.example.com" };

describe("WooCommerce CSV source", () => {
  it("reads variable products with their variations, simple and external products, in file order", async () => {
    const { entries } = await readWholeCatalog("woocommerce-csv", sampleFile("woocommerce.csv"), OPTIONS, 2);
    expect(entries.map((entry) => [entry.product.id, entry.origin.line, entry.origin.variantLines])).toEqual([
      ["woo-hoodie", 2, [3, 4]],
      ["woo-candle", 6, [6]],
      ["woo-ext-speaker", 9, [9]],
      // Variations far from their parent: a second group of the same product, with the parent's fields.
      ["woo-hoodie", 2, [10, 11]],
    ]);
    const hoodie = entries[0]!.product;
    expect(hoodie).toMatchObject({
      title: "Zip Hoodie",
      description: "Brushed fleece hoodie.\nFull zip, two pockets.",
      brand: "Northwind",
      link: "https://woo.example.com/product/zip-hoodie/",
      categoryPath: ["Clothing", "Hoodies"],
      tags: ["fleece", "winter, warm"],
      gender: "unisex",
      ageGroup: "adult",
      // An attribute the variations do not use describes the product.
      material: "Cotton, polyester blend",
      attributes: { care_instructions: "Wash at 30°C" },
      overrides: { google: { title: "Northwind Zip Hoodie – Brushed Fleece" } },
    });
    expect(hoodie.variants[0]).toMatchObject({
      sku: "woo-hoodie-blue-m",
      gtin: "0614141999996",
      mpn: "NW-HD-B-M",
      price: { amount: 4900, currency: "USD" },
      salePrice: { amount: 3900, currency: "USD" },
      salePriceStart: "2026-11-27 00:00:00",
      availability: "in_stock",
      quantity: 8,
      inventory: [
        { location: "STORE-001", quantity: 3 },
        { location: "STORE-002", quantity: 5 },
      ],
      options: [
        { name: "Color", value: "Blue" },
        { name: "Size", value: "M" },
      ],
      color: "Blue",
      size: "M",
      // Units from the headers; a variation without its own takes the parent's.
      weight: { value: 1.1, unit: "lb" },
      dimensions: { length: 14, width: 10, height: 3, unit: "in" },
    });
    // The variation's Name ("Zip Hoodie - Blue, M") is WooCommerce's, not a title of its own.
    expect(hoodie.variants[0]!.title).toBeUndefined();
    // Parent given as id:44; negative stock on backorder is 0.
    expect(hoodie.variants[1]).toMatchObject({
      sku: "woo-hoodie-blue-l",
      availability: "backorder",
      quantity: 0,
      weight: { value: 1.3, unit: "lb" },
    });
    // Stock "parent": managed on the parent product.
    expect(entries[3]!.product.variants.map((variant) => [variant.sku, variant.quantity])).toEqual([
      ["woo-hoodie-grey-l", 10],
      ["woo-hoodie-grey-xl", 2],
    ]);
    expect(entries[1]!.product).toMatchObject({
      title: 'Soy Candle "Fig & Cedar"',
      description: "<p>Hand-poured soy wax.</p>\n<p>Burns ~40 h.</p>",
      link: "https://woo.example.com/?p=60",
      condition: "new",
      attributes: { Scent: "Fig, Cedar" },
      variants: [
        { sku: "woo-candle", gtin: "9780306406157", quantity: 25, weight: { value: 0.9, unit: "lb" } },
      ],
    });
  });

  it("leaves out drafts, private, grouped and disabled rows with a warning and orphans with an error", async () => {
    const { issues } = await readWholeCatalog("woocommerce-csv", sampleFile("woocommerce.csv"), OPTIONS);
    expect(issueLines(issues)).toEqual([
      "5 warning Published: the variation is disabled; it is left out [woo-hoodie-grey-m]",
      "7 warning Published: the product is a draft; it is left out [woo-draft-lamp]",
      "8 warning Type: a grouped product has no price of its own; its children are read as their own products [woo-bundle]",
      "12 Parent: the parent product woo-missing-parent is not in the file; the variation is left out [woo-orphan]",
    ]);
  });
});
