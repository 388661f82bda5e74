import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../core/errors.js";
import { memoryOutput, readWholeCatalog, writeRecords } from "../../../test/fixtures/catalog-reading.js";
import type { ProductRecord } from "../../sources/json/record.js";
import { describeRecords } from "../../sources/record-shape.js";
import { createCsvWriter } from "./csv.js";

const RECORDS: ProductRecord[] = [
  {
    id: "mug",
    title: 'Mug "Nordic", 350 ml',
    description: "<p>Stoneware.</p>\n<p>Dishwasher safe.</p>",
    images: ["https://shop.example.com/i/mug.jpg", "https://shop.example.com/i/mug-2.jpg"],
    categoryPath: ["Home", "Kitchen", "Mugs"],
    material: "Stoneware",
    tags: ["kitchen", "gift"],
    attributes: { care: "Dishwasher safe" },
    variants: [
      {
        sku: "MUG-BLU",
        price: { amount: 1250, currency: "USD" },
        salePrice: "9.99",
        options: [{ name: "Color", value: "Blue" }],
        color: "Blue",
        inventory: [{ location: "STORE-001", quantity: 4 }],
        weight: { value: 0.35, unit: "kg" },
        overrides: { google: { title: "Nordic Mug Blue" } },
      },
      { sku: "MUG-RED", price: "twelve", options: [{ name: "Color", value: "Red" }] },
    ],
  },
];

describe("CSV writer", () => {
  it("writes one row per variant with values as given, quoted only where needed", async () => {
    const { output, text } = memoryOutput();
    const writer = createCsvWriter(output, { shape: describeRecords(RECORDS) });
    for (const record of RECORDS) await writer.write(record);
    await writer.end();
    const lines = text().split("\n");
    expect(lines[0]).toMatch(/^item_group_id,sku,title,variant_title,description,/);
    expect(lines[0]).toMatch(/,product\.attr\.care,override\.google\.title$/);
    expect(text()).toContain(
      'mug,MUG-BLU,"Mug ""Nordic"", 350 ml",,"<p>Stoneware.</p>\n<p>Dishwasher safe.</p>"',
    );
    expect(text()).toContain(",12.50,9.99,,,,USD,,,,STORE-001:4,Blue,");
    expect(text()).toContain(",twelve,,");
  });

  it("reads back to the same products, and reports the bad price on its row", async () => {
    const { file } = await writeRecords("mugs.tsv", RECORDS, (output) =>
      createCsvWriter(output, { delimiter: "\t", shape: describeRecords(RECORDS) }),
    );
    const { entries, issues } = await readWholeCatalog("csv", file);
    expect(issues.map((issue) => [issue.line, issue.field, issue.id, issue.message])).toEqual([
      [4, "price", "MUG-RED", '"twelve" is not a price'],
    ]);
    expect(entries[0]!.product).toMatchObject({
      id: "mug",
      title: 'Mug "Nordic", 350 ml',
      description: "<p>Stoneware.</p>\n<p>Dishwasher safe.</p>",
      material: "Stoneware",
      attributes: { care: "Dishwasher safe" },
      variants: [
        {
          sku: "MUG-BLU",
          price: { amount: 1250, currency: "USD" },
          salePrice: { amount: 999, currency: "USD" },
          overrides: { google: { title: "Nordic Mug Blue" } },
        },
      ],
    });
  });

  it("refuses a record with an attribute its header has no column for", async () => {
    const writer = createCsvWriter(memoryOutput().output);
    await expect(writer.write(RECORDS[0]!)).rejects.toSatisfy((error) => isOmnifeedError(error, "config"));
  });
});
