import { describe, expect, it } from "vitest";
import { encodeEntries, withoutEntries } from "./encoded-entries.js";

describe("encodeEntries", () => {
  it("encodes entries back to back and knows where each ends", () => {
    const entries = ["<a>", "", "café ☕", "😀".repeat(40), "x".repeat(10_000), "東京"];
    const { bytes, ends } = encodeEntries(entries);
    expect(Buffer.from(bytes).toString("utf8")).toBe(entries.join(""));
    let start = 0;
    entries.forEach((entry, index) => {
      expect(Buffer.from(bytes.subarray(start, ends[index])).toString("utf8")).toBe(entry);
      start = ends[index]!;
    });
  });

  it("owns its memory, so it can be transferred to another thread", () => {
    const { bytes } = encodeEntries(["small"]);
    expect(bytes.buffer.byteLength).toBeLessThan(1024);
    expect(bytes.byteOffset).toBe(0);
  });
});

describe("withoutEntries", () => {
  const decode = ({ bytes, ends }: ReturnType<typeof encodeEntries>): string[] =>
    [...ends].map((end, index) =>
      Buffer.from(bytes.subarray(index === 0 ? 0 : ends[index - 1], end)).toString(),
    );

  it("leaves out the entries at the given indexes and keeps the others in order", () => {
    const encoded = encodeEntries(["a1", "", "café", "b2", "東京"]);
    expect(decode(withoutEntries(encoded, [0, 3]))).toEqual(["", "café", "東京"]);
    expect(decode(withoutEntries(encoded, [4]))).toEqual(["a1", "", "café", "b2"]);
    expect(decode(withoutEntries(encoded, [0, 1, 2, 3, 4]))).toEqual([]);
  });
});
