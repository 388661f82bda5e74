import { describe, expect, it } from "vitest";
import type { ItemIssue } from "../../core/issues.js";
import { MetaSettingsSchema } from "./config.js";
import type { MetaAttributes } from "./fields.js";
import { validateMetaItem } from "./validate.js";

const settings = MetaSettingsSchema.parse({});

const VALID: MetaAttributes = {
  id: "DB_1",
  title: "Dog Bowl In Blue",
  description: "Solid plastic dog bowl in marine blue.",
  availability: "in stock",
  condition: "new",
  price: "9.99 USD",
  link: "https://demo.omnifeed.dev/p/db-1",
  image_link: "https://demo.omnifeed.dev/i/db-1.jpg",
  brand: "Example",
};

function codes(attributes: MetaAttributes): string[] {
  return validateMetaItem({ attributes: { ...VALID, ...attributes } }, settings).map(
    (issue: ItemIssue) => `${issue.severity}:${issue.code}:${issue.field ?? ""}`,
  );
}

describe("validateMetaItem", () => {
  it("accepts a complete item", () => {
    expect(codes({})).toEqual([]);
  });

  it("requires Meta's required fields", () => {
    const found = validateMetaItem({ attributes: {} }, settings)
      .filter((issue) => issue.code === "required_missing")
      .map((issue) => issue.field);
    expect(found).toEqual([
      "id",
      "title",
      "description",
      "availability",
      "condition",
      "price",
      "link",
      "image_link",
    ]);
  });

  it("needs one of brand, gtin or mpn", () => {
    expect(codes({ brand: undefined })).toEqual(["error:identifier_missing:brand"]);
    expect(codes({ brand: undefined, gtin: "4006381333931" })).toEqual(["warning:brand_missing:brand"]);
  });

  it("checks id, title and description lengths", () => {
    expect(codes({ id: "x".repeat(101) })).toEqual(["error:value_too_long:id"]);
    expect(codes({ title: "t".repeat(120) })).toEqual(["warning:title_long:title"]);
    expect(codes({ title: "t".repeat(151) })).toEqual(["error:value_too_long:title"]);
    expect(codes({ description: "d".repeat(6000) })).toEqual(["warning:description_long:description"]);
    expect(codes({ description: "d".repeat(10_000) })).toEqual(["error:value_too_long:description"]);
  });

  it("warns about a U+FFFD already in a text, in a single value or in a list", () => {
    expect(codes({ title: "Caf\uFFFD Mug" })).toEqual(["warning:replacement_character:title"]);
    expect(codes({ internal_label: ["ok", "\uFFFDt\uFFFD"] })).toEqual([
      "warning:replacement_character:internal_label",
    ]);
  });

  it("checks Meta's closed lists", () => {
    expect(codes({ availability: "in_stock" })).toEqual(["error:enum_invalid:availability"]);
    expect(codes({ age_group: "all_ages" })).toEqual(["error:enum_invalid:age_group"]);
    expect(codes({ age_group: "all ages", gender: "unisex", condition: "used" })).toEqual([]);
  });

  it("checks prices, URLs, numbers and shipping", () => {
    expect(codes({ price: "9,99 €" })).toEqual(["error:price_invalid:price"]);
    expect(codes({ sale_price: "10.00 USD" })).toEqual(["error:sale_price_not_lower:sale_price"]);
    expect(codes({ sale_price_effective_date: "tomorrow" })).toEqual([
      "error:sale_price_effective_date_invalid:sale_price_effective_date",
    ]);
    expect(codes({ image_link: "//cdn/db.jpg" })).toEqual(["error:url_invalid:image_link"]);
    expect(codes({ quantity_to_sell_on_facebook: "-1" })).toEqual([
      "error:number_invalid:quantity_to_sell_on_facebook",
    ]);
    expect(codes({ shipping: [{ country: "UK", price: "4.95" }] })).toEqual([
      "error:shipping_invalid:shipping",
    ]);
  });

  it("checks list limits of values", () => {
    expect(codes({ internal_label: ["ok", "l".repeat(111)] })).toEqual([
      "error:value_too_long:internal_label",
    ]);
  });
});
