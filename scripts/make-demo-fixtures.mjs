#!/usr/bin/env node
// Regenerates the demo catalog in every format from its hand-written master,
// fixtures/catalogs/demo/catalog.json, with the catalog writers. Uses the build: `npm run build` first.
// test/fixtures/demo-catalog.test.ts fails when the committed files differ from what this writes.
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { stdout } from "node:process";
import { fileURLToPath, URL } from "node:url";
import { createCsvWriter } from "../dist/dev/catalog-writers/csv.js";
import { createGoogleXmlWriter } from "../dist/dev/catalog-writers/google-xml.js";
import { createJsonlWriter } from "../dist/dev/catalog-writers/json.js";
import { describeRecords } from "../dist/sources/record-shape.js";
import { createShopifyCsvWriter } from "../dist/dev/catalog-writers/shopify-csv.js";
import { createWooCommerceCsvWriter } from "../dist/dev/catalog-writers/woocommerce-csv.js";

const DEMO_DIR = fileURLToPath(new URL("../fixtures/catalogs/demo/", import.meta.url));
const STORE = { currency: "USD", storeUrl: "https://demo.omnifeed.dev" };

/** File name → writer; the same list is in test/fixtures/demo-catalog.test.ts. */
const FILES = {
  "catalog.csv": (output, shape) => createCsvWriter(output, { shape }),
  "catalog.jsonl": (output) => createJsonlWriter(output),
  "catalog.shopify.csv": (output, shape) => createShopifyCsvWriter(output, { ...STORE, shape }),
  "catalog.woocommerce.csv": (output, shape) => createWooCommerceCsvWriter(output, { ...STORE, shape }),
  "catalog.xml": (output) =>
    createGoogleXmlWriter(output, {
      currency: STORE.currency,
      title: "omnifeed demo store",
      link: STORE.storeUrl,
    }),
};

const records = JSON.parse(await readFile(new URL("catalog.json", `file://${DEMO_DIR}`), "utf8"));
const shape = describeRecords(records);
for (const [name, create] of Object.entries(FILES)) {
  const writer = create(createWriteStream(DEMO_DIR + name), shape);
  for (const record of records) await writer.write(record);
  await writer.end();
  stdout.write(`wrote fixtures/catalogs/demo/${name}\n`);
}
