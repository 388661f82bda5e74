import { describe, expect, it } from "vitest";
import { closedAfterEach } from "../../../test/support/closed-after-each.js";
import type { CatalogEntry } from "../../core/catalog.js";
import { isOmnifeedError } from "../../core/errors.js";
import type { RowIssue } from "../../core/issues.js";
import {
  SHOPIFY_SIMULATOR_CREDENTIALS,
  startShopifySimulator,
  type ShopifySimulator,
  type ShopifySimulatorOptions,
} from "../../dev/simulators/shopify.js";
import { generateStoreCatalog, type StoreCatalogProduct } from "../../dev/simulators/store-catalog.js";
import type { RecordBatch, SourceContext } from "../source.js";
import { createShopifyClient } from "./client.js";
import { shopifySource } from "./index.js";
import { ShopifyConnectionSchema, type ShopifyConnectionInput } from "./options.js";
import { pagedReadSeconds } from "./catalog-read.js";
import { SHOP_QUERY, moreVariantsPageSize } from "./queries.js";

const TOKEN_ENV = "TEST_SHOPIFY_TOKEN";
const SECRET_ENV = "TEST_SHOPIFY_SECRET";
const closeAfterwards = closedAfterEach();

async function start(options: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  return closeAfterwards(await startShopifySimulator({ port: 0, ...options }));
}

const context: SourceContext = {
  clock: () => new Date(),
  secret: (name) =>
    name === TOKEN_ENV
      ? SHOPIFY_SIMULATOR_CREDENTIALS.accessToken
      : name === SECRET_ENV
        ? SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret
        : undefined,
};

function options(sim: ShopifySimulator, extra: Partial<ShopifyConnectionInput> = {}) {
  return ShopifyConnectionSchema.parse({
    shop_url: sim.url,
    access_token_env: TOKEN_ENV,
    currency: "USD",
    store_url: "https://shop.example",
    bulk_poll_ms: 10,
    ...extra,
  });
}

async function readAll(
  sim: ShopifySimulator,
  extra: Partial<ShopifyConnectionInput>,
  batchSize = 50,
  from?: string,
): Promise<{ batches: RecordBatch[]; entries: CatalogEntry[]; issues: RowIssue[] }> {
  const opts = options(sim, extra);
  const batches: RecordBatch[] = [];
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for await (const batch of shopifySource.records(opts, { batchSize, from }, context)) {
    // Batches go to build workers: they must survive a structured clone.
    const copy = structuredClone(batch);
    batches.push(copy);
    const decoded = shopifySource.decode(copy, opts);
    entries.push(...decoded.entries);
    issues.push(...copy.issues, ...decoded.issues);
  }
  return { batches, entries, issues };
}

function seeded(variants: number, seed: number): StoreCatalogProduct[] {
  const catalog = generateStoreCatalog({ variants, seed });
  // One draft and one archived product: both stores leave them out.
  catalog[1]!.status = "draft";
  catalog[3]!.status = "archived";
  return catalog;
}

