import { describe, expect, it } from "vitest";
import { ProductSchema } from "../core/catalog.js";
import type { EvalContext } from "./context.js";
import { compileLookup, inlineRows } from "./lookups.js";
import { SpecError } from "./problems.js";
import { compileTemplate, MAX_BLOCK_DEPTH } from "./template.js";
import type { TemplateEnv } from "./template.js";

const product = ProductSchema.parse({
  id: "P1",
  title: "Linen Shirt",
  brand: "Acme",
  description: "<p>Light &amp; airy</p><p>Made to last for many summers</p>",
  tags: ["summer", "linen"],
  variants: [
    {
      sku: "P1-S",
      price: { amount: 4999, currency: "EUR" },
      salePrice: { amount: 3999, currency: "EUR" },
      size: "S",
      color: "rouge",
    },
    { sku: "P1-M", price: { amount: 4999, currency: "EUR" } },
  ],
});

const env: TemplateEnv = {
  outputFields: new Set(["title", "brand"]),
  settings: { store: "Maison" },
  lookups: new Map([
    ["colours", compileLookup("colours", inlineRows({ rouge: "red" }), { match: "ignore_case" })],
  ]),
};

function contextFor(variantIndex = 0): EvalContext {
  return {
    product,
    variant: product.variants[variantIndex]!,
    stock: { quantity: 0, locations: [], availability: "out_of_stock" },
    output: { title: "Mapped" },
    field: "title",
    issues: [],
    images: undefined,
  };
}

const render = (template: string, variantIndex = 0): unknown =>
  compileTemplate(template, env)(contextFor(variantIndex));

