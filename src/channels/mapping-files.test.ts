import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { PACKAGE_ROOT } from "../config/paths.js";
import type { ProductInput } from "../core/catalog.js";
import { ProductSchema } from "../core/catalog.js";
import { loadMapping } from "../mapping/load.js";
import { MappingFileSchema } from "../mapping/schema.js";
import type { MappingFile } from "../mapping/schema.js";
import { describeWithSpecs, specPath } from "../../test/support/shared-specs.js";
import { transformVariant } from "./channel.js";
import { channelById, descriptorOf } from "./registry.js";

/**
 * The mapping files shipped in channel-mappings/: the built-in defaults, the commented examples
 * and the demo store's files. They must load, name only fields their channel knows, and turn an
 * ordinary catalog into valid items.
 */

const MAPPINGS = resolve(PACKAGE_ROOT, "channel-mappings");
const TAXONOMY_FILE = "google/taxonomy-with-ids.en-US.txt";
const DEMO = join(MAPPINGS, "examples/demo");

const DEMO_CATEGORIES = [
  "Apparel > Tops > T-Shirts",
  "Apparel > Tops > Hoodies",
  "Apparel > Bottoms > Jeans",
  "Apparel > Shoes > Sneakers",
  "Apparel > Accessories > Socks",
  "Electronics > Audio > Headphones",
  "Electronics > Audio > Speakers",
  "Electronics > Phone Accessories > Chargers",
  "Electronics > Phone Accessories > Cases",
  "Electronics > Computer Accessories > Keyboards",
  "Home > Kitchen > Mugs",
  "Home > Kitchen > Cookware",
  "Home > Decor > Candles",
  "Home > Bedding > Blankets",
  "Home > Decor > Lamps",
];

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function readMappingFile(file: string): MappingFile {
  return MappingFileSchema.parse(parseYaml(readFileSync(file, "utf8")));
}

function readTable(file: string): Record<string, string>[] {
  return parseCsv<Record<string, string>>(readFileSync(file, "utf8"), {
    columns: true,
    skip_empty_lines: true,
  });
}

