import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OmnifeedError } from "../core/errors.js";
import { catalogTextStage, guessEncoding, utf16ByZeros, parseCatalogEncoding } from "./text-encoding.js";

/** The bytes through the stage, fed in the given pieces. */
async function through(pieces: readonly Buffer[], encoding?: string): Promise<Buffer> {
  const whole = Buffer.concat(pieces);
  const stage = catalogTextStage("catalog.csv", encoding, () => Promise.resolve(Readable.from([whole])));
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(stage) as AsyncIterable<Buffer>) out.push(chunk);
  return Buffer.concat(out);
}

/** Every way of cutting `bytes` in two. */
function splits(bytes: Buffer): Buffer[][] {
  return Array.from({ length: bytes.length + 1 }, (_, at) => [bytes.subarray(0, at), bytes.subarray(at)]);
}

describe("catalogTextStage", () => {
  const text = "sku,title\nA,Café “Crème” 🍵\nB,Ünïcödé\n";
  const utf8 = Buffer.from(text, "utf8");

  it("passes valid UTF-8 through unchanged, however the chunks cut its characters", async () => {
    for (const pieces of splits(utf8)) expect((await through(pieces)).equals(utf8)).toBe(true);
  });

  it("names the line, the column and the byte of the first bad byte, wherever the chunks are cut", async () => {
    const bad = Buffer.concat([
      Buffer.from("sku,title\nA,ok\nB,Caf"),
      Buffer.from([0xe9]),
      Buffer.from(" Mug\n"),
    ]);
    for (const pieces of splits(bad)) {
      const error = await through(pieces).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OmnifeedError);
      expect((error as Error).message).toBe(
        "catalog.csv:3: not valid UTF-8 (byte 0xE9 at column 6); the file looks like latin1: run again with --encoding latin1",
      );
    }
  });

  it("reports a character cut short by the end of the file", async () => {
    const cut = Buffer.concat([Buffer.from("a,b\nx,"), Buffer.from("é", "utf8").subarray(0, 1)]);
    await expect(through([cut])).rejects.toThrow("catalog.csv:2: not valid UTF-8 (byte 0xC3 at column 3)");
  });

  it("reads UTF-16 by its byte order mark, little and big endian", async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    for (const pieces of splits(le).slice(2)) expect((await through(pieces)).toString("utf8")).toBe(text);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect((await through([Buffer.from([0xfe, 0xff]), be])).toString("utf8")).toBe(text);
  });

  it("reads UTF-16 without a byte order mark by its zero bytes, and leaves UTF-8 alone", async () => {
    const le = Buffer.from(text, "utf16le");
    expect(utf16ByZeros(le)).toBe("utf-16le");
    expect((await through([le])).toString("utf8")).toBe(text);
    const be = Buffer.from(le).swap16();
    expect(utf16ByZeros(be)).toBe("utf-16be");
    expect((await through([be])).toString("utf8")).toBe(text);
    expect(utf16ByZeros(Buffer.from(text, "utf8"))).toBeUndefined();
  });

  it("transcodes the encoding it is given", async () => {
    const cp1252 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x78, 0x94, 0x80]);
    expect((await through([cp1252], "windows-1252")).toString("utf8")).toBe("Café “x”€");
    expect((await through([cp1252.subarray(0, 4)], "latin1")).toString("utf8")).toBe("Café");
  });
});

describe("guessEncoding", () => {
  it("says windows-1252 for its curly quotes and dashes, latin1 otherwise", () => {
    expect(guessEncoding(Buffer.from([0xe9, 0x93, 0x94]))).toBe("windows-1252");
    expect(guessEncoding(Buffer.from([0xe9, 0x20]))).toBe("latin1");
    expect(guessEncoding(Buffer.from([0x93, 0x81]))).toBe("latin1");
  });
});

describe("parseCatalogEncoding", () => {
  it("knows the usual names and refuses unknown ones as a config error", () => {
    expect(parseCatalogEncoding("UTF8")).toBe("utf-8");
    expect(parseCatalogEncoding(" Windows-1252 ")).toBe("windows-1252");
    expect(() => parseCatalogEncoding("klingon")).toThrow(/--encoding: unknown encoding "klingon"/);
  });
});
