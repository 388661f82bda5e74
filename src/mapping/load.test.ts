import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ProductSchema } from "../core/catalog.js";
import type { ProductInput } from "../core/catalog.js";
import { isOmnifeedError } from "../core/errors.js";
import { loadMapping, loadMappingFromText } from "./load.js";
import { MappingLoadError } from "./problems.js";
import type { ChannelDescriptor } from "./types.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

const SettingsSchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "expected a currency code such as USD")
    .default("USD"),
  country: z.string().optional(),
  feed: z.strictObject({ title: z.string().optional(), limit: z.number().int().optional() }).optional(),
});
type Settings = z.infer<typeof SettingsSchema>;

const FIELDS = [
  "id",
  "title",
  "description",
  "price",
  "sale_price",
  "availability",
  "quantity",
  "brand",
  "color",
  "condition",
  "google_product_category",
  "custom_label_0",
  "custom_label_1",
];

const DEFAULT_MAPPING = `version: 1
channel: google
description: the built-in test default
settings:
  currency: USD
  feed: { title: Default feed, limit: 10 }
feeds: [google-xml]
lookups:
  categories:
    file: categories.csv
    key_column: category
    value_column: google_id
    match: longest_prefix
fields:
  id: "{{ sku }}"
  title:
    first:
      - variant.title
      - "{{ product.title }}{{#if options.size}} - {{ options.size }}{{/if}}"
    transforms: [collapse_whitespace, { truncate: { length: 30, ellipsis: "…" } }]
  description: { path: description, transforms: [strip_html] }
  price: { path: variant.price }
  availability: "{{ stock.availability }}"
  quantity: { path: stock.quantity }
  brand: { path: brand, default: Generic }
  google_product_category: { lookup: categories, from: category }
  condition: new
rules:
  - id: sale-label
    when: { field: variant.salePrice, op: exists }
    then: { custom_label_0: on sale }
  - id: premium
    when:
      all:
        - { field: variant.price, op: gte, value: 100 }
        - not: { field: output.brand, op: eq, value: Generic }
    then: { custom_label_1: premium }
    else: { custom_label_1: standard }
filters:
  - id: has-price
    exclude: { field: variant.price, op: empty }
    reason: no price
  - id: available
    include:
      any:
        - { field: stock.availability, op: eq, value: in_stock }
        - { field: stock.availability, op: eq, value: preorder }
    reason: not available
allocation:
  buffer: 1
`;

const CATEGORIES_CSV = `category,google_id
Apparel,166
Apparel > Tops,212
`;

interface Setup {
  dir: string;
  channel: ChannelDescriptor<Settings>;
  write: (name: string, text: string) => string;
}

function setup(defaultMapping = DEFAULT_MAPPING): Setup {
  const dir = makeTempDir("mapping");
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  write("builtin/google.yaml", defaultMapping);
  write("builtin/categories.csv", CATEGORIES_CSV);
  const channel: ChannelDescriptor<Settings> = {
    id: "google",
    fieldNames: FIELDS,
    settingsSchema: SettingsSchema,
    defaultMappingFile: path.join(dir, "builtin/google.yaml"),
  };
  return { dir, channel, write };
}

function productWith(overrides: Partial<ProductInput> = {}, variant: Record<string, unknown> = {}) {
  return ProductSchema.parse({
    id: "P1",
    title: "Linen   Shirt",
    brand: "Acme",
    description: "<p>Soft &amp; light</p>",
    categoryPath: ["Apparel", "Tops", "Shirts"],
    ...overrides,
    variants: [
      {
        sku: "P1-M",
        price: { amount: 12000, currency: "USD" },
        quantity: 5,
        options: [{ name: "Size", value: "M" }],
        ...variant,
      },
    ],
  });
}

function evaluate(mapping: ReturnType<typeof loadMapping>, product = productWith(), trace = false) {
  return mapping.evaluate(product, product.variants[0]!, { trace });
}

