import { describe, expect, it } from "vitest";
import { apparelKindOf } from "./apparel.js";

describe("apparelKindOf", () => {
  it("decides by the category's ancestry, ids and paths alike", () => {
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

  it("knows categories deep in the tree, not only a listed few", () => {
    // Hats, under Clothing Accessories: apparel without a size.
    expect(apparelKindOf("173")).toEqual({ apparel: true, sized: false });
    // Baby & Toddler Clothing > Baby & Toddler Bottoms, two levels under Clothing.
    expect(apparelKindOf("5408")).toEqual({ apparel: true, sized: true });
    // Shoe Accessories are not Shoes.
    expect(apparelKindOf("1933")).toEqual({ apparel: true, sized: false });
  });

  it("treats an id Google does not list as not apparel", () => {
    expect(apparelKindOf("99999999")).toEqual({ apparel: false, sized: false });
  });
});
