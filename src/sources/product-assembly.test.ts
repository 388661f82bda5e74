import { describe, expect, it } from "vitest";
import type { RowIssue } from "../core/issues.js";
import { fillOptionFields, finishProduct } from "./product-assembly.js";

const price = { amount: 1000, currency: "USD" };

describe("finishProduct", () => {
  it("leaves out a variant the schema rejects and keeps the rest with their lines", () => {
    const issues: RowIssue[] = [];
    const entry = finishProduct(
      {
        product: {
          id: "p",
          title: "P",
          variants: [
            { sku: "A", price },
            { sku: "B", price: { amount: 1.5, currency: "USD" } },
            { sku: "C", price },
          ],
        },
        line: 2,
        variantLines: [2, 3, 4],
      },
      "catalog.json",
      issues,
    );
    expect(entry?.product.variants.map((variant) => variant.sku)).toEqual(["A", "C"]);
    expect(entry?.origin).toEqual({ file: "catalog.json", line: 2, variantLines: [2, 4] });
    expect(issues).toEqual([
      {
        file: "catalog.json",
        line: 3,
        field: "variants.1.price.amount",
        id: "B",
        severity: "error",
        message: "Invalid input: expected int, received number",
      },
    ]);
  });

  it("leaves out the whole product when a product-level field is rejected", () => {
    const issues: RowIssue[] = [];
    const entry = finishProduct(
      {
        product: { id: "p", title: "P", link: "nope", variants: [{ sku: "A", price }] },
        line: 5,
        variantLines: [5],
      },
      "catalog.json",
      issues,
      (path) => `<${path.join("/")}>`,
    );
    expect(entry).toBeUndefined();
    expect(issues).toEqual([
      {
        file: "catalog.json",
        line: 5,
        field: "<link>",
        id: "p",
        severity: "error",
        message: "expected an http(s) URL",
      },
    ]);
  });

  it("fills color and size from options named Color, Colour and Size", () => {
    const variant = {
      sku: "A",
      price,
      size: "XL",
      options: [
        { name: "Colour", value: "Red" },
        { name: "size", value: "M" },
      ],
    };
    fillOptionFields(variant);
    expect(variant).toMatchObject({ color: "Red", size: "XL" });
  });
});
