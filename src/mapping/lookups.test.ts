import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ProductSchema } from "../core/catalog.js";
import type { EvalContext } from "./context.js";
import { compileLookup, inlineRows, readLookupCsv } from "./lookups.js";
import { SpecError } from "./problems.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

const product = ProductSchema.parse({
  id: "P1",
  title: "Shirt",
  variants: [{ sku: "S1", price: { amount: 100, currency: "USD" } }],
});

function makeContext(): EvalContext {
  return {
    product,
    variant: product.variants[0]!,
    stock: { quantity: undefined, locations: [], availability: "in_stock" },
    output: {},
    field: "google_product_category",
    issues: [],
    images: undefined,
  };
}

function tempCsv(text: string): string {
  const dir = makeTempDir("lookup");
  const file = path.join(dir, "table.csv");
  fs.writeFileSync(file, text);
  return file;
}

describe("lookups", () => {
  it("match exactly", () => {
    const table = compileLookup("t", inlineRows({ Red: "rouge" }), { match: "exact" });
    expect(table.find("Red")).toBe("rouge");
    expect(table.find("red")).toBeUndefined();
  });

  it("match ignoring case and surrounding spaces by default", () => {
    const table = compileLookup("t", inlineRows({ " Red ": "rouge" }), { match: "ignore_case" });
    expect(table.find("RED")).toBe("rouge");
    expect(table.find(" red")).toBe("rouge");
  });

  it("match the longest category prefix", () => {
    const table = compileLookup(
      "categories",
      inlineRows({ Apparel: "166", "Apparel > Tops": "212", "apparel >tops> T-Shirts": "5322" }),
      { match: "longest_prefix" },
    );
    expect(table.find("Apparel > Tops > T-Shirts > Long sleeve")).toBe("5322");
    expect(table.find("Apparel > Tops > Shirts")).toBe("212");
    expect(table.find("APPAREL")).toBe("166");
    expect(table.find("Apparel Accessories")).toBeUndefined();
    expect(table.find("Home > Apparel")).toBeUndefined();
  });

  it("read a list as the segments of one path with longest_prefix", () => {
    const table = compileLookup("categories", inlineRows({ "Apparel > Tops": "212" }), {
      match: "longest_prefix",
    });
    expect(table.translate(["Apparel", "Tops", "Shirts"], makeContext())).toBe("212");
  });

  it("report a miss with the key, unless the table has a default", () => {
    const context = makeContext();
    const strict = compileLookup("colours", inlineRows({ red: "rouge" }), { match: "ignore_case" });
    expect(strict.translate("green", context)).toBeUndefined();
    expect(strict.translate(undefined, context)).toBeUndefined();
    expect(context.issues).toEqual([
      {
        severity: "warning",
        code: "lookup_miss",
        field: "google_product_category",
        message: 'lookup "colours" has no row for "green"',
      },
    ]);
    const lenient = compileLookup("colours", inlineRows({ red: "rouge" }), {
      match: "ignore_case",
      default: "autre",
    });
    expect(lenient.translate("green", context)).toBe("autre");
    expect(context.issues).toHaveLength(1);
  });

  it("reject a key given twice with different values", () => {
    expect(() =>
      compileLookup(
        "t",
        [
          { key: "Red", value: "a", line: 2 },
          { key: "red", value: "b", line: 5 },
        ],
        {
          match: "ignore_case",
        },
      ),
    ).toThrow('lookup "t": key "red" appears twice with different values "a" and "b" (lines 2 and 5)');
    expect(() =>
      compileLookup("t", inlineRows({ Red: "a", red: "a" }), { match: "ignore_case" }),
    ).not.toThrow();
  });
});

describe("lookup CSV files", () => {
  it("read the key and value columns, with a BOM, quotes and CSV line numbers", () => {
    const file = tempCsv('\uFEFFcategory,google_id,note\n"Apparel > Tops",212,x\n\nHome,536,"a, b"\n');
    expect(readLookupCsv(file, "category", "google_id")).toEqual([
      { key: "Apparel > Tops", value: "212", line: 2 },
      { key: "Home", value: "536", line: 4 },
    ]);
  });

  it("name a missing column and the columns there are", () => {
    const file = tempCsv("key,val\na,b\n");
    expect(() => readLookupCsv(file, "key", "value")).toThrow(SpecError);
    expect(() => readLookupCsv(file, "key", "value")).toThrow(
      `lookup file ${file} has no column "value" (columns: key, val)`,
    );
  });

  it("report a file that cannot be read or parsed", () => {
    expect(() => readLookupCsv("/nonexistent/omnifeed.csv", "key", "value")).toThrow(
      /cannot read lookup file/,
    );
    const file = tempCsv('key,value\n"unclosed,1\n');
    expect(() => readLookupCsv(file, "key", "value")).toThrow(SpecError);
  });
});
