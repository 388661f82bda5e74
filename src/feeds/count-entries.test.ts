import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { EntryLayout } from "./count-entries.js";
import { countChunks, countEntries, UncountableFile } from "./count-entries.js";

const dir = mkdtempSync(join(tmpdir(), "omnifeed-count-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts `text` cut into chunks of every size from 1 byte to the whole, which must all agree. */
function count(text: string, layout: EntryLayout): number {
  const bytes = Buffer.from(text);
  const counts = new Set<number>();
  for (const size of [1, 2, 3, 5, 7, 64, bytes.length || 1]) {
    const chunks: Buffer[] = [];
    for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
    counts.add(countChunks(chunks, layout));
  }
  expect(counts.size, "the count depends on where the chunks are cut").toBe(1);
  return [...counts][0]!;
}

const RSS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">\n' +
  "  <channel>\n    <title>Shop</title>\n" +
  "    <item>\n      <g:id>A</g:id>\n    </item>\n" +
  '    <item xml:lang="en">\n      <g:id>B</g:id>\n      <g:itemGroup>x</g:itemGroup>\n    </item>\n' +
  "    <item/>\n" +
  "  </channel>\n</rss>\n";

describe("counting the entries of a published feed", () => {
  it("counts RSS <item> elements, not other tags that start alike", () => {
    expect(count(RSS, "rss-items")).toBe(3);
    expect(count('<?xml version="1.0"?>\n<rss><channel></channel></rss>', "rss-items")).toBe(0);
    expect(() => count("id\tprice\nA\t1\n", "rss-items")).toThrow(/not an RSS feed/);
  });

  it("counts CSV records, with line breaks and quotes inside quoted fields", () => {
    const csv =
      'id,title,description\r\nA,"Shirt, blue","line one\r\nline two"\r\nB,"say ""hi""\n",x\n\nC,,\n';
    expect(count(csv, "csv-records")).toBe(3);
    expect(count("id,title\nA,x", "csv-records")).toBe(1);
    expect(count("id,title\n", "csv-records")).toBe(0);
    expect(() => count("<rss>", "csv-records")).toThrow(/not a CSV feed/);
  });

  it("counts TSV rows, and local inventory rows of one item as one entry", () => {
    expect(count("id\ttitle\nA\tx\nB\ty\n\nC\tz", "tsv-rows")).toBe(3);
    const inventory =
      "store_code\tid\tquantity\n" +
      "S1\tA\t1\nS2\tA\t2\nS3\tA\t0\n" +
      "S1\tB\t5\n" +
      "S1\tAB\t5\nS2\tAB\t1\n";
    expect(count(inventory, "tsv-item-rows")).toBe(3);
    expect(count("store_code\tid\tquantity\n", "tsv-item-rows")).toBe(0);
    expect(() => count("sku,price\nA,1\n", "tsv-rows")).toThrow(/not a tab-separated feed/);
  });

  it("counts the messages of a JSON_LISTINGS_FEED document, whatever their strings hold", () => {
    const json =
      '{"header":{"sellerId":"S","version":"2.0"},"messages":[' +
      '{"messageId":1,"sku":"A","attributes":{"item_name":[{"value":"{[ \\"quoted\\" ]}"}]}},' +
      '{"messageId":2,"sku":"B","attributes":{}}]}';
    expect(count(json, "json-messages")).toBe(2);
    expect(count('{"header":{},"messages":[]}', "json-messages")).toBe(0);
    // A messages key deeper down is not the feed's.
    expect(() => count('{"header":{"messages":[{}]}}', "json-messages")).toThrow(/no messages array/);
    expect(() => count("[1,2]", "json-messages")).toThrow(/not a JSON object/);
  });

  it("reads files, gunzips .gz ones, and says which file could not be counted and why", async () => {
    writeFileSync(join(dir, "google.xml.gz"), gzipSync(RSS));
    expect(await countEntries(join(dir, "google.xml.gz"), "rss-items")).toBe(3);
    writeFileSync(join(dir, "meta.csv.gz"), "not gzip at all");
    await expect(countEntries(join(dir, "meta.csv.gz"), "csv-records")).rejects.toThrow(UncountableFile);
    await expect(countEntries(join(dir, "missing.tsv"), "tsv-rows")).rejects.toThrow(/^missing\.tsv: /);
  });
});
