import { z } from "zod";
import { CurrencySchema } from "../../core/money.js";

/**
 * One Shopify shop as omnifeed connects to it: the catalog source's options and the store's
 * (orders, tracking, webhooks) in one block, `stores.shopify` of omnifeed.config.yaml. Secrets are
 * named by environment variable, never written here.
 */

/** The newest stable Admin API version (stores.md §1.1; 2027-01 is a release candidate). */
export const SHOPIFY_DEFAULT_API_VERSION = "2026-10";

const httpUrl = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s/]+(?::\d+)?\/?$/i, "expected an origin such as https://acme.myshopify.com")
  .transform((value) => value.replace(/\/+$/, ""));

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name such as SHOPIFY_TOKEN");

export const ShopifyConnectionSchema = z
  .object({
    shop_url: httpUrl.describe(
      "The shop's Admin origin, https://<shop>.myshopify.com (a simulator's URL in tests); the API is <shop_url>/admin/api/<api_version>/graphql.json.",
    ),
    api_version: z
      .string()
      .regex(/^(\d{4}-(01|04|07|10)|unstable)$/, "expected a Shopify API version such as 2026-10")
      .default(SHOPIFY_DEFAULT_API_VERSION)
      .describe(
        "Admin API version pinned for every call (YYYY-MM). A retired one is served by a newer version: omnifeed warns once when the X-Shopify-API-Version answer differs.",
      ),
    access_token_env: envName
      .optional()
      .describe("Environment variable holding an Admin API access token (shpat_…) of a custom app."),
    client_id: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe(
        "The app's client id, for the client-credentials grant (apps of the shop's own organisation).",
      ),
    client_secret_env: envName
      .optional()
      .describe(
        "Environment variable holding the app's client secret: the client-credentials grant uses it, and webhooks are verified with it.",
      ),
    previous_client_secret_env: envName
      .optional()
      .describe(
        "During a secret rotation: environment variable holding the old client secret; webhooks signed with it are still accepted.",
      ),
    currency: CurrencySchema.describe(
      "Currency of the shop's prices (ISO 4217). Authoritative: the catalog's prices carry it.",
    ),
    store_url: httpUrl.describe("The storefront's origin; product links are <store_url>/products/<handle>."),
    mode: z
      .enum(["auto", "bulk", "paged"])
      .default("auto")
      .describe(
        "How the catalog is read: bulk (a bulk operation and its JSONL file), paged (products pages), or auto (bulk above bulk_threshold variants).",
      ),
    bulk_threshold: z
      .number()
      .int()
      .nonnegative()
      .default(2000)
      .describe("In auto mode: a shop with more variants than this is read through a bulk operation."),
    paged_max_seconds: z
      .number()
      .positive()
      .default(30)
      .describe(
        "In auto mode: a shop whose paged read would wait longer than this on the cost bucket (variants × points per variant ÷ the shop's restore rate) is read through a bulk operation.",
      ),
    page_size: z
      .number()
      .int()
      .min(1)
      .max(250)
      .default(25)
      .describe(
        "Paged reads: products per page at most (fewer when the query would cost over 1,000 points).",
      ),
    bulk_poll_ms: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe("First wait between polls of a running bulk operation; doubles up to 30 s."),
    timeout_ms: z.number().int().min(100).default(60_000).describe("Timeout of one API call."),
    order_tags: z
      .array(z.string().trim().min(1))
      .default(["omnifeed"])
      .describe("Tags put on every order omnifeed creates (the marketplace's id is added)."),
    lookup_delay_ms: z
      .number()
      .int()
      .nonnegative()
      .default(3000)
      .describe(
        "After a create whose outcome is unknown (timeout), wait this long for Shopify's order search to catch up before looking the order up again.",
      ),
    shipment_overlap_ms: z
      .number()
      .int()
      .nonnegative()
      .default(120_000)
      .describe(
        "shipmentsSince reads again this far before its checkpoint (orders updated at the same instant).",
      ),
  })
  .superRefine((value, context) => {
    if (
      value.access_token_env === undefined &&
      (value.client_id === undefined || value.client_secret_env === undefined)
    ) {
      context.addIssue({
        code: "custom",
        path: ["access_token_env"],
        message: "set access_token_env, or client_id with client_secret_env (client-credentials grant)",
      });
    }
  });

export type ShopifyConnection = z.infer<typeof ShopifyConnectionSchema>;
export type ShopifyConnectionInput = z.input<typeof ShopifyConnectionSchema>;

/** `shopify:acme.myshopify.com`: the store's label in messages and origins. */
export function shopifyLabel(options: Pick<ShopifyConnection, "shop_url">): string {
  return `shopify:${options.shop_url.replace(/^https?:\/\//i, "")}`;
}
