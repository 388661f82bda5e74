import { describe, expect, it } from "vitest";
import { KeyRegistry } from "./key-registry.js";

describe("KeyRegistry", () => {
  it("answers undefined for a first key and the first line for a repeat", () => {
    const registry = new KeyRegistry(1);
    expect(registry.firstLineOf(0, "MUG-001", 12)).toBeUndefined();
    expect(registry.firstLineOf(0, "MUG-002", 13)).toBeUndefined();
    expect(registry.firstLineOf(0, "MUG-001", 40)).toBe(12);
    expect(registry.firstLineOf(0, "MUG-001", 41)).toBe(12);
  });

  it("compares keys exactly", () => {
    const registry = new KeyRegistry(1);
    registry.firstLineOf(0, "MUG-001", 2);
    expect(registry.firstLineOf(0, "mug-001", 3)).toBeUndefined();
    expect(registry.firstLineOf(0, "MUG-001 ", 4)).toBeUndefined();
    expect(registry.firstLineOf(0, "", 5)).toBeUndefined();
    expect(registry.firstLineOf(0, "", 6)).toBe(5);
  });

  it("keeps channels apart, and each channel's own first line when they share a key", () => {
    const registry = new KeyRegistry(3);
    expect(registry.firstLineOf(0, "A", 10)).toBeUndefined();
    expect(registry.firstLineOf(1, "A", 10)).toBeUndefined();
    // Channel 2 first sees "A" on another item (its key comes from another field).
    expect(registry.firstLineOf(2, "A", 30)).toBeUndefined();
    expect(registry.firstLineOf(0, "A", 50)).toBe(10);
    expect(registry.firstLineOf(1, "A", 50)).toBe(10);
    expect(registry.firstLineOf(2, "A", 50)).toBe(30);
  });

  it("finds every repeat among many keys, across growing", () => {
    const registry = new KeyRegistry(2);
    const count = 50_000;
    let wrong = 0;
    for (let index = 0; index < count; index += 1) {
      if (registry.firstLineOf(index % 2, `SKU-${index}`, index + 2) !== undefined) wrong += 1;
    }
    let repeats = 0;
    for (let index = 0; index < count; index += 7) {
      if (registry.firstLineOf(index % 2, `SKU-${index}`, count + index) === index + 2) repeats += 1;
      // The other channel never had this key.
      if (registry.firstLineOf((index + 1) % 2, `SKU-${index}`, count + index) !== undefined) wrong += 1;
    }
    expect(wrong).toBe(0);
    expect(repeats).toBe(Math.ceil(count / 7));
    // One chunk of 65,536 entries; an index of 2^17 slots keeps 50,000 keys under three quarters full.
    expect(registry.bytes).toBe(65_536 * 13 + 131_072 * 4);
  });

  it("takes 1 to 8 channels", () => {
    expect(() => new KeyRegistry(0)).toThrow(RangeError);
    expect(() => new KeyRegistry(9)).toThrow(RangeError);
  });
});
