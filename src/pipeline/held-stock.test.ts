import { describe, expect, it } from "vitest";
import { VariantSchema } from "../core/catalog.js";
import { heldVariant } from "./held-stock.js";

const variant = (fields: Record<string, unknown>) =>
  VariantSchema.parse({ sku: "TEE-1", price: { amount: 1500, currency: "USD" }, ...fields });

describe("heldVariant", () => {
  it("takes the held units off the quantity, never below 0", () => {
    expect(heldVariant(variant({ quantity: 5 }), 2).quantity).toBe(3);
    expect(heldVariant(variant({ quantity: 1 }), 2).quantity).toBe(0);
  });

  it("takes them off the sum of the locations when the variant has no total", () => {
    const located = variant({
      inventory: [
        { location: "a", quantity: 4 },
        { location: "b", quantity: 3 },
      ],
    });
    const held = heldVariant(located, 5);
    expect(held.quantity).toBe(2);
    expect(held.inventory).toEqual(located.inventory);
  });

  it("leaves an untracked variant, and a variant without a hold, as they are", () => {
    const untracked = variant({});
    expect(heldVariant(untracked, 3)).toBe(untracked);
    const stocked = variant({ quantity: 5 });
    expect(heldVariant(stocked, undefined)).toBe(stocked);
    expect(heldVariant(stocked, 0)).toBe(stocked);
  });
});
