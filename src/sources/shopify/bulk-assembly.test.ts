import { describe, expect, it } from "vitest";
import { BulkAssembler } from "./bulk-assembly.js";

const product = (n: number, variants: number, media = 0) =>
  JSON.stringify({
    id: `gid://shopify/Product/${n}`,
    handle: `p${n}`,
    title: `P${n}`,
    status: "ACTIVE",
    tags: [],
    variantsCount: { count: variants },
    mediaCount: { count: media },
  });
const variant = (n: number, v: number) =>
  JSON.stringify({
    id: `gid://shopify/ProductVariant/${n * 100 + v}`,
    sku: `S${n}-${v}`,
    price: "1.00",
    position: v,
    __parentId: `gid://shopify/Product/${n}`,
  });
const image = (n: number, i: number) =>
  JSON.stringify({
    id: `gid://shopify/MediaImage/${n * 100 + i}`,
    image: { url: `https://img.example/${n}/${i}.jpg` },
    __parentId: `gid://shopify/Product/${n}`,
  });

function run(lines: string[], resumed = false, skip = 0, maxOpen?: number) {
  const assembler = new BulkAssembler({
    label: "shopify:test",
    locations: [],
    firstPosition: 1,
    resumed,
    ...(maxOpen !== undefined ? { maxOpen } : {}),
  });
  const products = [];
  const issues = [];
  let mostOpen = 0;
  lines.forEach((line, index) => {
    if (index < skip) return;
    const out = assembler.push(line, index);
    products.push(...out.products);
    issues.push(...out.issues);
    mostOpen = Math.max(mostOpen, assembler.openCount());
  });
  const rest = assembler.finish();
  products.push(...rest.products);
  issues.push(...rest.issues);
  return { products, issues, mostOpen, assembler };
}

describe("BulkAssembler", () => {
  const grouped = [
    product(1, 2, 1),
    variant(1, 1),
    image(1, 1),
    variant(1, 2),
    product(2, 1),
    variant(2, 1),
    product(3, 1),
    variant(3, 1),
  ];
  // From 2026-01 (groupObjects false): a product's children come after the next product.
  const ungrouped = [
    product(1, 2, 1),
    product(2, 1),
    variant(1, 2),
    image(1, 1),
    variant(1, 1),
    product(3, 1),
    variant(2, 1),
    variant(3, 1),
  ];

  it("gives the same products, in file order, whether children follow their parent or the next one", () => {
    const a = run(grouped);
    const b = run(ungrouped);
    expect(a.issues).toEqual([]);
    expect(b.issues).toEqual([]);
    expect(b.products).toEqual(a.products);
    expect(a.products.map((p) => [p.handle, p.position, p.variants.map((v) => v.sku), p.images])).toEqual([
      ["p1", 1, ["S1-1", "S1-2"], ["https://img.example/1/1.jpg"]],
      ["p2", 2, ["S2-1"], []],
      ["p3", 3, ["S3-1"], []],
    ]);
    // Bounded: at most the product and the one after it are held.
    expect(b.mostOpen).toBeLessThanOrEqual(2);
  });

  it("hands a product out as soon as its announced children arrived", () => {
    const assembler = new BulkAssembler({
      label: "shopify:test",
      locations: [],
      firstPosition: 1,
      resumed: false,
    });
    expect(assembler.push(product(1, 1), 0).products).toEqual([]);
    expect(assembler.push(variant(1, 1), 1).products.map((p) => p.handle)).toEqual(["p1"]);
    expect(assembler.resumeLine()).toBe(2);
    assembler.push(product(2, 1), 2);
    expect(assembler.resumeLine()).toBe(2);
  });

  it("on resume drops children of products handed out before the resume line, without an issue", () => {
    // Resume at line 1 (product 2 was the oldest open one): line 2 belongs to product 1.
    const resumed = run(ungrouped, true, 1);
    expect(resumed.issues).toEqual([]);
    expect(resumed.products.map((p) => p.handle)).toEqual(["p2", "p3"]);
  });

  it("reports a child without its product on a fresh read, and a product whose children never came", () => {
    const { issues, products } = run([variant(9, 1), product(1, 2), variant(1, 1)]);
    expect(issues.map((issue) => [issue.line, issue.severity])).toEqual([
      [1, "warning"],
      [2, "warning"],
    ]);
    expect(products[0]!.variants).toHaveLength(1);
  });

  it("hands out the oldest product incomplete past maxOpen, saying so", () => {
    const lines = [product(1, 5), product(2, 1), variant(2, 1), product(3, 1), variant(3, 1)];
    const { products, issues } = run(lines, false, 0, 1);
    expect(products.map((p) => p.handle)).toEqual(["p1", "p2", "p3"]);
    expect(issues[0]!.message).toContain("still missing");
  });

  it("reports a line that is not JSON by its line number", () => {
    const { issues } = run([product(1, 0), "{oops"]);
    expect(issues).toEqual([
      { file: "shopify:test", line: 2, severity: "error", message: "the bulk result line is not JSON" },
    ]);
  });
});