describe("Shopify catalog source", () => {
  it("reads the same canonical products through a bulk operation and through pages", async () => {
    const catalog = seeded(400, 21);
    const sim = await start({ catalog, throttle: { maximumAvailable: 1000, restoreRate: 10_000 } });
    const bulk = await readAll(sim, { mode: "bulk" });
    const paged = await readAll(sim, { mode: "paged" });
    expect(bulk.issues).toEqual([]);
    expect(paged.issues).toEqual([]);
    expect(bulk.entries.length).toBe(catalog.length - 2);
    expect(paged.entries).toEqual(bulk.entries);
    // The bulk query ran as one (ungrouped, 2026-10) operation; paging sent products queries.
    const ids = bulk.entries.map((entry) => entry.product.id);
    expect(ids).not.toContain(catalog[1]!.handle);
    expect(ids).not.toContain(catalog[3]!.handle);
    expect(ids).toEqual(
      catalog.filter((product) => product.status === "active").map((product) => product.handle),
    );
  });

  it("maps a product after the agreed canonical mapping", async () => {
    const catalog = seeded(200, 5);
    const sim = await start({ catalog });
    const { entries } = await readAll(sim, { mode: "bulk" });
    const seed = catalog.find(
      (product) => product.variants.some((variant) => variant.compareAtPrice) && product.options.length > 0,
    )!;
    const entry = entries.find((candidate) => candidate.product.id === seed.handle)!;
    const product = entry.product;
    expect(product.title).toBe(seed.title);
    expect(product.description).toBe(seed.descriptionHtml);
    expect(product.brand).toBe(seed.vendor || undefined);
    expect(product.productType).toBe(seed.productType);
    expect(product.link).toBe(`https://shop.example/products/${seed.handle}`);
    expect(product.images).toEqual(seed.images.map((image) => image.url));
    expect([...product.tags].sort()).toEqual([...seed.tags].sort());
    product.variants.forEach((variant, index) => {
      const source = seed.variants[index]!;
      expect(variant.sku).toBe(source.sku);
      expect(variant.gtin).toBe(source.barcode);
      const cents = (text: string) => Math.round(Number(text) * 100);
      if (source.compareAtPrice) {
        expect(variant.price).toEqual({ amount: cents(source.compareAtPrice), currency: "USD" });
        expect(variant.salePrice).toEqual({ amount: cents(source.price), currency: "USD" });
      } else {
        expect(variant.price).toEqual({ amount: cents(source.price), currency: "USD" });
        expect(variant.salePrice).toBeUndefined();
      }
      expect(variant.inventory).toEqual(
        source.inventory.map((level) => ({ ...level, quantity: Math.max(0, level.quantity) })),
      );
      expect(variant.quantity).toBe(
        source.inventory.reduce((sum, level) => sum + Math.max(0, level.quantity), 0),
      );
      expect(variant.options).toEqual(
        seed.options.map((name, position) => ({ name, value: source.optionValues[position]! })),
      );
      expect(variant.weight).toEqual({ value: source.weightGrams, unit: "g" });
      expect(variant.availability).toBeUndefined();
    });
    expect(entry.origin.ids!.product).toMatch(/^gid:\/\/shopify\/Product\/\d+$/);
    expect(entry.origin.ids!.variants).toHaveLength(product.variants.length);
    expect(entry.origin.ids!.variants[0]).toMatch(/^gid:\/\/shopify\/ProductVariant\/\d+$/);
  });

  it("reports a variant without SKU by its GID and keeps the rest", async () => {
    const catalog = seeded(60, 8);
    const target = catalog.find((product) => product.variants.length > 1)!;
    target.variants[0]!.sku = "";
    const sim = await start({ catalog, throttle: { maximumAvailable: 1000, restoreRate: 10_000 } });
    const { entries, issues } = await readAll(sim, { mode: "paged" });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "sku", severity: "error" });
    expect(issues[0]!.ref).toMatch(/^gid:\/\/shopify\/ProductVariant\/\d+$/);
    const product = entries.find((entry) => entry.product.id === target.handle)!;
    expect(product.product.variants).toHaveLength(target.variants.length - 1);
  });

  for (const mode of ["bulk", "paged"] as const) {
    it(`resumes a ${mode} read from a checkpoint mid-way with exactly the rest`, async () => {
      const sim = await start({
        catalog: seeded(300, 13),
        throttle: { maximumAvailable: 1000, restoreRate: 10_000 },
      });
      const whole = await readAll(sim, { mode }, 40);
      expect(whole.batches.length).toBeGreaterThan(3);
      const cut = Math.floor(whole.batches.length / 2) - 1;
      const checkpoint = whole.batches[cut]!.checkpoint!;
      expect(checkpoint).toBeDefined();
      const before = whole.batches.slice(0, cut + 1).reduce((sum, batch) => sum + batch.groups.length, 0);
      const rest = await readAll(sim, { mode: "auto" }, 40, checkpoint);
      expect(rest.entries).toEqual(whole.entries.slice(before));
      expect(whole.batches.at(-1)!.checkpoint).toBeUndefined();
    });
  }

  it("resumes a bulk read with a new bulk operation when the old one is gone", async () => {
    const sim = await start({ catalog: seeded(300, 14) });
    const whole = await readAll(sim, { mode: "bulk" }, 40);
    const cut = 2;
    const checkpoint = JSON.parse(whole.batches[cut]!.checkpoint!) as Record<string, unknown>;
    // An operation the shop no longer knows (its file expired after 7 days).
    const gone = JSON.stringify({ ...checkpoint, operation: "gid://shopify/BulkOperation/1" });
    const runs = () =>
      sim.calls.filter((call) => String(JSON.stringify(call.body)).includes("bulkOperationRunQuery")).length;
    const started = runs();
    const rest = await readAll(sim, { mode: "bulk" }, 40, gone);
    expect(runs()).toBe(started + 1);
    const before = whole.batches.slice(0, cut + 1).reduce((sum, batch) => sum + batch.groups.length, 0);
    expect(rest.entries).toEqual(whole.entries.slice(before));
  });

  it("resumes a bulk read with a new bulk operation when the old result file has expired", async () => {
    const sim = await start({ catalog: seeded(300, 15) });
    const whole = await readAll(sim, { mode: "bulk" }, 40);
    const checkpoint = whole.batches[1]!.checkpoint!;
    sim.expireBulkResults();
    const rest = await readAll(sim, { mode: "bulk" }, 40, checkpoint);
    const before = whole.batches.slice(0, 2).reduce((sum, batch) => sum + batch.groups.length, 0);
    expect(rest.entries).toEqual(whole.entries.slice(before));
    expect(
      sim.calls.some((call) => call.path.startsWith("/bulk-operation-results/") && call.status === 404),
    ).toBe(true);
  });

  it("refuses a checkpoint that is not its own", async () => {
    const sim = await start();
    await expect(readAll(sim, {}, 40, "12345")).rejects.toSatisfy((error) =>
      isOmnifeedError(error, "config"),
    );
  });

  it("completes under throttling: THROTTLED with HTTP 200 and with 429, on a tiny bucket", async () => {
    for (const throttledStatus of [200, 429] as const) {
      const catalog = seeded(60, 3);
      const sim = await start({
        catalog,
        throttledStatus,
        throttle: { maximumAvailable: 1000, restoreRate: 1500 },
      });
      const reference = await readAll(sim, { mode: "paged", page_size: 2 });
      sim.drainBucket();
      sim.resetCalls();
      const throttled = await readAll(sim, { mode: "paged", page_size: 2 });
      expect(throttled.entries).toEqual(reference.entries);
      if (throttledStatus === 429) expect(sim.calls.some((call) => call.status === 429)).toBe(true);
    }
  });

  it("check() names the shop and the version that served it", async () => {
    const sim = await start();
    const ok = await shopifySource.check(options(sim), context);
    expect(ok).toMatchObject({ ok: true });
    expect(ok.detail).toContain("shop omnifeed-sim");
    const retired = await shopifySource.check(options(sim, { api_version: "2024-10" }), context);
    expect(retired.ok).toBe(true);
    expect(retired.detail).toContain("served by Admin API 2025-01");
    const bad = await shopifySource.check(options(sim), { ...context, secret: () => "shpat_wrong" });
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain("Invalid API key or access token");
    expect(bad.detail).not.toContain("shpat_wrong");
  });
});