function loadError(run: () => unknown): MappingLoadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MappingLoadError);
    expect(isOmnifeedError(error, "config")).toBe(true);
    return error as MappingLoadError;
  }
  throw new Error("expected the mapping not to load");
}

const HEADER = "version: 1\nchannel: google\n";

describe("the built-in default alone", () => {
  it("compiles with its settings, feeds and field order, rule fields appended", () => {
    const { channel } = setup();
    const mapping = loadMapping(channel);
    expect(mapping.channel).toBe("google");
    expect(mapping.files).toEqual([channel.defaultMappingFile]);
    expect(mapping.settings).toEqual({ currency: "USD", feed: { title: "Default feed", limit: 10 } });
    expect(mapping.feeds).toEqual(["google-xml"]);
    expect(mapping.fieldNames).toEqual([
      "id",
      "title",
      "description",
      "price",
      "availability",
      "quantity",
      "brand",
      "google_product_category",
      "condition",
      "custom_label_0",
      "custom_label_1",
    ]);
  });

  it("maps a variant: paths, templates with conditionals, first, transforms, defaults, CSV lookups", () => {
    const { channel } = setup();
    const result = evaluate(loadMapping(channel), productWith({ brand: undefined }));
    expect(result.fields).toEqual({
      id: "P1-M",
      title: "Linen Shirt - M",
      description: "Soft & light",
      price: { amount: 12000, currency: "USD" },
      availability: "in_stock",
      quantity: 4,
      brand: "Generic",
      google_product_category: "212",
      condition: "new",
      custom_label_0: undefined,
      custom_label_1: "standard",
    });
    expect(result.stock).toEqual({ quantity: 4, locations: [], availability: "in_stock" });
    expect(result.firedRules).toEqual([]);
    expect(result.issues).toEqual([]);
    expect(result.excludedBy).toBeUndefined();
    expect(result.trace).toBeUndefined();
  });

  it("fires rules with all/not and reports their ids", () => {
    const { channel } = setup();
    const product = productWith({}, { salePrice: { amount: 9000, currency: "USD" } });
    const result = evaluate(loadMapping(channel), product);
    expect(result.firedRules).toEqual(["sale-label", "premium"]);
    expect(result.fields.custom_label_0).toBe("on sale");
    expect(result.fields.custom_label_1).toBe("premium");
  });

  it("warns of a lookup miss with the key that missed", () => {
    const { channel } = setup();
    const result = evaluate(loadMapping(channel), productWith({ categoryPath: ["Home", "Garden"] }));
    expect(result.fields.google_product_category).toBeUndefined();
    expect(result.issues).toEqual([
      {
        severity: "warning",
        code: "lookup_miss",
        field: "google_product_category",
        message: 'lookup "categories" has no row for "Home > Garden"',
      },
    ]);
  });

  it("drops items with the first filter that excludes them, fields still filled", () => {
    const { channel } = setup();
    const result = evaluate(loadMapping(channel), productWith({}, { quantity: 1 }));
    expect(result.excludedBy).toEqual({ filter: "available", reason: "not available" });
    expect(result.fields.availability).toBe("out_of_stock");
    expect(result.fields.id).toBe("P1-M");
    const preorder = evaluate(
      loadMapping(channel),
      productWith({}, { quantity: 0, availability: "preorder" }),
    );
    expect(preorder.excludedBy).toBeUndefined();
  });

  it("applies per-item overrides, the variant's winning, and warns of unknown fields", () => {
    const { channel } = setup();
    const product = productWith(
      { overrides: { google: { title: "Product title", brand: "House" }, meta: { title: "Meta only" } } },
      { overrides: { google: { title: "Variant title", colour: "blue" } } },
    );
    const result = evaluate(loadMapping(channel), product);
    expect(result.fields.title).toBe("Variant title");
    expect(result.fields.brand).toBe("House");
    expect(result.issues).toEqual([
      {
        severity: "warning",
        code: "unknown_override_field",
        field: "colour",
        message:
          'the variant override of "colour" for google is ignored: google has no such field (did you mean "color"?)',
      },
    ]);
  });

  it("explains every step when a trace is asked for", () => {
    const { channel } = setup();
    const product = productWith(
      { overrides: { google: { brand: "House" } } },
      { salePrice: { amount: 9000, currency: "USD" }, quantity: 1 },
    );
    const result = evaluate(loadMapping(channel), product, true);
    const details = result.trace?.map((step) => `${step.kind} ${step.id}: ${step.detail}`);
    expect(details).toEqual([
      "allocation stock: quantity 1 → offered 0 (buffer 1), availability out_of_stock",
      'field id: template "{{ sku }}" → "P1-M"',
      'field title: first of [variant.title, template "{{ product.title }}{{#if options.size}} - {{ options.size }}{{/if}}"] | collapse_whitespace | truncate → "Linen Shirt - M"',
      'field description: path description | strip_html → "Soft & light"',
      "field price: path variant.price → 120.00 USD",
      'field availability: template "{{ stock.availability }}" → "out_of_stock"',
      "field quantity: path stock.quantity → 0",
      'field brand: path brand, default "Generic" → "Acme"',
      'field google_product_category: lookup categories from category → "212"',
      'field condition: template "new" → "new"',
      'rule sale-label: rule sale-label fired: variant.salePrice exists → custom_label_0 = "on sale"',
      'rule premium: rule premium fired: (variant.price gte 100 and not output.brand eq "Generic") → custom_label_1 = "premium"',
      'override brand: product override: brand = "House"',
      "filter has-price: filter has-price kept the item",
      'filter available: filter available dropped the item (not available): include (stock.availability eq "in_stock" or stock.availability eq "preorder") does not hold',
    ]);
  });

  it("is pure: the same input gives the same output and inputs are untouched", () => {
    const { channel } = setup();
    const mapping = loadMapping(channel);
    const product = productWith();
    const before = JSON.stringify(product);
    expect(evaluate(mapping, product)).toEqual(evaluate(mapping, product));
    expect(JSON.stringify(product)).toBe(before);
  });
});

