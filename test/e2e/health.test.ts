import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshDir, omnifeed } from "./cli.js";

describe("a disk that cannot take the write", () => {
  // /dev/full answers every write with ENOSPC, as a full disk does.
  it.skipIf(!existsSync("/dev/full"))(
    "is the operator's to fix: exit 2 with the file, the reason and what to do",
    async () => {
      const result = await omnifeed(["dev", "gen-catalog", "--variants", "5000", "--out", "/dev/full"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("omnifeed: /dev/full: cannot write the catalog: ENOSPC");
      expect(result.stderr).toContain("free some space");
    },
  );

  it("says so for a folder that is a file: exit 2, not a retryable failure", async () => {
    const file = join(freshDir("health-notdir"), "plain-file");
    writeFileSync(file, "");
    const result = await omnifeed([
      "dev",
      "gen-catalog",
      "--variants",
      "10",
      "--out",
      join(file, "catalog.csv"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write the catalog: ENOTDIR/);
  });
});
