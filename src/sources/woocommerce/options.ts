import { z } from "zod";
import { CurrencySchema } from "../../core/money.js";
import { StoreUrlSchema } from "../source-options.js";

/** The store's weight unit (WooCommerce → Settings → Products → General); `weight` fields are in it. */
export const WOO_WEIGHT_UNITS = ["kg", "g", "lbs", "oz"] as const;

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "expected an environment variable name such as WOOCOMMERCE_CONSUMER_KEY",
  );

/**
 * `stores.woocommerce` in omnifeed.config.yaml: where the store is, how omnifeed signs in, and how
 * its catalog is read into canonical products. Credentials are named by environment variable,
 * never given inline. Numbers go through `z.coerce` because `--set` values arrive as text.
 */
export const WooCommerceConnectionSchema = z.strictObject({
  url: StoreUrlSchema.describe(
    "The WordPress site's address (https://shop.example); the REST API is <url>/wp-json/wc/v3. A simulator's URL in tests.",
  ),
  consumer_key_env: envName
    .default("WOOCOMMERCE_CONSUMER_KEY")
    .describe("Environment variable holding the REST API consumer key (ck_…)."),
  consumer_secret_env: envName
    .default("WOOCOMMERCE_CONSUMER_SECRET")
    .describe("Environment variable holding the REST API consumer secret (cs_…)."),
  auth: z
    .enum(["basic", "query"])
    .default("basic")
    .describe(
      "basic: HTTP Basic (HTTPS only on a real store); query: consumer_key/consumer_secret in the query string, for servers that strip the Authorization header.",
    ),
  webhook_secret_env: envName
    .optional()
    .describe(
      "Environment variable holding the secret the store's webhooks are signed with (not the consumer secret).",
    ),
  currency: CurrencySchema.describe("The store's currency (ISO 4217); WooCommerce prices carry none."),
  store_url: StoreUrlSchema.optional().describe(
    "Base of product links (<store_url>/products/<slug>); the url when absent.",
  ),
  brand_meta_key: z.string().min(1).default("_brand").describe("Product meta key whose value is the brand."),
  weight_unit: z
    .enum(WOO_WEIGHT_UNITS)
    .default("kg")
    .describe("The store's weight unit; weights are read into grams."),
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .max(100, "WooCommerce answers per_page above 100 with 400 rest_invalid_param")
    .default(100)
    .describe("Products (and variations) per page, at most 100."),
  concurrency: z.coerce
    .number()
    .int()
    .min(1)
    .max(8)
    .default(2)
    .describe("Requests in flight at once; WordPress hosts and their firewalls punish more."),
  timeout_ms: z.coerce.number().int().positive().default(30_000).describe("Timeout of one request."),
  order_lookup_window_minutes: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(60)
    .describe(
      "Before creating an order, store orders created since the purchase time less this many minutes are scanned for it (clock skew allowance).",
    ),
  order_lookup_days: z.coerce
    .number()
    .int()
    .positive()
    .default(90)
    .describe("How far back a lookup by key alone (findOrder) scans store orders."),
  shipments_overlap_minutes: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(10)
    .describe("shipmentsSince re-reads orders modified this long before its checkpoint (late writes)."),
});
export type WooCommerceConnection = z.infer<typeof WooCommerceConnectionSchema>;
export type WooCommerceConnectionInput = z.input<typeof WooCommerceConnectionSchema>;

/** The catalog source takes the connection as its options. */
export const WooCommerceSourceOptionsSchema = WooCommerceConnectionSchema;
export type WooCommerceSourceOptions = WooCommerceConnection;
