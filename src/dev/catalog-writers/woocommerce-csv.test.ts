import { describe, expect, it } from "vitest";
import { readWholeCatalog, writeRecords } from "../../../test/fixtures/catalog-reading.js";
import type { ProductRecord } from "../../sources/json/record.js";
import { describeRecords } from "../../sources/record-shape.js";
import { createWooCommerceCsvWriter } from "./woocommerce-csv.js";

const STORE = "https://woo.example.com";
const RECORDS: ProductRecord[] = [
  {
    id: "candle",
    title: "Candle, Fig & Cedar",
    description: "<p>Soy wax.</p>\n<p>40 h.</p>",
    brand: "Lumen",
    link: `${STORE}/product/candle`,
    images: [`${STORE}/i/candle.jpg`],
    categoryPath: ["Home", "Decor", "Candles"],
    tags: ["gift", "scented, soy"],
    material: "Soy wax",
    attributes: { burn_time: "40 h" },
    variants: [
      {
        sku: "CANDLE-1",
        price: "16.00",
        quantity: 12,
        availability: "preorder",
        availabilityDate: "2027-01-10",
      },
    ],
  },
  {
    id: "hoodie",
    title: "Hoodie",
    link: `${STORE}/product/hoodie`,
    variants: [
      {
        sku: "HOOD-M",
        price: "49.00",
        salePrice: "39.00",
        options: [
          { name: "Color", value: "Navy" },
          { name: "Size", value: "M" },
        ],
        color: "Navy",
        size: "M",
        weight: { value: 650, unit: "g" },
        dimensions: { length: 35, width: 28, height: 6, unit: "cm" },
        availability: "backorder",
      },
      {
        sku: "HOOD-L",
        price: "49.00",
        options: [
          { name: "Color", value: "Navy" },
          { name: "Size", value: "L" },
        ],
        color: "Navy",
        size: "L",
        gender: "male",
        link: `${STORE}/product/hoodie?size=l`,
      },
    ],
  },
];

describe("WooCommerce CSV writer", () => {
  it("writes simple rows, variable rows with variations, and reads back to the same products", async () => {
    const { file, text } = await writeRecords("products.csv", RECORDS, (output) =>
      createWooCommerceCsvWriter(output, { storeUrl: STORE, shape: describeRecords(RECORDS) }),
    );
    const rows = text.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^ID,Type,SKU,"GTIN, UPC, EAN, or ISBN",Name,Published,/);
    expect(rows[0]).toContain(",Weight (kg),Length (cm),Width (cm),Height (cm),");
    expect(rows[0]).toContain(",Meta: omnifeed_product_id,Meta: omnifeed_link,");
    expect(rows.slice(1).map((row) => row.split(",").slice(0, 3).join(","))).toEqual([
      "100,simple,CANDLE-1",
      "101,variable,hoodie",
      "102,variation,HOOD-M",
      "103,variation,HOOD-L",
    ]);
    // Line breaks in descriptions as \n, commas inside list values as \,.
    expect(rows[1]).toContain(",<p>Soy wax.</p>\\n<p>40 h.</p>,");
    expect(rows[1]).toContain('"gift, scented\\, soy"');

    const { entries, issues } = await readWholeCatalog("woocommerce-csv", file, { store_url: STORE });
    expect(issues).toEqual([]);
    const [candle, hoodie] = entries.map((entry) => entry.product);
    expect(candle).toMatchObject({
      id: "candle",
      title: "Candle, Fig & Cedar",
      description: "<p>Soy wax.</p>\n<p>40 h.</p>",
      brand: "Lumen",
      categoryPath: ["Home", "Decor", "Candles"],
      tags: ["gift", "scented, soy"],
      material: "Soy wax",
      attributes: { burn_time: "40 h" },
      variants: [{ sku: "CANDLE-1", quantity: 12, availability: "preorder", availabilityDate: "2027-01-10" }],
    });
    expect(hoodie!.variants[0]).toMatchObject({
      salePrice: { amount: 3900, currency: "USD" },
      availability: "backorder",
      weight: { value: 0.65, unit: "kg" },
      dimensions: { length: 35, width: 28, height: 6, unit: "cm" },
    });
    expect(hoodie!.variants[1]).toMatchObject({
      gender: "male",
      link: `${STORE}/product/hoodie?size=l`,
      color: "Navy",
      size: "L",
    });
  });
});
