import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { isGzipFile, readHead, readTextChunks } from "./file-input.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

let dir: string;
beforeAll(() => {
  dir = makeTempDir("input");
});

describe("file input", () => {
  it("recognises gzip by its magic bytes and reads the decompressed head without the BOM", async () => {
    const file = join(dir, "catalog.csv");
    await writeFile(file, gzipSync("\ufeffsku,title\nA,Café\n"));
    expect(await isGzipFile(file)).toBe(true);
    expect(await readHead(file)).toBe("sku,title\nA,Café\n");
    // The limit counts bytes of the file, the BOM included.
    expect(await readHead(file, 8)).toBe("sku,t");
  });

  it("decodes UTF-8 across chunk boundaries and counts decompressed bytes", async () => {
    const file = join(dir, "big.jsonl");
    const text = "咖啡杯 ☕\n".repeat(100_000);
    await writeFile(file, text);
    let read = "";
    let bytes = 0;
    for await (const chunk of readTextChunks(file)) {
      read += chunk.text;
      bytes = chunk.bytesRead;
    }
    expect(read).toBe(text);
    expect(bytes).toBe(Buffer.byteLength(text));
  });

  it("stops the run on a missing file or cut-short gzip data", async () => {
    await expect(readHead(join(dir, "missing.csv"))).rejects.toSatisfy((error) =>
      isOmnifeedError(error, "not_found"),
    );
    const file = join(dir, "cut.csv.gz");
    await writeFile(file, gzipSync("sku,title\n" + "A,Mug\n".repeat(50_000)).subarray(0, 300));
    const read = async () => {
      for await (const chunk of readTextChunks(file)) void chunk;
    };
    await expect(read()).rejects.toSatisfy((error) => isOmnifeedError(error, "config"));
  });
});