describe("Shopify client", () => {
  it("warns once when a newer version serves the pinned one", async () => {
    const sim = await start();
    const warnings: string[] = [];
    const client = createShopifyClient({
      shopUrl: sim.url,
      apiVersion: "2024-07",
      credentials: { kind: "token", accessToken: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken },
      warn: (message) => warnings.push(message),
    });
    await client.request("shop", SHOP_QUERY);
    await client.request("shop", SHOP_QUERY);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("2025-01");
    expect(client.servedVersion()).toBe("2025-01");
  });

  it("gets a token by the client-credentials grant and a new one when it stops working", async () => {
    const sim = await start();
    const client = createShopifyClient({
      shopUrl: sim.url,
      apiVersion: "2026-10",
      credentials: {
        kind: "client_credentials",
        clientId: SHOPIFY_SIMULATOR_CREDENTIALS.clientId,
        clientSecret: SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
      },
    });
    await client.request("shop", SHOP_QUERY);
    sim.revokeTokens();
    await client.request("shop", SHOP_QUERY);
    expect(sim.calls.filter((call) => call.path === "/admin/oauth/access_token")).toHaveLength(2);
  });

  it("turns GraphQL errors into rejected errors naming the operation and request id, never the token", async () => {
    const sim = await start();
    const client = createShopifyClient({
      shopUrl: sim.url,
      apiVersion: "2026-10",
      credentials: { kind: "token", accessToken: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken },
    });
    const error = await client.request("typo", "{ shop { nam } }").catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "rejected")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("typo");
    expect(message).toMatch(/request id [0-9a-f-]{36}/);
    expect(message).not.toContain(SHOPIFY_SIMULATOR_CREDENTIALS.accessToken);
    const wrong = createShopifyClient({
      shopUrl: sim.url,
      apiVersion: "2026-10",
      credentials: { kind: "token", accessToken: "shpat_not_the_token" },
    });
    const denied = await wrong.request("shop", SHOP_QUERY).catch((caught: unknown) => caught);
    expect(isOmnifeedError(denied, "auth")).toBe(true);
    expect((denied as Error).message).not.toContain("shpat_not_the_token");
  });

  it("retries a 502 and a 503 from the shop", async () => {
    const sim = await start();
    const client = createShopifyClient({
      shopUrl: sim.url,
      apiVersion: "2026-10",
      credentials: { kind: "token", accessToken: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken },
    });
    sim.failNext(1, 502);
    sim.failNext(1, 503);
    const answer = await client.request<{ shop: { name: string } }>("shop", SHOP_QUERY);
    expect(answer.data.shop.name).toBe("omnifeed-sim");
  });
});

