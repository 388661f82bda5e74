import { describe, expect, it } from "vitest";
import type { ItemIssue } from "../../core/issues.js";
import { GoogleSettingsSchema } from "./config.js";
import type { GoogleAttributes } from "./fields.js";
import type { GoogleItem } from "./transform.js";
import { validateGoogleItem } from "./validate.js";

const settings = GoogleSettingsSchema.parse({});

const VALID: GoogleAttributes = {
  id: "MUG-01",
  title: "Stoneware Mug 350 ml",
  description: "A heavy stoneware mug.",
  link: "https://demo.omnifeed.dev/p/mug",
  image_link: "https://demo.omnifeed.dev/i/mug.jpg",
  availability: "in_stock",
  price: "15.00 USD",
  google_product_category: "2169",
  brand: "Omni Home",
  gtin: "4006381333931",
  condition: "new",
};

function issuesOf(attributes: GoogleAttributes, options: Partial<typeof settings> = {}): ItemIssue[] {
  const item: GoogleItem = { attributes: { ...VALID, ...attributes }, localInventory: [] };
  return validateGoogleItem(item, { ...settings, ...options });
}

function codes(issues: ItemIssue[]): string[] {
  return issues.map((issue) => `${issue.severity}:${issue.code}:${issue.field ?? ""}`);
}