describe("extends and merging", () => {
  const MERCHANT = `# yaml-language-server: $schema=./schema/google.schema.json
version: 1
channel: google
settings:
  currency: EUR
  feed: { title: My shop }
feeds: [google-tsv, google-xml]
lookups:
  colours:
    values: { rouge: red }
fields:
  title: "{{ title | upper }}"
  condition: null
  color: { path: variant.color, transforms: [{ lookup: colours }] }
rules:
  - id: sale-label
    when: { field: variant.salePrice, op: exists }
    then: { custom_label_0: promo }
  - id: premium
    enabled: false
  - id: red
    when: { field: output.color, op: eq, value: red }
    then: { custom_label_1: red }
filters:
  - id: available
    enabled: false
allocation:
  percentage: 50
`;

  it("merges a merchant file over the built-in default", () => {
    const { channel, write } = setup();
    const file = write("shop/google.yaml", MERCHANT);
    const mapping = loadMapping(channel, file);
    expect(mapping.files).toEqual([channel.defaultMappingFile, file]);
    expect(mapping.settings).toEqual({ currency: "EUR", feed: { title: "My shop", limit: 10 } });
    expect(mapping.feeds).toEqual(["google-tsv", "google-xml"]);
    expect(mapping.fieldNames).toEqual([
      "id",
      "title",
      "description",
      "price",
      "availability",
      "quantity",
      "brand",
      "google_product_category",
      "color",
      "custom_label_0",
      "custom_label_1",
    ]);
    const product = productWith(
      {},
      { color: "Rouge", quantity: 1, salePrice: { amount: 9000, currency: "USD" } },
    );
    const result = evaluate(mapping, product);
    expect(result.fields.title).toBe("LINEN   SHIRT");
    expect(result.fields.color).toBe("red");
    expect(result.fields.custom_label_0).toBe("promo");
    expect(result.fields.custom_label_1).toBe("red");
    expect(result.firedRules).toEqual(["sale-label", "red"]);
    // buffer 1 from the default, then 50% of the rest; the "available" filter is off.
    expect(result.stock.quantity).toBe(0);
    expect(result.excludedBy).toBeUndefined();
  });

  it("replaces a rule in place and appends new ones", () => {
    const { channel, write } = setup();
    const file = write(
      "shop.yaml",
      `${HEADER}rules:
  - id: late
    when: { field: brand, op: exists }
    then: { custom_label_0: late }
  - id: sale-label
    when: { field: brand, op: exists }
    then: { custom_label_0: replaced }
`,
    );
    const result = evaluate(loadMapping(channel, file));
    expect(result.firedRules).toEqual(["sale-label", "premium", "late"]);
    expect(result.fields.custom_label_0).toBe("late");
  });

  it("extends none: the file stands alone", () => {
    const { channel, write } = setup();
    const file = write("alone.yaml", `${HEADER}extends: none\nfields:\n  id: "{{ sku }}"\n`);
    const mapping = loadMapping(channel, file);
    expect(mapping.files).toEqual([file]);
    expect(mapping.fieldNames).toEqual(["id"]);
    expect(mapping.settings).toEqual({ currency: "USD" });
    expect(mapping.feeds).toBeUndefined();
  });

  it("extends a relative path, which may extend the default", () => {
    const { channel, write } = setup();
    const base = write("shared/base.yaml", `${HEADER}fields:\n  brand: Base brand\n`);
    const file = write(
      "shops/one.yaml",
      `${HEADER}extends: ../shared/base.yaml\nfields:\n  condition: used\n`,
    );
    const mapping = loadMapping(channel, file);
    expect(mapping.files.map((name) => path.resolve(name))).toEqual([channel.defaultMappingFile, base, file]);
    const result = evaluate(mapping);
    expect(result.fields.brand).toBe("Base brand");
    expect(result.fields.condition).toBe("used");
  });

  it("reads lookup CSV files beside the file that declares them", () => {
    const { channel, write } = setup();
    write("shop/colours.csv", "key,value\nrouge,red\n");
    const file = write(
      "shop/google.yaml",
      `${HEADER}lookups:\n  colours: { file: colours.csv }\nfields:\n  color: { lookup: colours, from: variant.color }\n`,
    );
    const result = evaluate(loadMapping(channel, file), productWith({}, { color: "ROUGE" }));
    expect(result.fields.color).toBe("red");
    expect(result.fields.google_product_category).toBe("212");
  });

  it("detects a cycle", () => {
    const { channel, write } = setup();
    const a = write("a.yaml", `${HEADER}extends: b.yaml\n`);
    write("b.yaml", `${HEADER}extends: a.yaml\n`);
    const error = loadError(() => loadMapping(channel, a));
    expect(error.where).toBe(`${path.join(path.dirname(a), "b.yaml")}:3:10`);
    expect(error.message).toContain("extends makes a cycle: a.yaml → b.yaml → a.yaml");
  });

  it("reports a missing extended file where extends is written", () => {
    const { channel, write } = setup();
    const file = write("a.yaml", `${HEADER}extends: missing.yaml\n`);
    const error = loadError(() => loadMapping(channel, file));
    expect(error.where).toBe(`${file}:3:10`);
    expect(error.message).toContain("cannot read the extended file");
  });
});

