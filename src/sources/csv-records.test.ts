import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { readCsvRows } from "./csv-records.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

let dir: string;
beforeAll(() => {
  dir = makeTempDir("csv");
});

async function rowsOf(text: string | Buffer, chunkSize = 2) {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, text);
  const rows: [number, string[]][] = [];
  const issues: string[] = [];
  for await (const chunk of readCsvRows(file, { delimiter: ",", chunkSize })) {
    chunk.rows.forEach((row, index) => rows.push([chunk.lines[index]!, row]));
    issues.push(...chunk.issues.map((issue) => `${issue.line}: ${issue.message}`));
  }
  return { rows, issues };
}

describe("readCsvRows", () => {
  it("gives each record the line it starts on, counting quoted line breaks and skipping blank lines", async () => {
    const { rows, issues } = await rowsOf(
      '\ufeffsku,title\r\nA,"two\r\nlines"\r\n\r\nB,plain\r\n   \r\nC,"x ""quoted"""\r\n',
    );
    expect(rows).toEqual([
      [1, ["sku", "title"]],
      [2, ["A", "two\r\nlines"]],
      [5, ["B", "plain"]],
      [7, ["C", 'x "quoted"']],
    ]);
    expect(issues).toEqual([]);
  });

  it("reports a quote that never closes and resumes on the next line", async () => {
    const { rows, issues } = await rowsOf('sku,title\nA,ok\nB,"broken\nC,fine\nD,also fine\n');
    expect(rows.map(([line, row]) => `${line}:${row[0]}`)).toEqual(["1:sku", "2:A", "4:C", "5:D"]);
    expect(issues).toEqual([
      "3: a quoted value opened on this line is not closed; the line is skipped and reading resumes on line 4",
    ]);
  });

  it("reports a quote that swallows lines up to a later quote (a record shorter than the header)", async () => {
    const { rows, issues } = await rowsOf(
      'sku,title,color\nA,"stray,Red\nB,Plate,Blue\nC,"Grey\nmarble",White\n',
    );
    expect(rows.map(([line, row]) => `${line}:${row.join("|")}`)).toEqual([
      "1:sku|title|color",
      "3:B|Plate|Blue",
      "4:C|Grey\nmarble|White",
    ]);
    expect(issues).toEqual([
      "2: a quoted value opened on this line is not closed; the line is skipped and reading resumes on line 3",
    ]);
  });

  it("reads gzip by its magic bytes, whatever the file is called", async () => {
    const { rows } = await rowsOf(gzipSync("sku,title\nA,Mug\n"));
    expect(rows).toEqual([
      [1, ["sku", "title"]],
      [2, ["A", "Mug"]],
    ]);
  });
});