describe("validateGoogleItem", () => {
  it("accepts a complete item", () => {
    expect(issuesOf({})).toEqual([]);
  });

  it("requires the always-required attributes", () => {
    const item: GoogleItem = { attributes: {}, localInventory: [] };
    const found = codes(validateGoogleItem(item, settings)).filter((code) =>
      code.includes("required_missing"),
    );
    expect(found).toEqual(
      ["id", "title", "description", "link", "image_link", "availability", "price"].map(
        (field) => `error:required_missing:${field}`,
      ),
    );
  });

  it("checks lengths", () => {
    expect(codes(issuesOf({ title: "x".repeat(151) }))).toEqual(["error:value_too_long:title"]);
    expect(codes(issuesOf({ id: "x".repeat(51) }))).toEqual(["error:value_too_long:id"]);
    expect(codes(issuesOf({ description: "x".repeat(5001) }))).toEqual(["error:value_too_long:description"]);
    expect(codes(issuesOf({ brand: "b".repeat(71) }))).toEqual(["error:value_too_long:brand"]);
    expect(codes(issuesOf({ title: "x".repeat(150), mpn: "m".repeat(70) }))).toEqual([]);
  });

  it("checks closed lists, URLs, numbers, measures and dates", () => {
    expect(codes(issuesOf({ availability: "sold out" }))).toEqual(["error:enum_invalid:availability"]);
    expect(codes(issuesOf({ condition: "mint" }))).toEqual(["error:enum_invalid:condition"]);
    expect(codes(issuesOf({ size_type: ["regular", "huge"] }))).toEqual(["error:enum_invalid:size_type"]);
    expect(codes(issuesOf({ link: "demo.omnifeed.dev/p/mug" }))).toEqual(["error:url_invalid:link"]);
    expect(codes(issuesOf({ additional_image_link: ["ftp://x/1.jpg"] }))).toEqual([
      "error:url_invalid:additional_image_link",
    ]);
    expect(codes(issuesOf({ max_handling_time: "two" }))).toEqual(["error:number_invalid:max_handling_time"]);
    expect(codes(issuesOf({ multipack: "1" }))).toEqual(["error:number_invalid:multipack"]);
    expect(codes(issuesOf({ shipping_weight: "3 stone" }))).toEqual([
      "error:measure_invalid:shipping_weight",
    ]);
    expect(codes(issuesOf({ shipping_length: "20 mm" }))).toEqual(["error:measure_invalid:shipping_length"]);
    expect(codes(issuesOf({ expiration_date: "next week" }))).toEqual(["error:date_invalid:expiration_date"]);
  });

  it("requires availability_date for preorder and backorder", () => {
    expect(codes(issuesOf({ availability: "preorder" }))).toEqual([
      "error:availability_date_missing:availability_date",
    ]);
    expect(
      codes(issuesOf({ availability: "backorder", availability_date: "2026-12-01T00:00-0800" })),
    ).toEqual([]);
  });

  it("checks prices and the sale", () => {
    expect(codes(issuesOf({ price: "15 dollars" }))).toEqual(["error:price_invalid:price"]);
    expect(codes(issuesOf({ price: "0.00 USD" }))).toEqual(["error:price_not_positive:price"]);
    expect(codes(issuesOf({ sale_price: "cheap" }))).toEqual(["error:sale_price_invalid:sale_price"]);
    expect(codes(issuesOf({ sale_price: "12.00 EUR" }))).toEqual(["error:sale_price_invalid:sale_price"]);
    expect(codes(issuesOf({ sale_price: "15.00 USD" }))).toEqual(["error:sale_price_not_lower:sale_price"]);
    expect(codes(issuesOf({ sale_price: "12.00 USD" }))).toEqual([]);
  });

  it("checks the shape of sale_price_effective_date", () => {
    const good = "2026-11-27T00:00-0800/2026-12-01T23:59-0800";
    expect(codes(issuesOf({ sale_price_effective_date: good }))).toEqual([]);
    expect(codes(issuesOf({ sale_price_effective_date: "2026-11-27/2026-12-01" }))).toEqual([]);
    for (const bad of [
      "2026-11-27T00:00-0800",
      "2026-11-27/",
      "27/11/2026-01/12/2026",
      "2026-12-01/2026-11-27",
    ]) {
      expect(codes(issuesOf({ sale_price_effective_date: bad }))).toEqual([
        "error:sale_price_effective_date_invalid:sale_price_effective_date",
      ]);
    }
  });

  // Invalid GTINs never reach validation: toGoogleItem screens them (transform.test.ts).
  it("warns about GTINs with a restricted prefix", () => {
    expect(codes(issuesOf({ gtin: "036000291452" }))).toEqual([]);
    expect(codes(issuesOf({ gtin: "2000000000008" }))).toEqual(["warning:gtin_restricted_prefix:gtin"]);
  });

  it("checks the identifier rules", () => {
    expect(codes(issuesOf({ gtin: undefined }))).toEqual(["warning:identifiers_missing:gtin"]);
    expect(codes(issuesOf({ gtin: undefined, mpn: "MUG-350" }))).toEqual([]);
    expect(codes(issuesOf({ gtin: undefined, identifier_exists: "no" }))).toEqual([]);
    expect(codes(issuesOf({ identifier_exists: "no" }))).toEqual([
      "warning:identifier_exists_conflict:identifier_exists",
    ]);
    expect(codes(issuesOf({ brand: undefined }))).toEqual(["warning:brand_missing:brand"]);
    expect(codes(issuesOf({ brand: undefined, condition: "used" }))).toEqual([]);
  });

  it("requires the apparel attributes, as errors in the listed countries", () => {
    const tee: GoogleAttributes = { google_product_category: "212" };
    expect(codes(issuesOf(tee))).toEqual([
      "error:apparel_attribute_missing:color",
      "error:apparel_attribute_missing:gender",
      "error:apparel_attribute_missing:age_group",
      "error:apparel_attribute_missing:size",
    ]);
    expect(
      codes(issuesOf({ ...tee, color: "Red", gender: "unisex", age_group: "adult", size: "M" })),
    ).toEqual([]);
    expect(
      codes(
        issuesOf(
          { google_product_category: "Apparel & Accessories > Jewelry", brand: undefined },
          { target_country: "CA" },
        ),
      ),
    ).toEqual([
      "warning:apparel_attribute_missing:brand",
      "warning:apparel_attribute_missing:color",
      "warning:apparel_attribute_missing:gender",
      "warning:apparel_attribute_missing:age_group",
    ]);
  });

  it("checks item_group_id", () => {
    expect(codes(issuesOf({ item_group_id: "MUG_01-a" }))).toEqual([]);
    expect(codes(issuesOf({ item_group_id: "mug 01/a" }))).toEqual([
      "error:item_group_id_invalid:item_group_id",
    ]);
  });

  it("checks shipping groups", () => {
    expect(codes(issuesOf({ shipping: [{ country: "US", price: "4.99 USD" }] }))).toEqual([]);
    expect(codes(issuesOf({ shipping: [{ country: "USA", price: "" }] }))).toEqual([
      "error:shipping_invalid:shipping",
    ]);
  });
});
