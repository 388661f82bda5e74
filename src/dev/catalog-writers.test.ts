import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readWholeCatalog, writeRecords } from "../../test/fixtures/catalog-reading.js";
import { createCatalogWriter } from "./catalog-writers.js";
import type { ProductRecord } from "../sources/json/record.js";
import { describeRecords } from "../sources/record-shape.js";
import { detectCatalogFormat } from "../sources/registry.js";
import { FILE_FORMATS } from "../sources/source.js";

const DEMO = fileURLToPath(new URL("../../fixtures/catalogs/demo/catalog.json", import.meta.url));

describe("catalog writers", () => {
  it.each(FILE_FORMATS)("writes %s that is detected and read back whole", async (format) => {
    const records = JSON.parse(await readFile(DEMO, "utf8")) as ProductRecord[];
    const name = {
      csv: "c.csv",
      json: "c.json",
      jsonl: "c.jsonl",
      "shopify-csv": "s.csv",
      "woocommerce-csv": "w.csv",
      "google-xml": "g.xml",
    }[format];
    const { file } = await writeRecords(name, records, (output) =>
      createCatalogWriter(format, output, {
        currency: "USD",
        storeUrl: "https://demo.omnifeed.dev",
        shape: describeRecords(records),
      }),
    );
    expect(await detectCatalogFormat(file)).toBe(format);
    const { entries, issues } = await readWholeCatalog(format, file, {
      store_url: "https://demo.omnifeed.dev",
    });
    expect(entries.flatMap((entry) => entry.product.variants)).toHaveLength(97);
    expect(issues.filter((issue) => issue.severity === "error")).toHaveLength(3);
  });
});
