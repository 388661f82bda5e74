import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parseCsvFast } from "./csv-fast-parse.js";

function csvParse(text: string, delimiter: string): string[][] {
  return parse(text, { delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: false });
}

describe("parseCsvFast", () => {
  it("reads quoted values, doubled quotes, line breaks in quotes, CRLF and a missing last line break", () => {
    const text = 'a,"b, ""c""",d\n"x\ny",,z\n\nlast,"",';
    expect(parseCsvFast(text, ",")).toEqual(csvParse(text, ","));
    expect(parseCsvFast(text, ",")).toEqual([
      ["a", 'b, "c"', "d"],
      ["x\ny", "", "z"],
      [""],
      ["last", "", ""],
    ]);
    const windows = 'a,"b\r\nc"\r\nd,e\r\n';
    expect(parseCsvFast(windows, ",")).toEqual(csvParse(windows, ","));
    expect(parseCsvFast(windows, ",")).toEqual([
      ["a", "b\r\nc"],
      ["d", "e"],
    ]);
  });

  it("keeps a quote inside an unquoted value, as csv-parse does with relax_quotes", () => {
    const text = 'Vase 20" tall,ok\n';
    expect(parseCsvFast(text, ",")).toEqual(csvParse(text, ","));
  });

  it("gives up on what it cannot read exactly like csv-parse", () => {
    expect(parseCsvFast('"closed"early,x\n', ",")).toBeUndefined();
    expect(parseCsvFast('"never closed,x\n', ",")).toBeUndefined();
    expect(parseCsvFast("a\rb\n", ",")).toBeUndefined();
    expect(parseCsvFast("a\r\nb\nc\n", ",")).toBeUndefined();
  });

  it("agrees with csv-parse on thousands of generated records, with commas and tabs", () => {
    const pieces = ["a", "word", " ", ",", "\t", '"', '""', "\n", "\r\n", "é", "😀", "x y", ""];
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let compared = 0;
    for (const delimiter of [",", "\t"]) {
      for (let round = 0; round < 3000; round += 1) {
        let text = "";
        const records = 1 + Math.floor(random() * 4);
        for (let record = 0; record < records; record += 1) {
          const values = 1 + Math.floor(random() * 5);
          const cells: string[] = [];
          for (let value = 0; value < values; value += 1) {
            let cell = "";
            for (let piece = Math.floor(random() * 4); piece > 0; piece -= 1) {
              cell += pieces[Math.floor(random() * pieces.length)]!;
            }
            // Half of the values are quoted properly, the rest are raw and may be broken.
            cells.push(random() < 0.5 ? `"${cell.replaceAll('"', '""')}"` : cell);
          }
          text += `${cells.join(delimiter)}${random() < 0.9 ? "\n" : ""}`;
        }
        const fast = parseCsvFast(text, delimiter);
        if (fast === undefined) continue;
        let reference: string[][];
        try {
          reference = csvParse(text, delimiter);
        } catch {
          continue;
        }
        expect(fast, JSON.stringify(text)).toEqual(reference);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});
