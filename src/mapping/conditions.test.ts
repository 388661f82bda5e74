import { describe, expect, it } from "vitest";
import { ProductSchema } from "../core/catalog.js";
import { compileCondition } from "./conditions.js";
import type { EvalContext, PathEnv } from "./context.js";
import { ConfigProblem } from "./problems.js";
import type { Condition } from "./schema.js";
import { readMappingSource } from "./yaml-source.js";

const product = ProductSchema.parse({
  id: "P1",
  title: "Linen Shirt",
  brand: "Acme",
  tags: ["Summer", "sale-2026"],
  variants: [
    {
      sku: "P1-S",
      price: { amount: 12050, currency: "USD" },
      salePrice: { amount: 9900, currency: "USD" },
      salePriceEnd: "2026-08-31",
      quantity: 12,
      attributes: { rating: "4.5" },
    },
  ],
});

const context: EvalContext = {
  product,
  variant: product.variants[0]!,
  stock: { quantity: 12, locations: [], availability: "in_stock" },
  output: {},
  field: "",
  issues: [],
  images: undefined,
};

const env: PathEnv = { outputFields: new Set(["title"]), settings: {} };

function compile(yaml: string) {
  const { source } = readMappingSource(`when: ${yaml}\n`, "rules.yaml");
  const condition = (source.doc.toJS() as { when: Condition }).when;
  return compileCondition(condition, { source, path: ["when"] }, env);
}

const holds = (yaml: string): boolean => compile(yaml).test(context);

function problem(yaml: string): string {
  try {
    compile(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigProblem);
    return (error as Error).message;
  }
  throw new Error(`expected ${yaml} to be rejected`);
}