describe("Shopify paged read and the cost bucket", () => {
  it("reads a product with more variants than a page holds in a shop of five locations, under the cost cap", async () => {
    const catalog = generateStoreCatalog({ variants: 60, seed: 4 });
    const locations = [
      ...new Set(catalog.flatMap((product) => product.variants.flatMap((v) => v.inventory))).values(),
    ]
      .map((level) => level.location)
      .filter((name, index, all) => all.indexOf(name) === index);
    expect(locations.length).toBeGreaterThanOrEqual(5);
    const big = catalog[0]!;
    const template = big.variants[0]!;
    big.options = ["Size"];
    big.variants = Array.from({ length: 130 }, (_, index) => ({
      ...template,
      sku: `BIG-${index}`,
      optionValues: [`S${index}`],
      inventory: locations.map((location, at) => ({ location, quantity: index + at })),
    }));
    const sim = await start({ catalog, throttle: { maximumAvailable: 1000, restoreRate: 10_000 } });
    const paged = await readAll(sim, { mode: "paged" });
    const bulk = await readAll(sim, { mode: "bulk" });
    expect(paged.issues).toEqual([]);
    expect(paged.entries).toEqual(bulk.entries);
    const first = paged.entries.find((entry) => entry.product.id === big.handle)!;
    expect(first.product.variants).toHaveLength(130);
    // 100 variants a page would ask 1,502 points here: every query stayed within 1,000.
    expect(sim.calls.every((call) => call.status === 200)).toBe(true);
  });

  it("auto mode pages a shop whose bucket refills fast enough and uses a bulk operation otherwise", async () => {
    const catalog = generateStoreCatalog({ variants: 120, seed: 5 });
    const bulkRuns = (sim: ShopifySimulator) =>
      sim.calls.filter((call) => JSON.stringify(call.body ?? null).includes("bulkOperationRunQuery")).length;
    // A Plus bucket (1,000 points a second): 120 variants cost about a second of refill.
    const fast = await start({ catalog, throttle: { maximumAvailable: 1000, restoreRate: 1000 } });
    const paged = await readAll(fast, { mode: "auto" });
    expect(bulkRuns(fast)).toBe(0);
    // A 20-a-second bucket: the same shop would wait about a minute (over 30 s); bulk instead.
    const slow = await start({ catalog, throttle: { maximumAvailable: 1000, restoreRate: 20 } });
    const bulk = await readAll(slow, { mode: "auto" });
    expect(bulkRuns(slow)).toBe(1);
    // Two shops, two labels: the products read alike.
    expect(bulk.entries.map((entry) => entry.product)).toEqual(paged.entries.map((entry) => entry.product));
  });

  it("estimates a paged read's wait from the bucket: variants × points ÷ restore rate", () => {
    // 15 points a variant at 5 locations, 4 for its product's share.
    expect(pagedReadSeconds(2000, 5, { currentlyAvailable: 1000, restoreRate: 1000 })).toBe(37);
    expect(pagedReadSeconds(2000, 5, { currentlyAvailable: 1000, restoreRate: 100 })).toBe(370);
    expect(pagedReadSeconds(10, 1, { currentlyAvailable: 1000, restoreRate: 50 })).toBe(0);
    expect(pagedReadSeconds(10, 1, { currentlyAvailable: 0, restoreRate: 0 })).toBe(Number.POSITIVE_INFINITY);
    expect(moreVariantsPageSize(5, 1000)).toBe(66);
    expect(moreVariantsPageSize(0, 1000)).toBe(199);
  });
});

