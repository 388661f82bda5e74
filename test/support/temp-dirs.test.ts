import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir, removeTempDirs } from "./temp-dirs.js";

describe("makeTempDir", () => {
  it("makes distinct folders that removeTempDirs deletes with their contents", () => {
    const first = makeTempDir("support");
    const second = makeTempDir("support");
    expect(first).not.toBe(second);
    writeFileSync(join(first, "catalog.csv"), "sku\nA\n");
    removeTempDirs();
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });
});