describe("conditions", () => {
  it("eq and ne compare text ignoring case unless case_sensitive", () => {
    expect(holds("{ field: brand, op: eq, value: acme }")).toBe(true);
    expect(holds("{ field: brand, op: eq, value: acme, case_sensitive: true }")).toBe(false);
    expect(holds("{ field: brand, op: ne, value: Other }")).toBe(true);
    expect(holds("{ field: brand, op: ne, value: ACME }")).toBe(false);
    expect(holds("{ field: variant.gtin, op: ne, value: x }")).toBe(true);
    expect(holds("{ field: variant.gtin, op: eq, value: x }")).toBe(false);
  });

  it("eq compares numbers numerically and Money in major units", () => {
    expect(holds("{ field: variant.quantity, op: eq, value: 12 }")).toBe(true);
    expect(holds("{ field: variant.quantity, op: eq, value: '12.0' }")).toBe(true);
    expect(holds("{ field: variant.price, op: eq, value: 120.5 }")).toBe(true);
    expect(holds("{ field: variant.price, op: eq, value: '120.50 usd' }")).toBe(true);
    expect(holds("{ field: attributes.rating, op: eq, value: 4.5 }")).toBe(true);
  });

  it("in takes a list", () => {
    expect(holds("{ field: brand, op: in, value: [Other, ACME] }")).toBe(true);
    expect(holds("{ field: variant.quantity, op: in, value: [1, 2] }")).toBe(false);
    expect(holds("{ field: product.tags, op: in, value: [winter, summer] }")).toBe(true);
  });

  it("contains is a substring of text or membership of a list", () => {
    expect(holds("{ field: title, op: contains, value: LINEN }")).toBe(true);
    expect(holds("{ field: title, op: contains, value: LINEN, case_sensitive: true }")).toBe(false);
    expect(holds("{ field: product.tags, op: contains, value: summer }")).toBe(true);
    expect(holds("{ field: product.tags, op: contains, value: sale }")).toBe(false);
    expect(holds("{ field: variant.gtin, op: contains, value: x }")).toBe(false);
  });

  it("starts_with and matches", () => {
    expect(holds("{ field: sku, op: starts_with, value: p1- }")).toBe(true);
    expect(holds("{ field: product.tags, op: starts_with, value: sale }")).toBe(true);
    expect(holds("{ field: sku, op: matches, value: '^p\\d-[sm]$' }")).toBe(true);
    expect(holds("{ field: sku, op: matches, value: '^p', case_sensitive: true }")).toBe(false);
  });

  it("gt, gte, lt, lte on numbers, numeric text, Money and ISO dates", () => {
    expect(holds("{ field: variant.price, op: gt, value: 100 }")).toBe(true);
    expect(holds("{ field: variant.price, op: gt, value: 120.5 }")).toBe(false);
    expect(holds("{ field: variant.price, op: gte, value: 120.5 }")).toBe(true);
    expect(holds("{ field: variant.quantity, op: lt, value: '20' }")).toBe(true);
    expect(holds("{ field: attributes.rating, op: lte, value: 4.5 }")).toBe(true);
    expect(holds("{ field: variant.salePriceEnd, op: gt, value: '2026-06-01' }")).toBe(true);
    expect(holds("{ field: variant.salePriceEnd, op: lt, value: '2026-08-01T00:00Z' }")).toBe(false);
    expect(holds("{ field: variant.gtin, op: gt, value: 1 }")).toBe(false);
  });

  it("exists and empty", () => {
    expect(holds("{ field: variant.salePrice, op: exists }")).toBe(true);
    expect(holds("{ field: variant.gtin, op: exists }")).toBe(false);
    expect(holds("{ field: variant.gtin, op: empty }")).toBe(true);
    expect(holds("{ field: variant.images, op: empty }")).toBe(true);
  });

  it("all, any and not combine conditions", () => {
    const all =
      "{ all: [ { field: brand, op: eq, value: acme }, { field: variant.price, op: gt, value: 100 } ] }";
    expect(holds(all)).toBe(true);
    expect(
      holds("{ all: [ { field: brand, op: eq, value: acme }, { field: variant.gtin, op: exists } ] }"),
    ).toBe(false);
    expect(
      holds("{ any: [ { field: variant.gtin, op: exists }, { field: brand, op: eq, value: acme } ] }"),
    ).toBe(true);
    expect(
      holds("{ any: [ { field: variant.gtin, op: exists }, { field: variant.mpn, op: exists } ] }"),
    ).toBe(false);
    expect(holds("{ not: { field: variant.gtin, op: exists } }")).toBe(true);
    expect(holds(`{ not: ${all} }`)).toBe(false);
  });

  it("describe themselves for traces", () => {
    expect(compile("{ field: variant.price, op: gt, value: 100 }").text).toBe("variant.price gt 100");
    expect(
      compile(
        "{ any: [ { field: brand, op: in, value: [a, b] }, { not: { field: variant.gtin, op: exists } } ] }",
      ).text,
    ).toBe('(brand in ["a", "b"] or not variant.gtin exists)');
  });

  it("report problems at the offending node", () => {
    expect(problem("{ field: variant.prise, op: exists }")).toBe(
      'rules.yaml:1:16: unknown variant field "prise" in "variant.prise" (did you mean "price"?)',
    );
    expect(problem("{ field: title, op: matches, value: '([a' }")).toMatch(
      /^rules\.yaml:1:43: bad regular expression/,
    );
    expect(problem("{ field: title, op: in, value: a }")).toBe(
      'rules.yaml:1:38: "in" needs a list value, e.g. [a, b]',
    );
    expect(problem("{ field: title, op: eq, value: [a] }")).toContain(
      '"eq" compares with one value, not a list',
    );
    expect(problem("{ field: title, op: eq }")).toBe('rules.yaml:1:27: "eq" needs a value');
    expect(problem("{ field: title, op: exists, value: 1 }")).toBe(
      'rules.yaml:1:42: "exists" takes no value',
    );
    expect(problem("{ field: title, op: gt, value: true }")).toContain("compares numbers, prices or dates");
    expect(problem("{ all: [ { field: title, op: exists }, { field: nope, op: exists } ] }")).toMatch(
      /^rules\.yaml:1:55: unknown path "nope"/,
    );
  });
});
