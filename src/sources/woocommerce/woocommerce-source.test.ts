import { describe, expect, it } from "vitest";
import { closedAfterEach } from "../../../test/support/closed-after-each.js";
import { ProductSchema, type CatalogEntry, type ProductInput } from "../../core/catalog.js";
import { isOmnifeedError } from "../../core/errors.js";
import type { RowIssue } from "../../core/issues.js";
import {
  generateStoreCatalog,
  totalQuantity,
  type StoreCatalogProduct,
} from "../../dev/simulators/store-catalog.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
  type WooCommerceSimulator,
  type WooCommerceSimulatorOptions,
} from "../../dev/simulators/woocommerce.js";
import { fillOptionFields } from "../product-assembly.js";
import type { RecordBatch, SourceContext } from "../source.js";
import { wooCommerceSource } from "./index.js";
import { WooCommerceConnectionSchema, type WooCommerceConnection } from "./options.js";

const closeAfterwards = closedAfterEach();

async function start(options: WooCommerceSimulatorOptions = {}): Promise<WooCommerceSimulator> {
  return closeAfterwards(await startWooCommerceSimulator({ port: 0, ...options }));
}

function connectionOf(sim: WooCommerceSimulator, extra: Record<string, unknown> = {}): WooCommerceConnection {
  return WooCommerceConnectionSchema.parse({
    url: sim.url,
    consumer_key_env: "WOO_KEY",
    consumer_secret_env: "WOO_SECRET",
    currency: "USD",
    store_url: "https://shop.example",
    ...extra,
  });
}

function contextOf(secrets: Record<string, string> = {}): SourceContext {
  const values: Record<string, string> = {
    WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
    WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
    ...secrets,
  };
  return { clock: () => new Date(), secret: (name) => values[name] };
}

async function readAll(
  connection: WooCommerceConnection,
  from?: string,
  context: SourceContext = contextOf(),
): Promise<{ batches: RecordBatch[]; entries: CatalogEntry[]; issues: RowIssue[] }> {
  const batches: RecordBatch[] = [];
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for await (const batch of wooCommerceSource.records(connection, { batchSize: 500, from }, context)) {
    // Batches go to build workers: they must survive structured cloning as they are.
    const copy = structuredClone(batch);
    batches.push(copy);
    const decoded = wooCommerceSource.decode(copy, connection);
    entries.push(...decoded.entries);
    issues.push(...copy.issues, ...decoded.issues);
  }
  return { batches, entries, issues };
}

/** The agreed store mapping (issue 9), written out independently of the decoder. */
function expectedProduct(item: StoreCatalogProduct, storeUrl: string): ProductInput {
  const nonEmpty = (text: string) => (text.trim() === "" ? {} : { value: text });
  return ProductSchema.parse({
    id: item.handle,
    title: item.title,
    ...(nonEmpty(item.descriptionHtml).value !== undefined ? { description: item.descriptionHtml } : {}),
    ...(item.vendor !== "" ? { brand: item.vendor } : {}),
    ...(item.productType !== "" ? { productType: item.productType } : {}),
    tags: [...item.tags].sort(),
    images: item.images.map((image) => image.url),
    link: `${storeUrl}/products/${item.handle}`,
    variants: item.variants.map((variant) => {
      // A compare-at price counts as the "was" price only when it is above the price.
      const cents = (text: string) => Math.round(Number(text) * 100);
      const onSale =
        variant.compareAtPrice !== undefined && cents(variant.compareAtPrice) > cents(variant.price);
      const canonical = {
        sku: variant.sku,
        ...(variant.barcode ? { gtin: variant.barcode } : {}),
        price: { amount: cents(onSale ? variant.compareAtPrice! : variant.price), currency: "USD" },
        ...(onSale ? { salePrice: { amount: cents(variant.price), currency: "USD" } } : {}),
        quantity: Math.max(0, totalQuantity(variant)),
        options: item.options.map((name, index) => ({ name, value: variant.optionValues[index]! })),
        weight: { value: variant.weightGrams, unit: "g" as const },
      };
      fillOptionFields(canonical);
      return canonical;
    }),
  });
}

