import { describe, expect, it } from "vitest";
import { readWholeCatalog, writeRecords } from "../../../test/fixtures/catalog-reading.js";
import type { ProductRecord } from "../../sources/json/record.js";
import { describeRecords } from "../../sources/record-shape.js";
import { createShopifyCsvWriter } from "./shopify-csv.js";

const STORE = "https://shop.example.com";
const RECORDS: ProductRecord[] = [
  {
    id: "tee",
    title: "Tee",
    brand: "Acme",
    link: `${STORE}/products/tee`,
    images: [`${STORE}/i/1.jpg`, `${STORE}/i/2.jpg`, `${STORE}/i/3.jpg`],
    categoryPath: ["Apparel", "Tops", "T-Shirts"],
    gender: "female",
    material: "Cotton",
    attributes: { fit: "Slim", "custom.season": "Summer" },
    variants: [
      {
        sku: "TEE-S",
        price: "20.00",
        salePrice: "15.00",
        salePriceStart: "2026-11-27",
        options: [{ name: "Size", value: "S" }],
        size: "S",
        color: "Red",
        quantity: 3,
        inventory: [{ location: "STORE-001", quantity: 3 }],
        weight: { value: 0.5, unit: "lb" },
        images: [`${STORE}/i/s.jpg`, `${STORE}/i/s-2.jpg`],
      },
      {
        sku: "TEE-M",
        title: "Tee, size M",
        price: { amount: 2000, currency: "USD" },
        options: [{ name: "Size", value: "M" }],
        size: "M",
        ageGroup: "kids",
        availability: "backorder",
        overrides: { google: { title: "Tee M" } },
      },
    ],
  },
  {
    id: "mug",
    title: "Mug",
    link: "https://elsewhere.example.com/mug",
    variants: [{ sku: "MUG", price: 9.5 }],
  },
];

describe("Shopify CSV writer", () => {
  it("writes Shopify's current layout with omnifeed metafields and reads back to the same products", async () => {
    const { file, text } = await writeRecords("products.csv", RECORDS, (output) =>
      createShopifyCsvWriter(output, { storeUrl: STORE, shape: describeRecords(RECORDS) }),
    );
    const header = text.split("\n")[0]!;
    expect(header).toMatch(/^Title,URL handle,Description,Vendor,Product category,/);
    expect(header).toContain(
      ",Link (product.metafields.omnifeed.link),Material (product.metafields.omnifeed.material),",
    );
    expect(header).toContain(
      ",fit (product.metafields.omnifeed.attr.fit),custom.season (product.metafields.custom.season),",
    );
    expect(header).toContain(",Override google.title (variant.metafields.omnifeed.override.google.title)");
    const rows = text.trimEnd().split("\n").slice(1);
    // Two variant rows and one image-only row for the tee, one row for the mug.
    expect(rows.map((row) => row.split(",").slice(0, 2).join(","))).toEqual([
      "Tee,tee",
      ",tee",
      ",tee",
      "Mug,mug",
    ]);
    expect(rows[0]).toContain(",TEE-S,,Size,S,,,,,,,,15.00,20.00,");
    expect(rows[3]).toContain(",Title,Default Title,");

    const { entries, issues } = await readWholeCatalog("shopify-csv", file, { store_url: STORE });
    expect(issues).toEqual([]);
    const [tee, mug] = entries.map((entry) => entry.product);
    expect(tee).toMatchObject({
      link: `${STORE}/products/tee`,
      images: RECORDS[0]!.images,
      gender: "female",
      material: "Cotton",
      attributes: { fit: "Slim", "custom.season": "Summer" },
    });
    expect(tee!.variants[0]).toMatchObject({
      price: { amount: 2000, currency: "USD" },
      salePrice: { amount: 1500, currency: "USD" },
      salePriceStart: "2026-11-27",
      color: "Red",
      quantity: 3,
      weight: { value: 0.5, unit: "lb" },
      images: [`${STORE}/i/s.jpg`, `${STORE}/i/s-2.jpg`],
    });
    expect(tee!.variants[1]).toMatchObject({
      title: "Tee, size M",
      ageGroup: "kids",
      availability: "backorder",
      overrides: { google: { title: "Tee M" } },
    });
    expect(tee!.variants[1]!.quantity).toBeUndefined();
    expect(mug).toMatchObject({
      link: "https://elsewhere.example.com/mug",
      variants: [{ sku: "MUG", options: [] }],
    });
  });
});
