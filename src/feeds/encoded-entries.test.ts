import { describe, expect, it } from "vitest";
import { encodeEntries } from "./encoded-entries.js";

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
