import { describe, expect, it } from "vitest";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import { AmazonSettingsSchema } from "./config.js";
import { amazonChannel } from "./index.js";
import { toAmazonItem } from "./transform.js";

function mappedOf(fields: Record<string, FieldValue>): MappingResult {
  return {
    fields,
    stock: { quantity: 7, locations: [], availability: "in_stock" },
    firedRules: [],
    issues: [],
  };
}

const settings = AmazonSettingsSchema.parse({ seller_id: "A1DEMOSELLER00" });
const US = "ATVPDKIKX0DER";

describe("toAmazonItem", () => {
  it("builds the listing attribute shapes", () => {
    const { item, issues } = toAmazonItem(
      mappedOf({
        sku: "TS-RED-M",
        product_type: "shirt",
        item_name: "Acme Tee, Red, M",
        brand: "Acme",
        product_description: "Soft cotton tee.",
        bullet_point: ["100% cotton", "Machine washable"],
        generic_keyword: ["tee", "t-shirt"],
        externally_assigned_product_identifier: "036000291452",
        condition_type: "new",
        list_price: { amount: 1999, currency: "USD" },
        our_price: { amount: 1500, currency: "USD" },
        sale_price: { amount: 1200, currency: "USD" },
        sale_price_start: "2026-11-27T00:00-0800",
        sale_price_end: "2026-12-01",
        quantity: 7,
        handling_time: 2,
        main_image: "https://demo.omnifeed.dev/i/tee.jpg",
        other_images: ["https://demo.omnifeed.dev/i/tee-2.jpg"],
        color: "Red",
        size: "M",
        item_weight: { value: 0.2, unit: "kg" },
        item_package_dimensions: { length: 30, width: 20, height: 2, unit: "cm" },
        number_of_items: 1,
      }),
      settings,
    );
    expect(issues).toEqual([]);
    expect(item.sku).toBe("TS-RED-M");
    expect(item.productType).toBe("SHIRT");
    expect(item.attributes).toEqual({
      item_name: [{ value: "Acme Tee, Red, M", language_tag: "en_US", marketplace_id: US }],
      brand: [{ value: "Acme", language_tag: "en_US", marketplace_id: US }],
      product_description: [{ value: "Soft cotton tee.", language_tag: "en_US", marketplace_id: US }],
      bullet_point: [
        { value: "100% cotton", language_tag: "en_US", marketplace_id: US },
        { value: "Machine washable", language_tag: "en_US", marketplace_id: US },
      ],
      generic_keyword: [{ value: "tee t-shirt", language_tag: "en_US", marketplace_id: US }],
      externally_assigned_product_identifier: [{ type: "upc", value: "036000291452", marketplace_id: US }],
      condition_type: [{ value: "new_new", marketplace_id: US }],
      purchasable_offer: [
        {
          marketplace_id: US,
          currency: "USD",
          audience: "ALL",
          our_price: [{ schedule: [{ value_with_tax: 15 }] }],
          discounted_price: [
            { schedule: [{ value_with_tax: 12, start_at: "2026-11-27T08:00:00Z", end_at: "2026-12-01" }] },
          ],
        },
      ],
      list_price: [{ value_with_tax: 19.99, currency: "USD", marketplace_id: US }],
      fulfillment_availability: [
        { fulfillment_channel_code: "DEFAULT", quantity: 7, lead_time_to_ship_max_days: 2 },
      ],
      main_product_image_locator: [
        { media_location: "https://demo.omnifeed.dev/i/tee.jpg", marketplace_id: US },
      ],
      other_product_image_locator_1: [
        { media_location: "https://demo.omnifeed.dev/i/tee-2.jpg", marketplace_id: US },
      ],
      color: [{ value: "Red", language_tag: "en_US", marketplace_id: US }],
      size: [{ value: "M", language_tag: "en_US", marketplace_id: US }],
      item_weight: [{ value: 0.2, unit: "kilograms", marketplace_id: US }],
      item_package_dimensions: [
        {
          length: { value: 30, unit: "centimeters" },
          width: { value: 20, unit: "centimeters" },
          height: { value: 2, unit: "centimeters" },
          marketplace_id: US,
        },
      ],
      number_of_items: [{ value: 1, marketplace_id: US }],
    });
  });

  it("derives the identifier type from the GTIN's length or takes it from the mapping", () => {
    const typeOf = (gtin: string, type?: string): unknown =>
      toAmazonItem(
        mappedOf({ externally_assigned_product_identifier: gtin, external_product_id_type: type }),
        settings,
      ).item.attributes.externally_assigned_product_identifier?.[0]?.type;
    expect(typeOf("036000291452")).toBe("upc");
    expect(typeOf("4006381333931")).toBe("ean");
    expect(typeOf("10012345678902")).toBe("gtin");
    expect(typeOf("96385074")).toBe("ean");
    expect(typeOf("4006381333931", "JAN")).toBe("jan");
  });

  it("declares the GTIN exemption only without GTIN and ASIN", () => {
    expect(toAmazonItem(mappedOf({ sku: "A" }), settings).item.attributes).toEqual({
      supplier_declared_has_product_identifier_exemption: [{ value: true, marketplace_id: US }],
    });
    expect(
      toAmazonItem(mappedOf({ merchant_suggested_asin: "B0DCBV9LKP" }), settings).item.attributes
        .supplier_declared_has_product_identifier_exemption,
    ).toBeUndefined();
  });

  it("accepts plain strings from overrides", () => {
    const { item, issues } = toAmazonItem(
      mappedOf({
        our_price: "24.90",
        list_price: "USD 29.90",
        quantity: "12",
        item_weight: "1.5 lb",
        item_dimensions: "10 x 5 x 2 in",
        other_images: "https://a.test/1.jpg,https://a.test/2.jpg",
        number_of_items: "2",
        externally_assigned_product_identifier: "4006381333931",
      }),
      settings,
    );
    expect(issues).toEqual([]);
    expect(item.attributes.purchasable_offer?.[0]?.our_price).toEqual([
      { schedule: [{ value_with_tax: 24.9 }] },
    ]);
    expect(item.attributes.list_price).toEqual([
      { value_with_tax: 29.9, currency: "USD", marketplace_id: US },
    ]);
    expect(item.attributes.fulfillment_availability).toEqual([
      { fulfillment_channel_code: "DEFAULT", quantity: 12 },
    ]);
    expect(item.attributes.item_weight).toEqual([{ value: 1.5, unit: "pounds", marketplace_id: US }]);
    expect(item.attributes.item_dimensions?.[0]?.length).toEqual({ value: 10, unit: "inches" });
    expect(item.attributes.other_product_image_locator_2).toEqual([
      { media_location: "https://a.test/2.jpg", marketplace_id: US },
    ]);
    expect(item.attributes.number_of_items).toEqual([{ value: 2, marketplace_id: US }]);
  });

  it("reports values it cannot read and leaves them out", () => {
    const { item, issues } = toAmazonItem(
      mappedOf({
        our_price: "ten",
        quantity: "lots",
        item_weight: "heavy",
        item_package_dimensions: "big",
        handling_time: 1.5,
      }),
      settings,
    );
    expect(issues.map((issue) => `${issue.code}:${issue.field ?? ""}`)).toEqual([
      "price_invalid:our_price",
      "quantity_invalid:quantity",
      "measure_invalid:item_weight",
      "measure_invalid:item_package_dimensions",
    ]);
    expect(item.attributes.purchasable_offer).toBeUndefined();
    expect(item.attributes.fulfillment_availability).toBeUndefined();
    const handling = toAmazonItem(mappedOf({ quantity: 1, handling_time: 1.5 }), settings).issues;
    expect(handling).toEqual([expect.objectContaining({ code: "number_invalid", field: "handling_time" })]);
  });

  it("sends no quantity for Amazon-fulfilled offers", () => {
    const fba = AmazonSettingsSchema.parse({ seller_id: "A1", fulfillment_channel_code: "AMAZON_NA" });
    expect(toAmazonItem(mappedOf({ quantity: 5 }), fba).item.attributes.fulfillment_availability).toEqual([
      { fulfillment_channel_code: "AMAZON_NA" },
    ]);
  });

  it("keeps at most 8 other images, with a warning", () => {
    const images = Array.from({ length: 10 }, (_, index) => `https://a.test/${index}.jpg`);
    const { item, issues } = toAmazonItem(mappedOf({ other_images: images }), settings);
    expect(item.attributes.other_product_image_locator_8).toBeDefined();
    expect(item.attributes.other_product_image_locator_9).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ code: "too_many_values", field: "other_images" })]);
  });

  it("links a variation child to its parent", () => {
    const { item } = toAmazonItem(mappedOf({ parent_sku: "TS", variation_theme: "size/color" }), settings);
    expect(item.attributes.parentage_level).toEqual([{ value: "child", marketplace_id: US }]);
    expect(item.attributes.child_parent_sku_relationship).toEqual([
      { child_relationship_type: "variation", parent_sku: "TS", marketplace_id: US },
    ]);
    expect(item.attributes.variation_theme).toEqual([{ name: "SIZE/COLOR" }]);
  });

  it("cleans the sku once: control characters become one space, ends trimmed", () => {
    const { item } = toAmazonItem(mappedOf({ sku: "MUG\r\n001\t" }), settings);
    expect(item.sku).toBe("MUG 001");
    expect(amazonChannel.keyOf(item)).toBe("MUG 001");
  });
});
