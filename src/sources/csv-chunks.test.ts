import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";
import { isCsvChunk } from "./csv-chunks.js";
import { readCsvGroups } from "./csv-groups.js";
import { csvLayoutFor } from "./csv/decode.js";
import { CsvOptionsSchema } from "./csv/config.js";
import { csvProductKey } from "./csv/records.js";
import { sourceFor } from "./registry.js";
import type { RecordBatch } from "./source.js";

const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/catalogs/${path}`, import.meta.url));

async function readAll(file: string, batchSize: number, records?: () => AsyncIterable<RecordBatch>) {
  const source = sourceFor("csv");
  const options = source.optionsSchema.parse({});
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  let chunks = 0;
  for await (const batch of records ? records() : source.records(file, options, { batchSize })) {
    chunks += batch.groups.filter(isCsvChunk).length;
    const decoded = source.decode(batch, options);
    entries.push(...decoded.entries);
    issues.push(...batch.issues, ...decoded.issues);
  }
  return { entries, issues: issues.sort((a, b) => a.line - b.line), chunks };
}

/** The sequential reader alone: csv-parse on this thread, no slicing. */
function sequential(file: string, batchSize: number) {
  const options = CsvOptionsSchema.parse({});
  return () =>
    readCsvGroups(file, { batchSize }, ",", (header) =>
      csvProductKey(header.names, csvLayoutFor(header.names, options)).grouper(),
    );
}

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), "omnifeed-chunks-")), name);
  writeFileSync(path, content);
  return path;
}

describe("reading a CSV in slices", () => {
  it.each([1, 3, 7, 1000])(
    "gives the products and issues of the sequential reader (batch size %i)",
    async (size) => {
      for (const file of [fixture("demo/catalog.csv"), fixture("samples/malformed.csv")]) {
        const sliced = await readAll(file, size);
        const whole = await readAll(file, size, sequential(file, size));
        expect(sliced.entries).toEqual(whole.entries);
        // The reference reads rows only; header warnings (line 1) come from the format's records().
        expect(sliced.issues.filter((issue) => issue.line > 1)).toEqual(whole.issues);
        expect(sliced.chunks).toBeGreaterThan(0);
      }
    },
  );

  it("keeps quoted line breaks, CRLF line ends and a last line without a line break", async () => {
    const text =
      'item_group_id,sku,title,price,description\r\nA,A-1,"Mug, ""big""",9.00,"line one\r\nline two"\r\n' +
      "A,A-2,Mug,9.00,plain\r\nB,B-1,Bowl,4.00,last";
    const file = writeTemp("crlf.csv", text);
    const { entries, issues } = await readAll(file, 1);
    expect(issues.filter((issue) => issue.severity === "error")).toEqual([]);
    expect(entries.map((entry) => [entry.product.id, entry.origin.variantLines])).toEqual([
      ["A", [2, 4]],
      ["B", [5]],
    ]);
    expect(entries[0]!.product.title).toBe('Mug, "big"');
    expect(entries[0]!.product.description).toBe("line one\r\nline two");
  });

  it("reads gzip input the same way", async () => {
    const plain = fixture("demo/catalog.csv");
    const gz = writeTemp("catalog.csv.gz", gzipSync(readFileSync(plain)));
    const unzipped = await readAll(gz, 10);
    expect(unzipped.entries.map((entry) => entry.product.variants.map((variant) => variant.sku))).toEqual(
      (await readAll(plain, 10)).entries.map((entry) => entry.product.variants.map((variant) => variant.sku)),
    );
  });

  it("never cuts a product between slices, even a long one", async () => {
    let text = "item_group_id,sku,title,price\n";
    for (let index = 0; index < 50; index += 1) text += `LONG,L-${index},Long,1.00\n`;
    text += "SHORT,S-1,Short,1.00\n";
    const { entries, chunks } = await readAll(writeTemp("long.csv", text), 4);
    expect(entries.map((entry) => entry.product.variants.length)).toEqual([50, 1]);
    expect(chunks).toBe(2);
  });
});