function syntaxError(template: string): { message: string; offset: number | undefined } {
  try {
    compileTemplate(template, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return { message: (error as SpecError).message, offset: (error as SpecError).offset };
  }
  throw new Error(`expected ${template} to be rejected`);
}

describe("templates", () => {
  it("render text and expressions", () => {
    expect(render("{{ brand }} {{ title }} - size {{ variant.size }}")).toBe("Acme Linen Shirt - size S");
    expect(render("plain text")).toBe("plain text");
    expect(render("")).toBe("");
    expect(render("{{settings.store}}/{{output.title}}")).toBe("Maison/Mapped");
  });

  it("render Money, lists and numbers as text inside text", () => {
    expect(render("Price: {{ variant.price }}")).toBe("Price: 49.99 EUR");
    expect(render("Tags: {{ product.tags }}")).toBe("Tags: summer, linen");
    expect(render("{{ variant_count }} variants")).toBe("2 variants");
    expect(render("[{{ variant.gtin }}]")).toBe("[]");
  });

  it("give the value itself when the template is one expression", () => {
    expect(render("{{ variant.price }}")).toEqual({ amount: 4999, currency: "EUR" });
    expect(render("{{ product.tags }}")).toEqual(["summer", "linen"]);
    expect(render(" {{ variant.price }}")).toBe(" 49.99 EUR");
  });

  it("take the first non-empty alternative with ??", () => {
    expect(render("{{ variant.salePrice ?? variant.price }}")).toEqual({ amount: 3999, currency: "EUR" });
    expect(render("{{ variant.salePrice ?? variant.price }}", 1)).toEqual({ amount: 4999, currency: "EUR" });
    expect(render("{{ variant.gtin ?? variant.mpn ?? 'no id' }}")).toBe("no id");
    expect(render('{{ variant.gtin ?? "say \\"hi\\"" }}')).toBe('say "hi"');
    expect(render("{{ variant.gtin ?? 0 }}")).toBe(0);
  });

  it("apply filters with arguments, per alternative", () => {
    expect(render("{{ description | strip_html | truncate: 25, true, '…' }}")).toBe("Light & airy\nMade to…");
    expect(render("{{ title | upper | prefix: 'NEW ' }}")).toBe("NEW LINEN SHIRT");
    expect(render("{{ variant.gtin | upper ?? title | lower }}")).toBe("linen shirt");
    expect(render("{{ variant.color | lookup: colours }}")).toBe("red");
    expect(render("{{ variant.price | multiply: 1.1 | price: false }}")).toBe("54.99");
    expect(render("{{ product.tags | join: ' / ' }}")).toBe("summer / linen");
    expect(render("{{ variant.gtin | default: 'none' }}")).toBe("none");
  });

  it("render #if, #else and #unless blocks, nested", () => {
    const template =
      "{{#if variant.salePrice}}Sale{{#if variant.size}} ({{ variant.size }}){{/if}}{{else}}Regular{{/if}}" +
      "{{#unless variant.gtin}} - no gtin{{/unless}}";
    expect(render(template)).toBe("Sale (S) - no gtin");
    expect(render(template, 1)).toBe("Regular - no gtin");
    expect(render("{{#unless stock.quantity}}sold out{{else}}available{{/unless}}")).toBe("available");
    expect(render("{{#if variant.gtin ?? variant.size}}has{{/if}}")).toBe("has");
    expect(render("{{#if variant.gtin}}x{{/if}}")).toBe("");
    expect(render("{{#if variant.size}}{{ variant.price }}{{/if}}")).toBe("49.99 EUR");
  });

  it("keep quoted braces in literals", () => {
    expect(render("{{ '}}' }}x")).toBe("}}x");
  });

  it("report syntax errors with their offset in the template", () => {
    expect(syntaxError("Hello {{ title")).toEqual({ message: '"{{" is not closed with "}}"', offset: 6 });
    expect(syntaxError("{{ title | uper }}")).toEqual({
      message: 'unknown transform "uper" (did you mean "upper"?)',
      offset: 11,
    });
    expect(syntaxError("ab {{ titel }}")).toMatchObject({ offset: 6 });
    expect(syntaxError("{{#if title}}x")).toEqual({
      message: "{{#if}} is not closed with {{/if}}",
      offset: 0,
    });
    expect(syntaxError("x{{/if}}")).toEqual({ message: "{{/if}} closes no block", offset: 1 });
    expect(syntaxError("{{#if a.b}}")).toMatchObject({ offset: 6 });
    expect(syntaxError("{{#unless title}}{{/if}}")).toMatchObject({
      message: "{{/if}} closes the {{#unless}} block; expected {{/unless}}",
      offset: 17,
    });
    expect(syntaxError("{{else}}")).toMatchObject({
      message: "{{else}} outside an {{#if}} or {{#unless}} block",
    });
    expect(syntaxError("{{#if title}}a{{else}}b{{else}}c{{/if}}")).toMatchObject({ offset: 23 });
    expect(syntaxError("{{ }}")).toEqual({ message: "empty expression", offset: 3 });
    expect(syntaxError("{{ title brand }}")).toMatchObject({ offset: 9 });
    expect(syntaxError("{{ title ? brand }}")).toMatchObject({ offset: 9 });
    expect(syntaxError("{{ title | truncate: 'abc }}")).toMatchObject({
      message: '"{{" is not closed with "}}"',
    });
    expect(syntaxError("{{ title | }}")).toMatchObject({
      message: 'expected a filter name after "|", found the end',
    });
    expect(syntaxError("{{ title | truncate: }}")).toMatchObject({
      message: "expected an argument, found the end",
    });
    expect(syntaxError("{{ title | truncate: 'x' }}")).toEqual({
      message: "truncate: length: expected number, received string",
      offset: 11,
    });
    expect(syntaxError("{{#each images}}{{/each}}")).toEqual({
      message: 'unknown block "#each"; blocks are #if and #unless',
      offset: 2,
    });
  });

  it("refuse blocks nested deeper than the limit, at the block that goes over it", () => {
    const nested = (depth: number): string => "{{#if title}}".repeat(depth) + "x" + "{{/if}}".repeat(depth);
    expect(render(nested(MAX_BLOCK_DEPTH))).toBe("x");
    expect(syntaxError(nested(MAX_BLOCK_DEPTH + 1))).toEqual({
      message: `blocks nested more than ${MAX_BLOCK_DEPTH} deep; flatten the template (split it over fields, or use ?? between alternatives)`,
      offset: MAX_BLOCK_DEPTH * "{{#if title}}".length,
    });
  });
});
