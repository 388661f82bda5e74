import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { PACKAGE_ROOT } from "../../config/paths.js";
import { googleCategoryIdOf, googleCategoryPath, isGoogleCategoryWithin } from "./taxonomy.js";

const TAXONOMY_FILE = "google/taxonomy-with-ids.en-US.txt";

describe("Google taxonomy", () => {
  it("gives the full path of an id", () => {
    expect(googleCategoryPath("173")).toBe("Apparel & Accessories > Clothing Accessories > Hats");
    expect(googleCategoryPath("1")).toBe("Animals & Pet Supplies");
    expect(googleCategoryPath("0")).toBeUndefined();
  });

  it("turns a path into its id, ignoring case and the spaces around >", () => {
    expect(googleCategoryIdOf("Apparel & Accessories > Clothing Accessories > Hats")).toBe("173");
    expect(googleCategoryIdOf(" apparel & accessories>clothing accessories >  HATS ")).toBe("173");
    expect(googleCategoryIdOf("Hats")).toBeUndefined();
    expect(googleCategoryIdOf("Apparel & Accessories > Hats")).toBeUndefined();
  });

  it("accepts only ids Google lists", () => {
    expect(googleCategoryIdOf("2169")).toBe("2169");
    expect(googleCategoryIdOf(" 173 ")).toBe("173");
    expect(googleCategoryIdOf("99999999")).toBeUndefined();
  });

  it("keeps accented names as Google wrote them", () => {
    expect(googleCategoryPath("4423")).toBe(
      "Home & Garden > Kitchen & Dining > Cookware & Bakeware > Cookware > Sauté Pans",
    );
  });

  it("knows a category's ancestry", () => {
    expect(isGoogleCategoryWithin("173", "166")).toBe(true);
    expect(isGoogleCategoryWithin("173", "173")).toBe(true);
    expect(isGoogleCategoryWithin("173", "1604")).toBe(false);
    expect(isGoogleCategoryWithin("2169", "166")).toBe(false);
  });
});

describeWithSpecs("taxonomy-table.ts", [TAXONOMY_FILE], () => {
  it("is what scripts/gen-google-taxonomy.mjs generates from the official file today", () => {
    const generated = execFileSync(
      process.execPath,
      [join(PACKAGE_ROOT, "scripts/gen-google-taxonomy.mjs"), specPath(TAXONOMY_FILE), "--stdout"],
      { encoding: "utf8" },
    );
    const committed = readFileSync(join(PACKAGE_ROOT, "src/channels/google/taxonomy-table.ts"), "utf8");
    expect(committed === generated, "run `node scripts/gen-google-taxonomy.mjs` and commit the result").toBe(
      true,
    );
  });

  it("knows every id of the official file under its path", () => {
    const lines = readFileSync(specPath(TAXONOMY_FILE), "utf8").split("\n").slice(1);
    let count = 0;
    for (const line of lines) {
      const match = /^(\d+) - (.+)$/.exec(line);
      if (!match?.[1] || !match[2]) continue;
      count++;
      // The copy in ../shared has its few accented letters mangled; the table has them repaired.
      if (/^[\x20-\x7e]+$/.test(match[2])) expect(googleCategoryPath(match[1]), match[1]).toBe(match[2]);
      else expect(googleCategoryPath(match[1]), match[1]).toBeDefined();
    }
    expect(count).toBeGreaterThan(5000);
  });
});
