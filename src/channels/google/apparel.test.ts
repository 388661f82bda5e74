import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { apparelKindOf, KNOWN_APPAREL_IDS } from "./apparel.js";

const TAXONOMY_FILE = "google/taxonomy-with-ids.en-US.txt";

function readTaxonomy(): Map<string, string> {
  const text = readFileSync(specPath(TAXONOMY_FILE), "utf8");
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^(\d+) - (.+)$/.exec(line);
    if (match?.[1] && match[2]) paths.set(match[1], match[2]);
  }
  return paths;
}

describeWithSpecs("apparelKindOf against Google's taxonomy", [TAXONOMY_FILE], () => {
  const taxonomy = readTaxonomy();

  it("knows only ids that are Apparel & Accessories in Google's taxonomy", () => {
    for (const id of KNOWN_APPAREL_IDS) {
      expect(taxonomy.get(id), id).toMatch(/^Apparel & Accessories( > |$)/);
    }
  });

  it("agrees with the taxonomy path for every listed id", () => {
    for (const id of KNOWN_APPAREL_IDS) {
      expect(apparelKindOf(id), id).toEqual(apparelKindOf(taxonomy.get(id)));
    }
  });
});

describe("apparelKindOf", () => {
  it("reads ids and paths", () => {
    expect(apparelKindOf("212")).toEqual({ apparel: true, sized: true });
    expect(apparelKindOf("188")).toEqual({ apparel: true, sized: false });
    expect(apparelKindOf("2169")).toEqual({ apparel: false, sized: false });
    expect(apparelKindOf("Apparel & Accessories > Shoes")).toEqual({ apparel: true, sized: true });
    expect(apparelKindOf("Apparel & Accessories > Handbags, Wallets & Cases")).toEqual({
      apparel: true,
      sized: false,
    });
    expect(apparelKindOf("Apparel & Accessories")).toEqual({ apparel: true, sized: false });
    expect(apparelKindOf("Apparel & Accessoriesx")).toEqual({ apparel: false, sized: false });
    expect(apparelKindOf(undefined)).toEqual({ apparel: false, sized: false });
  });
});
