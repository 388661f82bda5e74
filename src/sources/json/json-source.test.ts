import { describe, expect, it } from "vitest";
import {
  issueLines,
  readWholeCatalog,
  sampleFile,
  writeRecords,
} from "../../../test/fixtures/catalog-reading.js";
import type { ProductRecord } from "./record.js";
import { createJsonlWriter, createJsonWriter } from "../../dev/catalog-writers/json.js";

describe("JSON source", () => {
  it("reads { products: [...] } with money as text, numbers or minor units, and reports each problem", async () => {
    const { entries, issues } = await readWholeCatalog(
      "json",
      sampleFile("catalog.json"),
      { currency: "USD" },
      1,
    );
    expect(
      entries.map((entry) => [
        entry.product.id,
        entry.origin.line,
        entry.product.variants.map((variant) => variant.sku),
      ]),
    ).toEqual([
      ["desk-lamp", 4, ["LAMP-BRASS", "LAMP-BLACK"]],
      ["mug", 28, ["MUG-2"]],
    ]);
    expect(entries[0]!.product.variants).toMatchObject([
      { price: { amount: 4500, currency: "USD" }, color: "Brass", quantity: 4 },
      {
        price: { amount: 4500, currency: "USD" },
        salePrice: { amount: 3900, currency: "USD" },
        color: "Black",
      },
    ]);
    expect(entries[1]!.product.variants[0]!.price).toEqual({ amount: 1250, currency: "EUR" });
    expect(issueLines(issues)).toEqual([
      '4 warning stock: unknown key "stock", not read [desk-lamp]',
      '4 warning variants[1].colour: unknown key "colour", not read [LAMP-BLACK]',
      '4 variants[2].price: "45,00 €" is not a price [LAMP-WHITE]',
      "17 -: a string in the element starting on this line is not closed on line 19; the element is skipped",
      "22 link: expected an http(s) URL [bad-link]",
      '28 variants[0].gender: Invalid option: expected one of "male"|"female"|"unisex" [MUG-1]',
    ]);
  });

  it("reads JSON Lines, one product per line, and goes on after an invalid line", async () => {
    const { entries, issues } = await readWholeCatalog("jsonl", sampleFile("catalog.jsonl"));
    expect(entries.map((entry) => [entry.product.id, entry.origin.line])).toEqual([
      ["cap", 1],
      ["sock", 3],
      ["belt", 5],
    ]);
    expect(issueLines(issues)).toEqual([
      "2 -: invalid JSON: Unexpected end of JSON input",
      '3 variants[1].price: "N/A" is not a price [SOCK-2]',
    ]);
  });

  it("writes records as given, as JSON and JSON Lines, and reads them back", async () => {
    const records: ProductRecord[] = [
      { id: "a", title: "A", variants: [{ sku: "A-1", price: "twelve" }] },
      { id: "b", title: "B <b> & ☕", variants: [{ sku: "B-1", price: { amount: 500, currency: "USD" } }] },
    ];
    const json = await writeRecords("catalog.json", records, (output) => createJsonWriter(output));
    expect(JSON.parse(json.text)).toEqual(records);
    const jsonl = await writeRecords("catalog.jsonl", records, (output) => createJsonlWriter(output));
    expect(jsonl.text.split("\n")).toEqual([JSON.stringify(records[0]), JSON.stringify(records[1]), ""]);
    for (const [format, file] of [
      ["json", json.file],
      ["jsonl", jsonl.file],
    ] as const) {
      const { entries, issues } = await readWholeCatalog(format, file);
      expect(entries.map((entry) => entry.product.title)).toEqual(["B <b> & ☕"]);
      expect(issues.map((issue) => [issue.field, issue.message])).toEqual([
        ["variants[0].price", '"twelve" is not a price'],
      ]);
    }
    const empty = await writeRecords("empty.json", [], (output) =>
      createJsonWriter(output, { wrap: "products" }),
    );
    expect(JSON.parse(empty.text)).toEqual({ products: [] });
  });
});