describe("Shopify client pacing", () => {
  it("spaces requests by the throttleStatus each answer reports, not by a fixed sleep", async () => {
    // One fake clock for the simulator's bucket and the client: time moves only when the client sleeps.
    let now = 1_000_000;
    const sleeps: number[] = [];
    const clock = {
      now: () => now,
      sleep: (ms: number) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    const catalog = generateStoreCatalog({ variants: 400, seed: 6 });
    const waits = async (restoreRate: number): Promise<number[]> => {
      sleeps.length = 0;
      const sim = await start({
        catalog,
        clock: clock.now,
        throttle: { maximumAvailable: 100, restoreRate },
      });
      const client = createShopifyClient({
        shopUrl: sim.url,
        apiVersion: "2026-10",
        credentials: { kind: "token", accessToken: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken },
        clock,
      });
      // 2 + 40 nodes: 42 points asked and spent (the shop has more than 40 products).
      const query = "query Page { products(first: 40) { nodes { id } } }";
      const reported: number[] = [];
      for (let call = 0; call < 4; call += 1) {
        const answer = await client.request<unknown>("products", query);
        expect(answer.cost?.actualQueryCost).toBe(42);
        reported.push(answer.cost!.throttleStatus.currentlyAvailable);
      }
      // Never throttled: each call waited ahead for exactly what the bucket lacked.
      expect(sim.calls.every((call) => call.status === 200)).toBe(true);
      expect(JSON.stringify(sim.calls)).not.toContain("THROTTLED");
      expect(reported).toEqual([58, 16, 0, 0]);
      return [...sleeps];
    };
    // 100 → 58 → 16: the third call lacks 26 points, the fourth 42, at the reported restore rate.
    expect(await waits(10)).toEqual([2600, 4200]);
    expect(await waits(20)).toEqual([1300, 2100]);
  });
});