describe("load errors name the file, line and column", () => {
  const problemsOf = (text: string, fileName = "shop.yaml"): string[] => {
    const { channel, dir } = setup();
    const file = path.join(dir, fileName);
    const error = loadError(() => loadMappingFromText(channel, text, file));
    return error.problems.map((problem) => `${path.relative(dir, problem.where)}: ${problem.message}`);
  };

  it("an unknown top-level key, with a suggestion", () => {
    expect(problemsOf(`${HEADER}feilds:\n  id: x\n`)).toEqual([
      'shop.yaml:3:1: unknown key "feilds" (did you mean "fields"?)',
    ]);
  });

  it("schema problems deep in the file", () => {
    expect(
      problemsOf(`version: 2
channel: google
fields:
  title: { path: title, source: x }
  price: 12
rules:
  - id: bad id
    when: { field: brand, op: equals, value: x }
    then: {}
`),
    ).toEqual([
      "shop.yaml:1:10: version: expected 1",
      'shop.yaml:4:25: fields.title: unknown key "source"',
      "shop.yaml:5:10: fields.price: expected string or object",
      "shop.yaml:7:9: rules[0].id: ids use letters, digits, '_', '-' and '.'",
      'shop.yaml:8:31: rules[0].when.op: expected one of "eq"|"ne"|"in"|"contains"|"starts_with"|"matches"|"gt"|"gte"|"lt"|"lte"|"exists"|"empty"',
    ]);
  });

  it("an unknown output field in fields and in a rule", () => {
    expect(
      problemsOf(`${HEADER}fields:
  titel: "{{ title }}"
rules:
  - id: r
    when: { field: brand, op: exists }
    then: { custom_label_9: x }
    else:
      colour: y
`),
    ).toEqual([
      'shop.yaml:4:3: unknown output field "titel" for google (did you mean "title"?)',
      'shop.yaml:8:13: unknown output field "custom_label_9" for google (did you mean "custom_label_0"?)',
      'shop.yaml:10:7: unknown output field "colour" for google (did you mean "color"?)',
    ]);
  });

  it("an unknown path root and an unknown canonical field, in paths and templates", () => {
    expect(
      problemsOf(`${HEADER}fields:
  title: { path: prodcut.title }
  brand: { lookup: categories, from: product.brandd }
  description: "Hi {{ variant.titel }}"
  color:
    first: [variant.colour, variant.color]
`),
    ).toEqual([
      'shop.yaml:4:18: unknown path "prodcut.title": "prodcut" is neither a root (product, variant, stock, output, settings) nor a catalog field (did you mean "product"?)',
      'shop.yaml:5:38: unknown product field "brandd" in "product.brandd" (did you mean "brand"?)',
      'shop.yaml:6:23: unknown variant field "titel" in "variant.titel" (did you mean "title"?)',
      'shop.yaml:8:13: unknown variant field "colour" in "variant.colour" (did you mean "color"?)',
    ]);
  });

  it("an unknown transform and bad transform arguments", () => {
    expect(
      problemsOf(`${HEADER}fields:
  title:
    path: title
    transforms:
      - trim
      - uper
  description:
    path: description
    transforms: [{ truncate: { length: -1 } }]
  brand: "{{ brand | truncate: 'ten' }}"
`),
    ).toEqual([
      'shop.yaml:8:9: unknown transform "uper" (did you mean "upper"?)',
      "shop.yaml:11:18: truncate: length: too small: expected number to be >=1",
      "shop.yaml:12:22: truncate: length: expected number, received string",
    ]);
  });

  it("a bad regex in a transform and in a condition", () => {
    expect(
      problemsOf(`${HEADER}fields:
  title: { path: title, transforms: [{ regex_replace: { pattern: "(unclosed" } }] }
filters:
  - id: f
    exclude: { field: title, op: matches, value: "[a-" }
    reason: r
`),
    ).toEqual([
      "shop.yaml:4:38: regex_replace: bad regular expression: Invalid regular expression: /(unclosed/g: Unterminated group",
      "shop.yaml:7:50: bad regular expression: Invalid regular expression: /[a-/i: Unterminated character class",
    ]);
  });

  it("an unknown lookup, as a source and as a filter", () => {
    expect(
      problemsOf(`${HEADER}fields:
  google_product_category: { lookup: categorys, from: category }
  color: "{{ variant.color | lookup: colours }}"
`),
    ).toEqual([
      'shop.yaml:4:38: unknown lookup "categorys" (did you mean "categories"?)',
      'shop.yaml:5:30: unknown lookup "colours"',
    ]);
  });

  it("template syntax errors inside a block scalar and a quoted string", () => {
    expect(
      problemsOf(`${HEADER}fields:
  description:
    template: |
      {{#if brand}}
        {{ brand }
      {{/if}}
  title: "x {{#if brand}}"
  brand: 'it''s {{ }}'
`),
    ).toEqual([
      'shop.yaml:7:9: "{{" is not closed with "}}"',
      "shop.yaml:9:13: {{#if}} is not closed with {{/if}}",
      "shop.yaml:10:20: empty expression",
    ]);
  });

  it("a field with no source or two sources, and a lookup without a table", () => {
    expect(
      problemsOf(`${HEADER}lookups:
  empty: { match: exact }
fields:
  title: { transforms: [trim] }
  brand: { path: brand, value: x }
  color: { path: color, from: title }
`),
    ).toEqual([
      'shop.yaml:4:10: lookup "empty" needs either "values" (an inline table) or "file" (a CSV), not neither',
      "shop.yaml:6:10: needs a source: one of path, value, template, lookup, first",
      "shop.yaml:7:25: gives path and value: a field takes exactly one source",
      'shop.yaml:8:31: "from" goes with "lookup": it names the path whose value is translated',
    ]);
  });

  it("a lookup CSV without the named column", () => {
    const { channel, write } = setup();
    write("bad.csv", "from,to\na,b\n");
    const file = write("shop.yaml", `${HEADER}lookups:\n  t:\n    file: bad.csv\n`);
    const error = loadError(() => loadMapping(channel, file));
    expect(error.where).toBe(`${file}:5:11`);
    expect(error.message).toContain('has no column "key" (columns: from, to)');
  });

  it("settings the channel rejects, where they are written", () => {
    expect(problemsOf(`${HEADER}settings:\n  currency: euro\n  colour: red\n`)).toEqual([
      "shop.yaml:4:13: settings.currency: expected a currency code such as USD",
      'shop.yaml:5:3: settings: unknown key "colour"',
    ]);
  });

  it("a file of another channel", () => {
    expect(problemsOf(`version: 1\nchannel: meta\n`)).toEqual([
      'shop.yaml:2:10: this file maps channel "meta", not "google"',
    ]);
  });

  it("YAML syntax errors", () => {
    const problems = problemsOf(`${HEADER}fields:\n  title: x\n  title: y\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^shop\.yaml:5:3: YAML: Map keys must be unique/);
  });

  it("a rule id used twice in one file", () => {
    expect(
      problemsOf(`${HEADER}rules:
  - { id: r, when: { field: brand, op: exists }, then: { color: a } }
  - { id: r, when: { field: brand, op: exists }, then: { color: b } }
`),
    ).toEqual(['shop.yaml:5:11: the id "r" is used twice in this file']);
  });

  it("problems of the built-in file when loading a merchant file", () => {
    const { channel, write } = setup(`${HEADER}fields:\n  title: { path: titel }\n`);
    const file = write("shop.yaml", HEADER);
    const error = loadError(() => loadMapping(channel, file));
    expect(error.where).toBe(`${channel.defaultMappingFile}:4:18`);
  });

  it("a mapping file that cannot be read", () => {
    const { channel, dir } = setup();
    const error = loadError(() => loadMapping(channel, path.join(dir, "nope.yaml")));
    expect(error.message).toContain("cannot read the mapping file");
  });

  it("every problem on its own line, each with its place", () => {
    const { channel, dir } = setup();
    const file = path.join(dir, "shop.yaml");
    const error = loadError(() =>
      loadMappingFromText(channel, `${HEADER}fields:\n  titel: x\n  brand: "{{ brnd }}"\n`, file),
    );
    expect(error.where).toBe(`${file}:4:3`);
    expect(error.message.split("\n")).toEqual([
      `${file}:4:3: unknown output field "titel" for google (did you mean "title"?)`,
      `${file}:5:14: unknown path "brnd": "brnd" is neither a root (product, variant, stock, output, settings) nor a catalog field (did you mean "brand"?)`,
    ]);
  });
});
