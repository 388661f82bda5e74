import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ProductSchema } from "../core/catalog.js";
import type { ProductInput } from "../core/catalog.js";
import { compilePath, PRODUCT_FIELD_NAMES, VARIANT_FIELD_NAMES } from "./context.js";
import type { EvalContext, PathEnv } from "./context.js";
import { SpecError } from "./problems.js";

const input: ProductInput = {
  id: "P1",
  title: "Linen Shirt",
  brand: "Acme",
  color: "white",
  link: "https://shop.example/p1",
  images: ["https://img.example/p1.jpg", "https://img.example/shared.jpg"],
  categoryPath: ["Apparel", "Tops", "Shirts"],
  attributes: { fabric: "linen", fit: "regular" },
  variants: [
    {
      sku: "P1-S",
      price: { amount: 4999, currency: "EUR" },
      color: "blue",
      images: ["https://img.example/p1-s.jpg", "https://img.example/shared.jpg"],
      options: [
        { name: "Shoe Size", value: "42" },
        { name: "Colour", value: "Blue" },
      ],
      weight: { value: 250, unit: "g" },
      attributes: { fit: "slim" },
      inventory: [
        { location: "paris", quantity: 3 },
        { location: "lyon", quantity: 4 },
      ],
    },
    { sku: "P1-M", title: "Linen Shirt M", price: { amount: 4999, currency: "EUR" } },
  ],
};
const product = ProductSchema.parse(input);

function contextFor(variantIndex: number): EvalContext {
  return {
    product,
    variant: product.variants[variantIndex]!,
    stock: { quantity: 7, locations: [{ location: "paris", quantity: 3 }], availability: "in_stock" },
    output: { title: "Mapped title" },
    field: "x",
    issues: [],
    images: undefined,
  };
}

const env: PathEnv = {
  outputFields: new Set(["title", "price"]),
  settings: { currency: "EUR", shipping: { country: "FR" } },
  settingsSchema: z.object({ currency: z.string(), shipping: z.object({ country: z.string() }).optional() }),
};

const read = (path: string, variantIndex = 0): unknown => compilePath(path, env)(contextFor(variantIndex));

function problem(path: string): string {
  try {
    compilePath(path, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message;
  }
  throw new Error(`expected "${path}" to be rejected`);
}

describe("paths", () => {
  it("read canonical fields of the product and the variant, nested keys too", () => {
    expect(read("product.title")).toBe("Linen Shirt");
    expect(read("variant.price")).toEqual({ amount: 4999, currency: "EUR" });
    expect(read("variant.price.amount")).toBe(4999);
    expect(read("variant.weight.value")).toBe(250);
    expect(read("product.attributes.fabric")).toBe("linen");
    expect(read("product.categoryPath")).toEqual(["Apparel", "Tops", "Shirts"]);
    expect(read("product.categoryPath.1")).toBe("Tops");
    expect(read("variant.options.value")).toEqual(["42", "Blue"]);
    expect(read("variant.inventory.0.location")).toBe("paris");
    expect(read("variant.gtin")).toBeUndefined();
  });

  it("read a bare name from the variant, falling back to the product", () => {
    expect(read("title")).toBe("Linen Shirt");
    expect(read("title", 1)).toBe("Linen Shirt M");
    expect(read("color")).toBe("blue");
    expect(read("color", 1)).toBe("white");
    expect(read("link")).toBe("https://shop.example/p1");
    expect(read("attributes.fit")).toBe("slim");
    expect(read("attributes.fabric")).toBe("linen");
    expect(read("attributes")).toEqual({ fabric: "linen", fit: "slim" });
    expect(read("brand")).toBe("Acme");
    expect(read("price")).toEqual({ amount: 4999, currency: "EUR" });
    expect(read("weight.unit")).toBe("g");
  });

  it("compute images, category, options and counts", () => {
    expect(read("images")).toEqual([
      "https://img.example/p1-s.jpg",
      "https://img.example/shared.jpg",
      "https://img.example/p1.jpg",
    ]);
    expect(read("image")).toBe("https://img.example/p1-s.jpg");
    expect(read("additional_images")).toEqual([
      "https://img.example/shared.jpg",
      "https://img.example/p1.jpg",
    ]);
    expect(read("image", 1)).toBe("https://img.example/p1.jpg");
    expect(read("category")).toBe("Apparel > Tops > Shirts");
    expect(read("option_values")).toEqual(["42", "Blue"]);
    expect(read("options.Colour")).toBe("Blue");
    expect(read("options.shoe_size")).toBe("42");
    expect(read("options.SHOESIZE")).toBe("42");
    expect(read("options.Material")).toBeUndefined();
    expect(read("variant_count")).toBe(2);
    expect(read("sku", 1)).toBe("P1-M");
  });

  it("read stock, output and settings", () => {
    expect(read("stock.quantity")).toBe(7);
    expect(read("stock.availability")).toBe("in_stock");
    expect(read("stock.locations.0.quantity")).toBe(3);
    expect(read("output.title")).toBe("Mapped title");
    expect(read("output.price")).toBeUndefined();
    expect(read("settings.currency")).toBe("EUR");
    expect(read("settings.shipping.country")).toBe("FR");
  });

  it("derive the canonical field names from the catalog schemas", () => {
    expect(PRODUCT_FIELD_NAMES).toContain("categoryPath");
    expect(VARIANT_FIELD_NAMES).toContain("salePrice");
    expect(VARIANT_FIELD_NAMES).not.toContain("brand");
  });

  it("reject unknown roots and fields at load, with a suggestion", () => {
    expect(problem("prodcut.title")).toBe(
      'unknown path "prodcut.title": "prodcut" is neither a root (product, variant, stock, output, settings) nor a catalog field (did you mean "product"?)',
    );
    expect(problem("variant.salesPrice")).toBe(
      'unknown variant field "salesPrice" in "variant.salesPrice" (did you mean "salePrice"?)',
    );
    expect(problem("product.sku")).toContain('unknown product field "sku"');
    expect(problem("titel")).toContain('(did you mean "title"?)');
    expect(problem("variant.price.amonut")).toContain(
      'unknown field "amonut" in variant.price (did you mean "amount"?)',
    );
    expect(problem("variant.title.length")).toBe('variant.title has no field "length"');
    expect(problem("product.images.first")).toContain("product.images is a list");
    expect(problem("stock.count")).toContain('unknown field "count" in stock');
    expect(problem("output.titel")).toBe(
      'unknown output field "titel" in "output.titel" (did you mean "title"?)',
    );
    expect(problem("settings.curency")).toBe(
      'unknown setting "curency" in "settings.curency" (did you mean "currency"?)',
    );
    expect(problem("variant")).toContain("needs a field name");
    expect(problem("image.url")).toBe('"image" has no field "url"');
    expect(problem("")).toBe("a path is empty");
  });
});