describe("WooCommerce catalog source", () => {
  it("pages products 100 at a time by id with X-WP-TotalPages, fetches variations, and decodes to the seeded catalog", async () => {
    const catalog = generateStoreCatalog({ variants: 1000, seed: 5 });
    expect(catalog.length).toBeGreaterThan(200);
    const sim = await start({ catalog });
    const connection = connectionOf(sim);
    const { batches, entries, issues } = await readAll(connection);

    expect(issues).toEqual([]);
    const pages = Math.ceil(catalog.length / 100);
    const productCalls = sim.calls.filter((call) => call.path === "/wp-json/wc/v3/products");
    expect(productCalls.map((call) => call.query)).toEqual(
      Array.from({ length: pages }, (_, index) => ({
        per_page: "100",
        page: String(index + 1),
        orderby: "id",
        order: "asc",
        status: "publish",
      })),
    );
    const variable = catalog.filter((item) => !(item.variants.length === 1 && item.options.length === 0));
    expect(sim.calls.filter((call) => call.path.endsWith("/variations"))).toHaveLength(variable.length);
    expect(batches).toHaveLength(pages);
    expect(batches.map((batch) => batch.groups.length)).toEqual(
      Array.from({ length: pages }, (_, index) => Math.min(100, catalog.length - index * 100)),
    );
    expect(batches.reduce((sum, batch) => sum + batch.records, 0)).toBe(1000);
    expect(batches.every((batch) => batch.file === `woocommerce:${new URL(sim.url).host}`)).toBe(true);
    expect(batches.at(-1)!.bytesRead).toBeGreaterThan(batches[0]!.bytesRead);

    expect(entries.map((entry) => entry.product)).toEqual(
      catalog.map((item) => expectedProduct(item, "https://shop.example")),
    );
    // Origins name the store's ids and the product's position in the read.
    const records = sim.records();
    entries.forEach((entry, index) => {
      expect(entry.origin.line).toBe(index + 1);
      const product = records.get(Number(entry.origin.ids!.product))!;
      expect(product.slug).toBe(entry.product.id);
      expect(entry.origin.ids!.variants.map((id) => records.get(Number(id))!.sku)).toEqual(
        entry.product.variants.map((variant) => variant.sku),
      );
    });
  });

  it("resumes from any batch's checkpoint with exactly the products after it", async () => {
    const catalog = generateStoreCatalog({ variants: 600, seed: 8 });
    const sim = await start({ catalog });
    const connection = connectionOf(sim, { per_page: 40 });
    const whole = await readAll(connection);
    const ids = whole.entries.map((entry) => entry.product.id);
    let done = 0;
    for (const batch of whole.batches.slice(0, -1)) {
      done += batch.groups.length;
      const rest = await readAll(connection, batch.checkpoint);
      expect(rest.entries.map((entry) => entry.product.id)).toEqual(ids.slice(done));
    }
    const afterLast = await readAll(connection, whole.batches.at(-1)!.checkpoint);
    expect(afterLast.entries).toEqual([]);
  });

  it("resumes without a gap or a repeat when products before the checkpoint were deleted or unpublished, and picks up new ones", async () => {
    const catalog = generateStoreCatalog({ variants: 900, seed: 12 });
    const sim = await start({ catalog: catalog.slice(0, -3) });
    const connection = connectionOf(sim, { per_page: 20 });
    const whole = await readAll(connection);
    const ids = whole.entries.map((entry) => entry.product.id);
    // Interrupted after the fourth page (80 products).
    const checkpoint = whole.batches[3]!.checkpoint!;
    const storeIds = whole.entries.map((entry) => Number(entry.origin.ids!.product));
    // Meanwhile 45 products before the checkpoint go away (more than two pages), one after it is
    // unpublished, and three products are added.
    for (const id of storeIds.slice(10, 50)) sim.deleteProduct(id);
    for (const id of storeIds.slice(60, 65)) sim.setProductStatus(id, "draft");
    sim.setProductStatus(storeIds[100]!, "draft");
    sim.seed(catalog.slice(-3));
    const rest = await readAll(connection, checkpoint);
    expect(rest.entries.map((entry) => entry.product.id)).toEqual([
      ...ids.slice(80, 100),
      ...ids.slice(101),
      ...catalog.slice(-3).map((item) => item.handle),
    ]);
  });

  it("leaves out unpublished products and reports a variation sold for any value of an option, keeping it", async () => {
    const catalog = generateStoreCatalog({ variants: 60, seed: 3 });
    const sim = await start({ catalog });
    const records = sim.records();
    const variableId = [...records.values()].find((record) => record.type === "variable")!.id as number;
    const variation = records.get((records.get(variableId)!.variations as number[])[0]!)!;
    const [dropped, ...kept] = variation.attributes as { name: string }[];
    variation.attributes = kept;
    const draftId = [...records.values()].find(
      (record) => record.parent_id === 0 && record.id !== variableId,
    )!.id as number;
    sim.setProductStatus(draftId, "draft");

    const { entries, issues } = await readAll(connectionOf(sim));
    expect(entries.map((entry) => entry.origin.ids!.product)).not.toContain(String(draftId));
    expect(entries).toHaveLength(catalog.length - 1);
    expect(issues).toEqual([
      {
        file: `woocommerce:${new URL(sim.url).host}`,
        line: expect.any(Number) as number,
        ref: `variation ${String(variation.id)}`,
        id: variation.sku,
        field: `attributes.${dropped!.name}`,
        severity: "warning",
        message: `the variation is sold for any ${dropped!.name}; the option is left out of the item`,
      },
    ]);
    const entry = entries.find((candidate) => candidate.origin.ids!.product === String(variableId))!;
    const variant = entry.product.variants.find((candidate) => candidate.sku === variation.sku)!;
    expect(variant.options.map((option) => option.name)).not.toContain(dropped!.name);
  });

  it("reads the brand from the configured meta key, weights in the store's unit, and signs in by query string", async () => {
    const catalog = generateStoreCatalog({ variants: 20, seed: 4 });
    const sim = await start({ catalog });
    const plain = await readAll(
      connectionOf(sim, { brand_meta_key: "_not_there", weight_unit: "g", auth: "query" }),
    );
    expect(plain.entries.every((entry) => entry.product.brand === undefined)).toBe(true);
    // The simulator writes kilograms; read as grams they are 1000 times smaller.
    expect(plain.entries[0]!.product.variants[0]!.weight!.value).toBeCloseTo(
      catalog[0]!.variants[0]!.weightGrams / 1000,
      6,
    );
    expect(sim.calls[0]!.query).toMatchObject({
      consumer_key: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
      consumer_secret: "[redacted]",
    });
  });

  it("refuses per_page above 100 in the connection", () => {
    const parsed = WooCommerceConnectionSchema.safeParse({
      url: "https://shop.example",
      currency: "USD",
      per_page: 250,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ["per_page"] });
  });
});

