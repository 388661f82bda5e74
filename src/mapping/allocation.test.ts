import { describe, expect, it } from "vitest";
import { VariantSchema } from "../core/catalog.js";
import type { VariantInput } from "../core/catalog.js";
import { allocate, offeredQuantity } from "./allocation.js";

const variant = (fields: Partial<VariantInput>) =>
  VariantSchema.parse({ sku: "S1", price: { amount: 100, currency: "USD" }, ...fields });

describe("offeredQuantity", () => {
  it("offers everything without a policy", () => {
    expect(offeredQuantity(10, undefined)).toBe(10);
    expect(offeredQuantity(10, {})).toBe(10);
  });

  it("holds back a buffer, never below zero", () => {
    expect(offeredQuantity(10, { buffer: 3 })).toBe(7);
    expect(offeredQuantity(2, { buffer: 3 })).toBe(0);
  });

  it("offers a share rounded down, after the buffer", () => {
    expect(offeredQuantity(10, { percentage: 50 })).toBe(5);
    expect(offeredQuantity(9, { percentage: 50 })).toBe(4);
    expect(offeredQuantity(12, { buffer: 2, percentage: 25 })).toBe(2);
  });

  it("caps the offer", () => {
    expect(offeredQuantity(500, { cap: 100 })).toBe(100);
    expect(offeredQuantity(50, { cap: 100 })).toBe(50);
  });

  it("offers nothing at or below the out-of-stock threshold", () => {
    expect(offeredQuantity(3, { out_of_stock_threshold: 3 })).toBe(0);
    expect(offeredQuantity(4, { out_of_stock_threshold: 3 })).toBe(4);
    expect(offeredQuantity(10, { buffer: 6, out_of_stock_threshold: 4 })).toBe(0);
  });
});

describe("allocate", () => {
  it("uses variant.quantity as the base", () => {
    expect(allocate(variant({ quantity: 10 }), { buffer: 2 })).toEqual({
      quantity: 8,
      locations: [],
      availability: "in_stock",
    });
  });

  it("sums the locations when quantity is absent, and applies the policy to each location", () => {
    const stocked = variant({
      inventory: [
        { location: "paris", quantity: 5 },
        { location: "lyon", quantity: 1 },
      ],
    });
    expect(allocate(stocked, { buffer: 1 })).toEqual({
      quantity: 5,
      locations: [
        { location: "paris", quantity: 4 },
        { location: "lyon", quantity: 0 },
      ],
      availability: "in_stock",
    });
  });

  it("offers only the locations named", () => {
    const stocked = variant({
      inventory: [
        { location: "paris", quantity: 5 },
        { location: "lyon", quantity: 3 },
      ],
    });
    expect(allocate(stocked, { locations: ["lyon"] })).toEqual({
      quantity: 3,
      locations: [{ location: "lyon", quantity: 3 }],
      availability: "in_stock",
    });
    expect(allocate(stocked, { locations: ["nice"] })).toEqual({
      quantity: 0,
      locations: [],
      availability: "out_of_stock",
    });
  });

  it("keeps untracked stock untracked and in stock", () => {
    expect(allocate(variant({}), { buffer: 5 })).toEqual({
      quantity: undefined,
      locations: [],
      availability: "in_stock",
    });
  });

  it("is out of stock when nothing is offered", () => {
    expect(allocate(variant({ quantity: 2 }), { buffer: 2 }).availability).toBe("out_of_stock");
    expect(allocate(variant({ quantity: 2, availability: "in_stock" }), { buffer: 2 }).availability).toBe(
      "out_of_stock",
    );
  });

  it("keeps preorder, backorder and out_of_stock from the catalog", () => {
    expect(allocate(variant({ quantity: 0, availability: "preorder" }), undefined).availability).toBe(
      "preorder",
    );
    expect(allocate(variant({ quantity: 0, availability: "backorder" }), undefined).availability).toBe(
      "backorder",
    );
    expect(allocate(variant({ quantity: 50, availability: "out_of_stock" }), undefined)).toEqual({
      quantity: 50,
      locations: [],
      availability: "out_of_stock",
    });
  });
});
