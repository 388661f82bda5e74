import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFor } from "./registry.js";
import type { FileFormat } from "./source.js";

const demo = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/catalogs/demo/${name}`, import.meta.url));

describe("record batches", () => {
  it.each([
    ["csv", "catalog.csv"],
    ["shopify-csv", "catalog.shopify.csv"],
    ["woocommerce-csv", "catalog.woocommerce.csv"],
    ["json", "catalog.json"],
    ["jsonl", "catalog.jsonl"],
    ["google-xml", "catalog.xml"],
  ] as [FileFormat, string][])("%s: batches close on the group that fills them", async (format, name) => {
    const source = sourceFor(format);
    const options = source.optionsSchema.parse({});
    const sizes: { records: number; products: number; bytesRead: number }[] = [];
    for await (const batch of source.records(demo(name), options, { batchSize: 12 })) {
      const products = source.decode(batch, options).entries.length;
      sizes.push({ records: batch.records, products, bytesRead: batch.bytesRead });
    }
    // Every product is decoded whole from one batch (CSV batches carry raw slices of whole products).
    expect(sizes.reduce((sum, batch) => sum + batch.products, 0)).toBe(30);
    // Full at 12 records, over it by less than one product (at most 9 variants and a parent row).
    for (const batch of sizes.slice(0, -1)) {
      expect(batch.records).toBeGreaterThanOrEqual(12);
      expect(batch.records).toBeLessThan(12 + 10);
    }
    // Progress only grows.
    expect(sizes.map((batch) => batch.bytesRead)).toEqual(
      [...sizes.map((batch) => batch.bytesRead)].sort((a, b) => a - b),
    );
  });
});