/** Output field names a mapping file writes or reads back (`output.<field>`). */
function namedFields(file: MappingFile): string[] {
  const names = new Set(Object.keys(file.fields ?? {}));
  for (const rule of file.rules ?? []) {
    if (!("when" in rule)) continue;
    for (const name of Object.keys(rule.then)) names.add(name);
    for (const name of Object.keys(rule.else ?? {})) names.add(name);
  }
  for (const match of JSON.stringify(file).matchAll(/"output\.([a-z0-9_]+)/g)) names.add(match[1] ?? "");
  return [...names];
}

const yamlFiles = filesUnder(MAPPINGS, ".yaml");

describe("mapping files in channel-mappings/", () => {
  it("include the defaults, examples and demo files", () => {
    const names = yamlFiles.map((file) => relative(MAPPINGS, file));
    expect(names).toEqual(
      expect.arrayContaining([
        "google.yaml",
        "meta.yaml",
        "amazon.yaml",
        "examples/demo/google.yaml",
        "examples/demo/meta.yaml",
        "examples/demo/amazon.yaml",
      ]),
    );
    expect(
      names.filter((name) => name.startsWith("examples/") && !name.startsWith("examples/demo/")).length,
    ).toBeGreaterThanOrEqual(4);
  });

  it.each(yamlFiles.map((file) => [relative(MAPPINGS, file), file]))(
    "%s follows the mapping schema and names only its channel's fields",
    (_name, file) => {
      const mapping = readMappingFile(file);
      const known = channelById(mapping.channel).fields.map((field) => field.name);
      for (const name of namedFields(mapping))
        expect(known, `${mapping.channel} field "${name}"`).toContain(name);
      if (relative(MAPPINGS, file).startsWith("examples/"))
        expect(mapping.extends ?? "default").toBe("default");
    },
  );

  it.each(yamlFiles.map((file) => [relative(MAPPINGS, file), file]))("%s loads", (name, file) => {
    const channel = channelById(readMappingFile(file).channel);
    if (name === "amazon.yaml") {
      // The built-in Amazon mapping cannot name the seller: alone, it must fail clearly.
      expect(() => loadMapping(descriptorOf(channel), file)).toThrow(/seller_id/);
      return;
    }
    const mapping = loadMapping(descriptorOf(channel), file);
    expect(mapping.fieldNames.length).toBeGreaterThan(5);
  });
});

describeWithSpecs("category tables", [TAXONOMY_FILE], () => {
  const taxonomy = new Map<string, string>();
  const text = readFileSync(specPath(TAXONOMY_FILE), "utf8");
  for (const line of text.split("\n")) {
    const match = /^(\d+) - (.+)$/.exec(line);
    if (match?.[1] && match[2]) taxonomy.set(match[1], match[2]);
  }

  const googleTables = filesUnder(MAPPINGS, ".csv").filter(
    (file) => "google_category_id" in (readTable(file)[0] ?? {}),
  );

  it.each(googleTables.map((file) => [relative(MAPPINGS, file), file]))(
    "%s names existing Google categories",
    (_name, file) => {
      const rows = readTable(file);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const id = row.google_category_id ?? "";
        expect(taxonomy.has(id), `${row.category ?? ""} → ${id}`).toBe(true);
        const path = row.google_category_path ?? row.note;
        if (path) expect(taxonomy.get(id), id).toBe(path);
      }
    },
  );

  it("cover exactly the demo store's categories", () => {
    expect(readTable(join(DEMO, "google-categories.csv")).map((row) => row.category)).toEqual(
      DEMO_CATEGORIES,
    );
    const types = readTable(join(DEMO, "amazon-product-types.csv"));
    expect(types.map((row) => row.category)).toEqual(DEMO_CATEGORIES);
    for (const row of types) expect(row.product_type).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });
});

/** An ordinary product of a demo category: two variants with options, a GTIN on one. */
function demoProduct(category: string, index: number): ProductInput {
  const path = category.split(" > ");
  const slug = `P${String(index).padStart(3, "0")}`;
  return {
    id: slug,
    title: `Demo ${path[path.length - 1] ?? "item"} ${index}`,
    description: `<p>A <b>demo</b> product &amp; more.</p><ul><li>One</li><li>Two</li></ul>`,
    brand: "Omni Demo",
    link: `https://demo.omnifeed.dev/p/${slug.toLowerCase()}`,
    images: [
      `https://demo.omnifeed.dev/i/${slug.toLowerCase()}-1.jpg`,
      `https://demo.omnifeed.dev/i/${slug.toLowerCase()}-2.jpg`,
    ],
    categoryPath: path,
    tags: ["demo"],
    variants: [
      {
        sku: `${slug}-A`,
        gtin: "036000291452",
        price: { amount: 2499, currency: "USD" },
        salePrice: { amount: 1999, currency: "USD" },
        salePriceStart: "2026-11-27T00:00-08:00",
        salePriceEnd: "2026-12-01T23:59-08:00",
        quantity: 12,
        options: [
          { name: "Color", value: "Black" },
          { name: "Size", value: "M" },
        ],
        weight: { value: 350, unit: "g" },
      },
      {
        sku: `${slug}-B`,
        mpn: `${slug}-MPN-B`,
        price: { amount: 12900, currency: "USD" },
        quantity: 0,
        options: [
          { name: "Color", value: "White" },
          { name: "Size", value: "L" },
        ],
      },
    ],
  };
}

describe.each(["google", "meta", "amazon"])("the demo %s mapping", (channelId) => {
  const channel = channelById(channelId);
  const mapping = loadMapping(descriptorOf(channel), join(DEMO, `${channelId}.yaml`));

  it("turns every demo category into items without errors", () => {
    DEMO_CATEGORIES.forEach((category, index) => {
      const product = ProductSchema.parse(demoProduct(category, index));
      for (const variant of product.variants) {
        const result = transformVariant(channel, mapping, product, variant);
        const errors = result.issues.filter((issue) => issue.severity === "error");
        expect(errors, `${category} ${variant.sku}`).toEqual([]);
        // The demo's Meta catalog leaves out what is out of stock (its in-stock-only filter).
        const outOfStockOnMeta = channelId === "meta" && variant.quantity === 0;
        expect(result.status, `${category} ${variant.sku}`).toBe(outOfStockOnMeta ? "filtered" : "accepted");
        if (outOfStockOnMeta) expect(result.excludedBy?.filter).toBe("in-stock-only");
      }
    });
  });
});

describe("the built-in mappings on an ordinary product", () => {
  it.each(["google", "meta"])("%s gives a valid item with the variant group and identifiers", (channelId) => {
    const channel = channelById(channelId);
    const mapping = loadMapping(descriptorOf(channel));
    const product = ProductSchema.parse(demoProduct("Home > Kitchen > Mugs", 1));
    const [first, second] = product.variants.map((variant) =>
      transformVariant(channel, mapping, product, variant),
    );
    expect(first?.status).toBe("accepted");
    expect(first?.mapped).toMatchObject({
      id: "P001-A",
      title: "Demo Mugs 1 - Black - M",
      description: "A demo product & more. One Two",
      item_group_id: "P001",
    });
    expect(second?.status).toBe("accepted");
    expect(second?.mapped.availability).toBe("out_of_stock");
  });

  it("google declares identifier_exists = no only without GTIN and MPN", () => {
    const channel = channelById("google");
    const mapping = loadMapping(descriptorOf(channel));
    const input = demoProduct("Home > Decor > Candles", 2);
    const product = ProductSchema.parse({
      ...input,
      variants: input.variants.slice(1).map((variant) => ({ ...variant, mpn: undefined })),
    });
    const [only] = product.variants.map((variant) => transformVariant(channel, mapping, product, variant));
    expect(only?.mapped.identifier_exists).toBe("no");
    expect(only?.mapped.item_group_id).toBeUndefined();
  });

  it("amazon works once a seller id is set", () => {
    const channel = channelById("amazon");
    const mapping = loadMapping(descriptorOf(channel), join(MAPPINGS, "examples/amazon-markup.yaml"));
    const product = ProductSchema.parse(demoProduct("Home > Kitchen > Mugs", 3));
    const result = transformVariant(channel, mapping, product, product.variants[0] ?? product.variants[0]!);
    expect(result.issues.filter((issue) => issue.severity === "error")).toEqual([]);
    expect(result.mapped.product_type).toBe("DRINKING_CUP");
    expect(result.mapped.our_price).toEqual({ amount: 2899, currency: "USD" });
  });
});
