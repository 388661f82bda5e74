import { describe, expect, it } from "vitest";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import { MetaSettingsSchema } from "./config.js";
import { metaChannel } from "./index.js";
import { toMetaItem } from "./transform.js";

function mappedOf(fields: Record<string, FieldValue>): MappingResult {
  return {
    fields,
    stock: { quantity: 3, locations: [], availability: "in_stock" },
    firedRules: [],
    issues: [],
  };
}

const settings = MetaSettingsSchema.parse({});

describe("toMetaItem", () => {
  it("spells values the way Meta does, in the Commerce Manager order", () => {
    const { item, issues } = toMetaItem(
      mappedOf({
        brand: "Acme",
        id: "TS-RED-M",
        availability: "in_stock",
        price: { amount: 999, currency: "USD" },
        age_group: "all_ages",
        quantity_to_sell_on_facebook: 3,
        shipping_weight: { value: 2, unit: "lb" },
        internal_label: ["summer", "sale"],
      }),
      settings,
    );
    expect(issues).toEqual([]);
    expect(item.attributes).toEqual({
      id: "TS-RED-M",
      availability: "in stock",
      price: "9.99 USD",
      brand: "Acme",
      quantity_to_sell_on_facebook: "3",
      age_group: "all ages",
      shipping_weight: "2 lb",
      internal_label: ["summer", "sale"],
    });
    const present = Object.entries(item.attributes).filter(([, value]) => value !== undefined);
    expect(present.map(([name]) => name)).toEqual([
      "id",
      "availability",
      "price",
      "brand",
      "quantity_to_sell_on_facebook",
      "age_group",
      "shipping_weight",
      "internal_label",
    ]);
  });

  it("sells preorders and backorders as available for order", () => {
    for (const availability of ["preorder", "backorder", "available_for_order"]) {
      expect(toMetaItem(mappedOf({ availability }), settings).item.attributes.availability).toBe(
        "available for order",
      );
    }
    expect(
      toMetaItem(mappedOf({ availability: "out_of_stock" }), settings).item.attributes.availability,
    ).toBe("out of stock");
  });

  it("accepts plain strings from overrides", () => {
    const { item } = toMetaItem(
      mappedOf({
        price: "EUR 20",
        sale_price: "15",
        additional_image_link: "https://a.test/1.jpg, https://a.test/2.jpg",
        shipping: "GB::Standard:4.95 GBP",
        condition: "Refurbished",
      }),
      settings,
    );
    expect(item.attributes).toEqual({
      condition: "refurbished",
      price: "20.00 EUR",
      sale_price: "15.00 EUR",
      shipping: [{ country: "GB", service: "Standard", price: "4.95 GBP" }],
      additional_image_link: ["https://a.test/1.jpg", "https://a.test/2.jpg"],
    });
  });

  it("drops additional images beyond 20 with a warning", () => {
    const images = Array.from({ length: 22 }, (_, index) => `https://a.test/${index}.jpg`);
    const { item, issues } = toMetaItem(mappedOf({ additional_image_link: images }), settings);
    expect(item.attributes.additional_image_link).toHaveLength(20);
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "too_many_values",
        field: "additional_image_link",
      }),
    ]);
  });

  it("cleans the id once: a tab in the SKU is a space in every Meta feed", () => {
    const { item } = toMetaItem(mappedOf({ id: "TEE\tTAB-03" }), settings);
    expect(item.attributes.id).toBe("TEE TAB-03");
    expect(metaChannel.keyOf(item)).toBe("TEE TAB-03");
  });

  it("runs the same identifier check as Google and reads category paths as ids", () => {
    const { item, issues } = toMetaItem(
      mappedOf({
        gtin: "3.65275E+11",
        mpn: "3.65275E+11",
        google_product_category: "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs",
      }),
      settings,
    );
    expect([item.attributes.gtin, item.attributes.mpn, item.attributes.google_product_category]).toEqual([
      undefined,
      undefined,
      "2169",
    ]);
    expect(issues.map((issue) => `${issue.severity}:${issue.code}`)).toEqual([
      "warning:gtin_spreadsheet_damage",
      "warning:mpn_spreadsheet_damage",
    ]);
    const rejected = toMetaItem(mappedOf({ gtin: "12345" }), { ...settings, invalid_identifiers: "reject" });
    expect(rejected.issues.map((issue) => `${issue.severity}:${issue.code}`)).toEqual(["error:gtin_invalid"]);
  });
});
