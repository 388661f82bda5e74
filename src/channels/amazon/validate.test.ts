import { describe, expect, it } from "vitest";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import type { AmazonSettings } from "./config.js";
import { AmazonSettingsSchema } from "./config.js";
import { toAmazonItem } from "./transform.js";
import { validateAmazonItem } from "./validate.js";

const settings = AmazonSettingsSchema.parse({ seller_id: "A1DEMOSELLER00" });

const VALID: Record<string, FieldValue> = {
  sku: "HP-200-BLK",
  product_type: "HEADPHONES",
  item_name: "Studio Headphones, Black",
  brand: "Omni Audio",
  externally_assigned_product_identifier: "036000291452",
  condition_type: "new_new",
  our_price: { amount: 7999, currency: "USD" },
  quantity: 4,
  main_image: "https://demo.omnifeed.dev/i/hp.jpg",
};

function codes(fields: Record<string, FieldValue>, options: Partial<AmazonSettings> = {}): string[] {
  const merged = { ...settings, ...options };
  const mapped: MappingResult = {
    fields: { ...VALID, ...fields },
    stock: { quantity: undefined, locations: [], availability: "in_stock" },
    firedRules: [],
    issues: [],
  };
  const { item, issues } = toAmazonItem(mapped, merged);
  return [...issues, ...validateAmazonItem(item, merged)].map(
    (issue) => `${issue.severity}:${issue.code}:${issue.field ?? ""}`,
  );
}

describe("validateAmazonItem", () => {
  it("accepts a complete listing", () => {
    expect(codes({})).toEqual([]);
  });

  it("needs a SKU of at most 40 characters and a product type", () => {
    expect(codes({ sku: undefined })).toEqual(["error:sku_missing:sku"]);
    expect(codes({ sku: "S".repeat(41) })).toEqual(["error:sku_too_long:sku"]);
    expect(codes({ product_type: undefined })).toEqual(["error:product_type_missing:product_type"]);
    expect(codes({ product_type: "Head phones" })).toEqual(["error:product_type_invalid:product_type"]);
  });

  it("needs an item name, and warns above 200 characters", () => {
    expect(codes({ item_name: undefined })).toEqual(["error:item_name_missing:item_name"]);
    expect(codes({ item_name: "n".repeat(201) })).toEqual(["warning:item_name_too_long:item_name"]);
    expect(codes({ brand: undefined })).toEqual(["warning:brand_missing:brand"]);
    expect(codes({ item_name: undefined, brand: undefined }, { requirements: "LISTING_OFFER_ONLY" })).toEqual(
      [],
    );
  });

  it("needs a price above zero in the marketplace currency", () => {
    expect(codes({ our_price: undefined })).toEqual(["error:price_missing:our_price"]);
    expect(codes({ our_price: undefined }, { requirements: "LISTING_PRODUCT_ONLY" })).toEqual([]);
    expect(codes({ our_price: { amount: 0, currency: "USD" } })).toEqual([
      "error:price_not_positive:our_price",
    ]);
    expect(codes({ our_price: { amount: 7999, currency: "EUR" } })).toEqual([
      "error:currency_mismatch:our_price",
    ]);
    expect(codes({ list_price: "89.99 CAD" })).toEqual(["error:currency_mismatch:list_price"]);
    expect(codes({ sale_price: "79.99" })).toEqual(["error:sale_price_not_lower:sale_price"]);
    expect(codes({ sale_price: "59.99", sale_price_start: "Black Friday" })).toEqual([
      "error:date_invalid:sale_price_start",
    ]);
  });

  it("checks the quantity", () => {
    expect(codes({ quantity: -1 })).toEqual(["error:quantity_invalid:quantity"]);
    expect(codes({ quantity: 2.5 })).toEqual(["error:quantity_invalid:quantity"]);
    expect(codes({ quantity: undefined })).toEqual(["warning:quantity_missing:quantity"]);
    expect(codes({ quantity: undefined }, { fulfillment_channel_code: "AMAZON_NA" })).toEqual([]);
  });

  it("checks identifiers", () => {
    expect(codes({ externally_assigned_product_identifier: "036000291453" })).toEqual([
      "error:gtin_check_digit:externally_assigned_product_identifier",
    ]);
    expect(codes({ externally_assigned_product_identifier: "ABC" })).toEqual([
      "error:gtin_invalid:externally_assigned_product_identifier",
    ]);
    // A dropped GTIN declares no exemption: the product has one, the file damaged it.
    expect(
      codes({ externally_assigned_product_identifier: "3.60063E+11" }, { invalid_identifiers: "drop" }),
    ).toEqual(["warning:gtin_spreadsheet_damage:externally_assigned_product_identifier"]);
    expect(codes({ externally_assigned_product_identifier: undefined })).toEqual([
      "warning:gtin_exemption_declared:externally_assigned_product_identifier",
    ]);
    expect(
      codes({ externally_assigned_product_identifier: undefined, merchant_suggested_asin: "B0DCBV9LKP" }),
    ).toEqual([]);
    expect(codes({ merchant_suggested_asin: "B0-123" })).toEqual([
      "error:asin_invalid:merchant_suggested_asin",
    ]);
  });

  it("needs https images", () => {
    expect(codes({ main_image: "http://demo.omnifeed.dev/i/hp.jpg" })).toEqual([
      "error:image_not_https:main_product_image_locator",
    ]);
    expect(codes({ other_images: ["https://a.test/1.jpg", "ftp://a.test/2.jpg"] })).toEqual([
      "error:image_not_https:other_product_image_locator_2",
    ]);
  });

  it("checks the condition and variations", () => {
    expect(codes({ condition_type: "like new" })).toEqual(["error:condition_type_invalid:condition_type"]);
    expect(codes({ condition_type: "used" })).toEqual([]);
    expect(codes({ parent_sku: "HP-200" })).toEqual(["warning:variation_theme_missing:variation_theme"]);
    expect(codes({ parent_sku: "HP-200", variation_theme: "COLOR" })).toEqual([]);
  });
});
