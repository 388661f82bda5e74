import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";
import { isCsvChunk, parseCsvChunk, readCsvChunks } from "./csv-chunks.js";
import { consecutiveGrouper, readCsvGroups } from "./csv-groups.js";
import { csvLayoutFor } from "./csv/decode.js";
import { CsvOptionsSchema } from "./csv/config.js";
import { csvProductKey } from "./csv/records.js";
import { sourceFor } from "./registry.js";
import type { RecordBatch } from "./source.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

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
  const path = join(makeTempDir("chunks"), name);
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

describe("slices and the sequential reader on broken and unusual files", () => {
  const keyOf = (row: readonly string[]): string => (row[0] ?? "").trim();
  const layout = () => ({ keyOf, grouper: () => consecutiveGrouper([], keyOf) });

  /** Rows with their lines, and issue lines, as each reader gives them. */
  async function rowsOf(file: string, sliced: boolean, batchSize: number) {
    const rows: [number, string[]][] = [];
    const issues: number[] = [];
    const batches = sliced
      ? readCsvChunks(file, { batchSize }, ",", layout)
      : readCsvGroups(file, { batchSize }, ",", () => layout().grouper());
    for await (const batch of batches) {
      issues.push(...batch.issues.map((issue) => issue.line));
      for (const group of batch.groups) {
        if (isCsvChunk(group)) {
          const parsed = parseCsvChunk(group, file);
          parsed.rows.forEach((row, index) => rows.push([parsed.lines[index]!, row]));
          issues.push(...parsed.issues.map((issue) => issue.line));
        } else {
          group.rows.forEach((row, index) => rows.push([group.lines[index]!, row]));
        }
      }
    }
    return { rows, issues: issues.sort((a, b) => a - b) };
  }

  it("keeps a product of several rows whole when the file has no final line break", async () => {
    const file = writeTemp(
      "no-final-break.csv",
      "item_group_id,sku,title,price\nG,G-1,Tee,1.00\nG,G-2,Tee,1.00\nG,G-3,Tee,1.00",
    );
    for (const size of [1, 2, 100]) {
      const { entries } = await readAll(file, size);
      expect(entries.map((entry) => entry.product.variants.map((variant) => variant.sku))).toEqual([
        ["G-1", "G-2", "G-3"],
      ]);
    }
  });

  it("hands the product in progress to the sequential reader whole, with the header warnings", async () => {
    const file = writeTemp(
      "stray-quote.csv",
      'item_group_id,sku,title,price,colour_name\nA,A-1,Mug,1.00,x\nB,B-1,Bowl,1.00,x\nB,B-2,"Bowl"x,1.00,x\nB,B-3,Bowl,1.00,x\nC,C-1,Cup,1.00,x\n',
    );
    for (const size of [1, 3, 100]) {
      const { entries, issues } = await readAll(file, size);
      expect(entries.map((entry) => entry.product.variants.map((variant) => variant.sku))).toEqual([
        ["A-1"],
        ["B-1", "B-2", "B-3"],
        ["C-1"],
      ]);
      expect(issues.filter((issue) => issue.field === "colour_name")).toHaveLength(1);
    }
  });

  it("reports the header's warnings of a file without rows", async () => {
    const { issues } = await readAll(writeTemp("header-only.csv", "sku,title,price,colour_name\n"), 10);
    expect(issues.map((issue) => issue.field)).toEqual(["colour_name"]);
  });

  it("agrees with the sequential reader on hundreds of files with stray quotes", async () => {
    let seed = 5;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pieces = ["a", "b", " ", '"', '""', ",", "\n"];
    const file = join(makeTempDir("fuzz"), "fuzz.csv");
    let compared = 0;
    for (let round = 0; round < 300; round += 1) {
      let text = "k,x,y,z\n";
      for (let row = 3 + Math.floor(random() * 8); row > 0; row -= 1) {
        const cells = [pick(["G1", "G2", "G3"])];
        for (let cell = 0; cell < 3; cell += 1) {
          let value = "";
          for (let piece = Math.floor(random() * 3); piece > 0; piece -= 1) value += pick(pieces);
          cells.push(random() < 0.3 ? `"${value.replaceAll('"', '""')}"` : value.replaceAll("\n", ""));
        }
        text += `${cells.join(",")}\n`;
      }
      writeFileSync(file, text);
      const sequential = await rowsOf(file, false, 1);
      const sliced = await rowsOf(file, true, 1 + Math.floor(random() * 3));
      expect(sliced, JSON.stringify(text)).toEqual(sequential);
      compared += 1;
    }
    expect(compared).toBe(300);
  });
});
