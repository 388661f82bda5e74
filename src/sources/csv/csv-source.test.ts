import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../core/errors.js";
import { issueLines, readWholeCatalog, sampleFile } from "../../../test/fixtures/catalog-reading.js";
import { makeTempDir } from "../../../test/support/temp-dirs.js";

describe("generic CSV source", () => {
  it("reads a TSV with canonical columns, a column map, attributes and overrides", async () => {
    const { entries, issues } = await readWholeCatalog("csv", sampleFile("catalog.tsv"), {
      currency: "USD",
      column_map: { "attr.note": "Article note" },
    });
    expect(issues).toEqual([]);
    expect(entries.map((entry) => [entry.product.id, entry.origin.line, entry.origin.variantLines])).toEqual([
      ["LINEN-SHIRT", 2, [2, 3]],
      // No item_group_id: the SKU is the product id.
      ["SCARF-1", 4, [4]],
    ]);
    const [shirt, scarf] = entries.map((entry) => entry.product);
    expect(shirt).toMatchObject({
      title: "Linen Shirt",
      brand: "Maison Lin",
      images: [
        "https://shop.example.fr/i/ls-white.jpg",
        "https://shop.example.fr/i/ls-2.jpg",
        "https://shop.example.fr/i/ls-3.jpg",
      ],
      categoryPath: ["Apparel", "Tops", "Shirts"],
      tags: ["linen", "summer"],
    });
    expect(shirt!.variants[0]).toMatchObject({
      sku: "LS-WHT-M",
      price: { amount: 5900, currency: "EUR" },
      salePrice: { amount: 4900, currency: "EUR" },
      inventory: [
        { location: "PARIS-1", quantity: 3 },
        { location: "LYON-2", quantity: 2 },
      ],
      options: [
        { name: "Color", value: "White" },
        { name: "Size", value: "M" },
      ],
      gender: "male",
      weight: { value: 0.3, unit: "kg" },
      dimensions: { length: 30, width: 25, height: 3, unit: "cm" },
      attributes: { fabric: "100% linen", note: "ignored" },
      overrides: { google: { title: "Maison Lin Linen Shirt White M" } },
    });
    expect(shirt!.variants[1]).toMatchObject({ sku: "LS-WHT-L", availability: "out_of_stock", quantity: 0 });
    expect(scarf!.variants[0]).toMatchObject({
      title: "Silk Scarf – Bordeaux",
      price: { amount: 3500, currency: "EUR" },
      availability: "preorder",
      weight: { value: 80, unit: "g" },
    });
  });

  it("warns once about a column it does not know", async () => {
    const { issues } = await readWholeCatalog("csv", sampleFile("catalog.tsv"));
    expect(issueLines(issues)).toEqual([
      "1 warning Article note: unknown column, not read (name it attr.<name> to keep it as an attribute, or map it with column_map)",
    ]);
  });

  it("reports every bad row of a malformed file with its line, column and SKU, and reads the rest", async () => {
    const { entries, issues } = await readWholeCatalog("csv", sampleFile("malformed.csv"), {}, 2);
    expect(entries.map((entry) => entry.product.variants.map((variant) => variant.sku))).toEqual([
      ["MUG-1"],
      ["PLATE-1", "PLATE-2"],
    ]);
    // PLATE-2's quoted colour runs over two lines, so CUP-1 starts on line 12.
    expect(entries[1]!.product.variants[1]!.sku).toBe("PLATE-2");
    expect(entries[1]!.origin.variantLines).toEqual([9, 10]);
    expect(issueLines(issues)).toEqual([
      "1 warning colour_name: unknown column, not read (name it attr.<name> to keep it as an attribute, or map it with column_map)",
      '3 price: "twelve" is not a price [MUG-2]',
      "4 sku: SKU is empty [MUG]",
      '5 sale_price_start: "next week" is not an ISO 8601 date such as 2026-11-27T00:00-08:00 [LAMP-1]',
      '5 availability: "maybe" is not an availability: expected in_stock, out_of_stock, preorder or backorder [LAMP-1]',
      "6 warning -: the row has 10 values but the header has 9 columns; the extra values are ignored (check the quoting)",
      '6 quantity: "1.5" is not a whole number [LAMP-2]',
      '7 link: "shop.example.com/p/vase" is not an http(s) URL [VASE]',
      "8 -: a quoted value opened on this line is not closed; the line is skipped and reading resumes on line 9",
      '12 sale_price_start: "2026-13-45" is not an ISO 8601 date such as 2026-11-27T00:00-08:00 [CUP-1]',
    ]);
  });

  it("never splits a product over batches, whatever the batch size", async () => {
    for (const batchSize of [1, 2, 1000]) {
      const { entries } = await readWholeCatalog("csv", sampleFile("catalog.tsv"), {}, batchSize);
      expect(entries.map((entry) => entry.product.variants.length)).toEqual([2, 1]);
    }
  });

  it("stops the run when the header lacks a column no row can do without", async () => {
    const dir = makeTempDir("csv-source");
    const file = join(dir, "no-price.csv");
    await writeFile(file, "sku,title\nA,Mug\n");
    await expect(readWholeCatalog("csv", file)).rejects.toSatisfy(
      (error) =>
        isOmnifeedError(error, "config") && error.message === `${file}:1: the header has no price column`,
    );
  });
});
