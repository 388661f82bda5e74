import { z } from "zod";

/**
 * `marketplaces.amazon` of omnifeed.config.yaml: the seller account whose orders are pulled
 * (Orders API 2026-01-01) and confirmed (v0 confirmShipment). Every endpoint is configurable (a
 * region, the sandbox, the simulator); credentials are named by environment variable or file,
 * never written here (docs/marketplaces.md).
 */

export const AMAZON_ORDERS_DEFAULT_API_URL = "https://sellingpartnerapi-na.amazon.com";
export const AMAZON_ORDERS_DEFAULT_LWA_URL = "https://api.amazon.com";

/** Amazon's published default rate and burst of each order operation (reference §7). */
export const AMAZON_ORDERS_DEFAULT_LIMITS = {
  search_orders: { per_second: 0.0056, burst: 20 },
  get_order: { per_second: 0.5, burst: 30 },
  confirm_shipment: { per_second: 2, burst: 10 },
} as const;

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name such as AMAZON_CLIENT_ID");
const filePath = z.string().min(1, "a file path");

const RateLimitSchema = z.strictObject({
  per_second: z.number().positive().describe("Calls per second, sustained."),
  burst: z.number().int().positive().describe("Calls that may go at once after a quiet spell."),
});

export const AmazonMarketplaceSchema = z.strictObject({
  seller_id: z
    .string()
    .trim()
    .min(1)
    .describe("The selling partner id (merchant token): the account the orders belong to."),
  marketplace_ids: z
    .array(z.string().regex(/^[A-Z0-9]{10,14}$/, "expected a marketplace id such as ATVPDKIKX0DER"))
    .min(1)
    .max(50)
    .default(["ATVPDKIKX0DER"])
    .describe("The marketplaces whose orders are pulled (searchOrders marketplaceIds; at most 50)."),
  api_url: z
    .url()
    .default(AMAZON_ORDERS_DEFAULT_API_URL)
    .describe("Selling Partner API base URL: the region's endpoint, the sandbox or a simulator."),
  lwa_url: z
    .url()
    .default(AMAZON_ORDERS_DEFAULT_LWA_URL)
    .describe("Login with Amazon host; /auth/o2/token is appended."),
  client_id_env: envName.optional().describe("Environment variable holding the LWA client id."),
  client_id_file: filePath.optional().describe("File holding the LWA client id."),
  client_secret_env: envName.optional().describe("Environment variable holding the LWA client secret."),
  client_secret_file: filePath.optional().describe("File holding the LWA client secret."),
  refresh_token_env: envName
    .optional()
    .describe("Environment variable holding the seller's refresh token (Atzr|…) for this region."),
  refresh_token_file: filePath.optional().describe("File holding the seller's refresh token."),
  look_back_hours: z
    .number()
    .positive()
    .max(24 * 730)
    .default(72)
    .describe("The first pull (no checkpoint) reads orders updated in this many past hours."),
  overlap_minutes: z
    .number()
    .min(0)
    .default(15)
    .describe(
      "Each window starts this long before the last one ended, so an order Amazon indexed late is not missed (repeats are deduplicated).",
    ),
  settle_minutes: z
    .number()
    .min(0)
    .default(2)
    .describe(
      "A window ends this long before now: Amazon refuses a lastUpdatedBefore less than 2 minutes old.",
    ),
  page_size: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .describe("Orders per searchOrders page (maxResultsPerPage, 1–100)."),
  rate_limits: z
    .strictObject({
      search_orders: RateLimitSchema.optional(),
      get_order: RateLimitSchema.optional(),
      confirm_shipment: RateLimitSchema.optional(),
    })
    .optional()
    .describe(
      "Token bucket per operation (default Amazon's published limits: searchOrders 0.0056/s burst 20, getOrder 0.5/s burst 30, confirmShipment 2/s burst 10 see docs/marketplaces.md); lowered on its own from x-amzn-RateLimit-Limit.",
    ),
  carriers: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe(
      'Store carrier name → Amazon carrierCode, added to the built-in table (e.g. "Evri": "Hermes Logistik Gruppe"); a name in neither goes as Other + carrierName.',
    ),
  notification_secret_env: envName
    .optional()
    .describe(
      "Environment variable holding the shared secret the EventBridge API destination sends with each ORDER_CHANGE.",
    ),
  notification_secret_file: filePath.optional().describe("File holding that shared secret."),
  notification_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "an HTTP header name")
    .default("x-omnifeed-notification-secret")
    .describe("The header the API destination's connection (API_KEY) puts the shared secret in."),
});
export type AmazonMarketplaceConfig = z.output<typeof AmazonMarketplaceSchema>;
