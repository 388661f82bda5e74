import { isOmnifeedError } from "../../core/errors.js";
import { defineStoreSource, type SourceCheck, type SourceContext } from "../source.js";
import { readShopifyCatalog } from "./catalog-read.js";
import { shopifyClientFor } from "./connection.js";
import { ShopifyConnectionSchema, shopifyLabel, type ShopifyConnection } from "./options.js";
import { SHOP_QUERY } from "./queries.js";
import { decodeShopifyBatch } from "./transform.js";

/** The catalog of a Shopify shop, read over the Admin GraphQL API (docs/stores-shopify.md). */
export const shopifySource = defineStoreSource<ShopifyConnection>({
  kind: "store",
  format: "shopify",
  description: "Shopify shop over the Admin GraphQL API (bulk operation or products pages)",
  optionsSchema: ShopifyConnectionSchema,
  check: checkShopify,
  records: (options, read, context) => readShopifyCatalog(options, read, context),
  decode: decodeShopifyBatch,
  label: shopifyLabel,
});

/** One cheap query: the shop's name, and the API version that answered. */
export async function checkShopify(options: ShopifyConnection, context: SourceContext): Promise<SourceCheck> {
  const target = `${options.shop_url.replace(/^https?:\/\//i, "")} (Admin API ${options.api_version})`;
  try {
    const client = shopifyClientFor(
      options,
      (name) => context.secret(name),
      () => undefined,
    );
    const answer = await client.request<{ shop: { name: string; currencyCode: string } }>(
      "shop",
      SHOP_QUERY,
      {},
      context.signal,
    );
    const served = client.servedVersion();
    // A retired version still answers (served by a newer one): working, but say so.
    const version =
      served !== undefined && served !== options.api_version
        ? `; served by Admin API ${served}: update api_version`
        : "";
    const currency =
      answer.data.shop.currencyCode !== options.currency
        ? `; the shop's currency is ${answer.data.shop.currencyCode}, the options say ${options.currency}`
        : "";
    return { ok: currency === "", target, detail: `shop ${answer.data.shop.name}${version}${currency}` };
  } catch (error) {
    if (isOmnifeedError(error)) return { ok: false, target, detail: error.message };
    throw error;
  }
}
