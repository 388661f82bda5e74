import { afterEach, describe, expect, it } from "vitest";
import type { CatalogEntry, Product } from "../../src/core/catalog.js";
import type { RowIssue } from "../../src/core/issues.js";
import {
  SHOPIFY_SIMULATOR_CREDENTIALS,
  startShopifySimulator,
  type ShopifySimulator,
} from "../../src/dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import {
  startWooCommerceSimulator,
  WOOCOMMERCE_SIMULATOR_CREDENTIALS,
  type WooCommerceSimulator,
} from "../../src/dev/simulators/woocommerce.js";
import { shopifySource } from "../../src/sources/shopify/index.js";
import { ShopifyConnectionSchema } from "../../src/sources/shopify/options.js";
import type { SourceContext, StoreSource } from "../../src/sources/source.js";
import { wooCommerceSource } from "../../src/sources/woocommerce/index.js";
import { WooCommerceConnectionSchema } from "../../src/sources/woocommerce/options.js";

/**
 * One merchant catalog seeded into both store simulators reads into the same canonical products
 * through the Shopify and the WooCommerce source (issue 9's agreed mapping), save the one field
 * WooCommerce cannot give: stock per location (`inventory`; the summed `quantity` still agrees).
 * The 50,000-variant feed comparison is the wiring's; this is the small, fast guard beside it.
 */

const SECRETS: Record<string, string> = {
  SHOPIFY_TOKEN: SHOPIFY_SIMULATOR_CREDENTIALS.accessToken,
  WOO_KEY: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey,
  WOO_SECRET: WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret,
};
const context: SourceContext = { clock: () => new Date(), secret: (name) => SECRETS[name] };

let running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.map((sim) => sim.close()));
  running = [];
});

async function readAll<O>(
  source: StoreSource<O>,
  options: O,
): Promise<{ entries: CatalogEntry[]; issues: RowIssue[] }> {
  const entries: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  for await (const batch of source.records(options, { batchSize: 500 }, context)) {
    const decoded = source.decode(structuredClone(batch), options);
    entries.push(...decoded.entries);
    issues.push(...batch.issues, ...decoded.issues);
  }
  return { entries, issues };
}

/** The product without stock per location, which only Shopify keeps. */
function withoutLocations(product: Product): Product {
  return { ...product, variants: product.variants.map((variant) => ({ ...variant, inventory: [] })) };
}

describe("one merchant catalog through Shopify and WooCommerce", () => {
  it("decodes to the same canonical products in the same order", async () => {
    const catalog = generateStoreCatalog({ variants: 3000, seed: 9 });
    const shopify: ShopifySimulator = await startShopifySimulator({ port: 0, catalog });
    const woo: WooCommerceSimulator = await startWooCommerceSimulator({ port: 0, catalog });
    running.push(shopify, woo);
    const fromShopify = await readAll(
      shopifySource,
      ShopifyConnectionSchema.parse({
        shop_url: shopify.url,
        access_token_env: "SHOPIFY_TOKEN",
        currency: "USD",
        store_url: "https://shop.example",
        bulk_poll_ms: 10,
      }),
    );
    const fromWoo = await readAll(
      wooCommerceSource,
      WooCommerceConnectionSchema.parse({
        url: woo.url,
        consumer_key_env: "WOO_KEY",
        consumer_secret_env: "WOO_SECRET",
        currency: "USD",
        store_url: "https://shop.example",
      }),
    );
    expect(fromShopify.issues).toEqual([]);
    expect(fromWoo.issues).toEqual([]);
    expect(fromWoo.entries).toHaveLength(catalog.length);
    const shopifyProducts = fromShopify.entries.map((entry) => withoutLocations(entry.product));
    const wooProducts = fromWoo.entries.map((entry) => withoutLocations(entry.product));
    expect(wooProducts.map((product) => product.id)).toEqual(shopifyProducts.map((product) => product.id));
    wooProducts.forEach((product, index) => expect(product, product.id).toEqual(shopifyProducts[index]));
    // Shopify does keep the locations, and they add up to the quantity both agree on.
    expect(fromShopify.entries.some((entry) => entry.product.variants[0]!.inventory.length > 0)).toBe(true);
  }, 120_000);
});