describe("WooCommerce catalog source: connection and errors", () => {
  it("check() counts published products, and reports a wrong secret as auth without the secret", async () => {
    const sim = await start({ catalog: generateStoreCatalog({ variants: 30, seed: 2 }) });
    const connection = connectionOf(sim);
    const ok = await wooCommerceSource.check(connection, contextOf());
    expect(ok).toMatchObject({ ok: true, target: `${sim.url}/wp-json/wc/v3 (WooCommerce REST v3)` });
    expect(ok.detail).toMatch(/^\d+ published products$/);
    const wrong = await wooCommerceSource.check(
      connection,
      contextOf({ WOO_SECRET: "cs_wrong_secret_value" }),
    );
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.detail).toContain("auth:");
    expect(wrong.detail).toContain("GET /wp-json/wc/v3/products → 401");
    expect(wrong.detail).toContain("woocommerce_rest_authentication_error: Consumer secret is invalid.");
    expect(wrong.detail).not.toContain("cs_wrong_secret_value");
  });

  it("names the environment variable when a credential is not set", async () => {
    const sim = await start();
    const context: SourceContext = { clock: () => new Date(), secret: () => undefined };
    const error = await readAll(connectionOf(sim), undefined, context).catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "config")).toBe(true);
    expect((error as Error).message).toContain("WOO_KEY and WOO_SECRET");
  });

  it("waits out 429 and 503 answers as Retry-After says, then reads on", async () => {
    const catalog = generateStoreCatalog({ variants: 30, seed: 6 });
    const sim = await start({ catalog });
    sim.failNext({ count: 1, status: 429, retryAfterSeconds: 1, path: /\/products$/ });
    sim.failNext({ count: 1, status: 503, retryAfterSeconds: 0, path: /variations$/ });
    const started = Date.now();
    const { entries } = await readAll(connectionOf(sim));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(entries).toHaveLength(catalog.length);
    expect(sim.calls.filter((call) => call.status === 429 || call.status === 503)).toHaveLength(2);
  });

  it("reports a site that answers HTML instead of the REST API as a config problem", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html><title>My blog</title>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    try {
      const connection = WooCommerceConnectionSchema.parse({
        url: `http://127.0.0.1:${address.port}`,
        consumer_key_env: "WOO_KEY",
        consumer_secret_env: "WOO_SECRET",
        currency: "USD",
      });
      const error = await readAll(connection).catch((caught: unknown) => caught);
      expect(isOmnifeedError(error, "config")).toBe(true);
      expect((error as Error).message).toContain("GET /wp-json/wc/v3/products");
      expect((error as Error).message).toContain("not JSON");
    } finally {
      server.close();
    }
  });

  it("refuses a checkpoint that is not its own", async () => {
    const sim = await start();
    const error = await readAll(connectionOf(sim), '{"cursor":"abc"}').catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "config")).toBe(true);
    expect((error as Error).message).toContain("not a WooCommerce catalog checkpoint");
  });
});
