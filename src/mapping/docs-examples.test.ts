import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PACKAGE_ROOT } from "../config/paths.js";
import { ProductSchema } from "../core/catalog.js";
import { loadMapping } from "./load.js";
import type { ChannelDescriptor } from "./types.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

/**
 * The ```yaml examples of docs/mapping.md must load and map an item, so the manual stays true to
 * the code. (Fragments that are not whole files are written as ```yml and not checked here.)
 */

const GOOGLE_LIKE_FIELDS = [
  "id",
  "item_group_id",
  "title",
  "description",
  "link",
  "image_link",
  "additional_image_link",
  "availability",
  "price",
  "sale_price",
  "google_product_category",
  "product_type",
  "product_detail",
  "brand",
  "gtin",
  "mpn",
  "identifier_exists",
  "condition",
  "color",
  "size",
  "shipping_weight",
  "custom_label_0",
  "custom_label_1",
  "custom_label_2",
  "custom_label_3",
  "custom_label_4",
];

// Stands in for channel-mappings/google.yaml: the rule ids and fields the examples refer to.
const DEFAULT_MAPPING = `version: 1
channel: google
fields:
  id: { path: sku }
  title: "{{ title }}"
  custom_label_2: { path: product.categoryPath, transforms: [first] }
rules:
  - id: on-sale-label
    when: { field: variant.salePrice, op: exists }
    then: { custom_label_0: on_sale }
  - id: price-band-low
    when: { field: variant.price, op: lt, value: 25 }
    then: { custom_label_1: under_25 }
`;

const manual = fs.readFileSync(path.join(PACKAGE_ROOT, "docs/mapping.md"), "utf8");
const examples = [...manual.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

const product = ProductSchema.parse({
  id: "P1",
  title: "Linen Shirt",
  brand: "Acme",
  description: "<p>Soft &amp; light</p>",
  categoryPath: ["Apparel", "Tops", "Shirts"],
  tags: ["summer"],
  images: ["https://img.example/p1.jpg"],
  attributes: { fabric: "linen", season: "summer" },
  variants: [
    {
      sku: "P1-M",
      price: { amount: 2345, currency: "USD" },
      salePrice: { amount: 1999, currency: "USD" },
      quantity: 12,
      color: "rouge",
      weight: { value: 250, unit: "g" },
      options: [{ name: "Size", value: "M" }],
      attributes: { model: "ab 12/x" },
      inventory: [{ location: "STORE-001", quantity: 12 }],
    },
  ],
});

function setup(): { dir: string; channel: ChannelDescriptor } {
  const dir = makeTempDir("docs");
  fs.writeFileSync(path.join(dir, "default.yaml"), DEFAULT_MAPPING);
  fs.writeFileSync(
    path.join(dir, "google-categories.csv"),
    "category,google_category_id\nApparel,166\nApparel > Tops,212\nHome > Kitchen > Mugs,2169\n",
  );
  return {
    dir,
    channel: {
      id: "google",
      fieldNames: GOOGLE_LIKE_FIELDS,
      settingsSchema: z.record(z.string(), z.unknown()),
      defaultMappingFile: path.join(dir, "default.yaml"),
    },
  };
}

describe("docs/mapping.md", () => {
  it("has examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each(examples.map((text, index) => [index + 1, text] as const))(
    "example %i loads and maps an item",
    (index, text) => {
      const { dir, channel } = setup();
      const file = path.join(dir, `example-${index}.yaml`);
      fs.writeFileSync(file, text);
      const mapping = loadMapping(channel, file);
      const result = mapping.evaluate(product, product.variants[0]!);
      expect(Object.keys(result.fields)).toEqual([...mapping.fieldNames]);
    },
  );

  it("tells the truth about the examples it explains", () => {
    const { dir, channel } = setup();
    const run = (needle: string) => {
      const text = examples.find((example) => example.includes(needle)) ?? "";
      const file = path.join(dir, "checked.yaml");
      fs.writeFileSync(file, text);
      return loadMapping(channel, file).evaluate(product, product.variants[0]!);
    };
    // "12 in stock → max(0, 12 − 3) = 9 → 80% → 7 offered"
    expect(run("percentage: 80").stock.quantity).toBe(7);
    const transforms = run("price_ending: 0.99").fields;
    expect(transforms.price).toEqual({ amount: 2899, currency: "USD" });
    expect(transforms.shipping_weight).toEqual({ value: 0.25, unit: "kg" });
    expect(transforms.product_type).toBe("Apparel > Tops");
    expect(transforms.mpn).toBe("AB12X");
    const lookups = run("google_category:").fields;
    expect(lookups.google_product_category).toBe("212");
    expect(lookups.color).toBe("red");
    const merged = run("extends: default");
    expect(merged.fields.custom_label_0).toBe("promo");
    expect(merged.fields.custom_label_1).toBeUndefined();
    expect("custom_label_2" in merged.fields).toBe(false);
    expect(merged.fields.custom_label_4).toBe("summer");
  });
});
