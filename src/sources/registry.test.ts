import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { sampleFile } from "../../test/fixtures/catalog-reading.js";
import { detectCatalogFormat, detectFormat, SOURCES, sourceFor } from "./registry.js";
import { FILE_FORMATS } from "./source.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

const demo = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/catalogs/demo/${name}`, import.meta.url));

describe("source registry", () => {
  it("has one source per format", () => {
    expect(SOURCES.map((source) => source.format).sort()).toEqual([...FILE_FORMATS].sort());
    for (const format of FILE_FORMATS) expect(sourceFor(format).format).toBe(format);
  });

  it.each([
    [sampleFile("shopify-legacy.csv"), "shopify-csv"],
    [sampleFile("shopify-current.csv"), "shopify-csv"],
    [sampleFile("woocommerce.csv"), "woocommerce-csv"],
    [sampleFile("catalog.tsv"), "csv"],
    [sampleFile("malformed.csv"), "csv"],
    [sampleFile("google-feed.xml"), "google-xml"],
    [sampleFile("catalog.json"), "json"],
    [sampleFile("catalog.jsonl"), "jsonl"],
    [demo("catalog.json"), "json"],
    [demo("catalog.csv"), "csv"],
    [demo("catalog.shopify.csv"), "shopify-csv"],
    [demo("catalog.woocommerce.csv"), "woocommerce-csv"],
    [demo("catalog.xml"), "google-xml"],
  ])("detects %s as %s", async (file, format) => {
    expect(await detectCatalogFormat(file)).toBe(format);
  });

  it("detects JSON Lines by content, JSON objects by name, and gzip by its magic bytes", async () => {
    const dir = makeTempDir("detect");
    const lines = '{"id":"a","title":"A","variants":[]}\n{"id":"b","title":"B","variants":[]}\n';
    expect(detectFormat("export.txt", lines)).toBe("jsonl");
    expect(detectFormat("catalog.json", lines)).toBe("json");
    expect(detectFormat("catalog.json", '{\n  "products": []\n}')).toBe("json");
    const gzipped = join(dir, "products.csv");
    await writeFile(gzipped, gzipSync(await readFile(sampleFile("shopify-current.csv"))));
    expect(await detectCatalogFormat(gzipped)).toBe("shopify-csv");
  });

  it("says so when it cannot tell the format", async () => {
    const dir = makeTempDir("detect");
    const file = join(dir, "notes.md");
    await writeFile(file, "# Notes\n");
    await expect(detectCatalogFormat(file)).rejects.toSatisfy((error) => isOmnifeedError(error, "config"));
  });
});
