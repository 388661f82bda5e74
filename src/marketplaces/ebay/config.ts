import { z } from "zod";

/**
 * `marketplaces.ebay` of omnifeed.config.yaml: the seller whose orders are polled from the Sell
 * Fulfillment API v1 and whose packages are confirmed with `createShippingFulfillment`. Every
 * endpoint is configurable (production, sandbox, simulator); credentials by environment variable
 * or file (docs/marketplaces.md).
 */

export const EBAY_DEFAULT_API_URL = "https://api.ebay.com";
export const EBAY_DEFAULT_IDENTITY_URL = "https://api.ebay.com";
export const EBAY_FULFILLMENT_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment";

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name such as EBAY_CLIENT_ID");
const filePath = z.string().min(1, "a file path");

export const EbayMarketplaceSchema = z.strictObject({
  seller_id: z
    .string()
    .trim()
    .min(1)
    .describe("The seller's eBay user id: the account the orders belong to."),
  api_url: z
    .url()
    .default(EBAY_DEFAULT_API_URL)
    .describe(
      "eBay API host (https://api.sandbox.ebay.com for the sandbox); /sell/fulfillment/v1 is appended.",
    ),
  identity_url: z
    .url()
    .default(EBAY_DEFAULT_IDENTITY_URL)
    .describe("eBay OAuth host; /identity/v1/oauth2/token is appended."),
  client_id_env: envName
    .optional()
    .describe("Environment variable holding the application's client id (App ID)."),
  client_id_file: filePath.optional().describe("File holding the client id."),
  client_secret_env: envName.optional().describe("Environment variable holding the client secret (Cert ID)."),
  client_secret_file: filePath.optional().describe("File holding the client secret."),
  refresh_token_env: envName
    .optional()
    .describe("Environment variable holding the seller's refresh token (from the consent flow)."),
  refresh_token_file: filePath.optional().describe("File holding the seller's refresh token."),
  scope: z
    .string()
    .min(1)
    .default(EBAY_FULFILLMENT_SCOPE)
    .describe("OAuth scopes asked for on each refresh (space-separated; sell.fulfillment reads and ships)."),
  look_back_hours: z
    .number()
    .positive()
    .max(24 * 89)
    .default(72)
    .describe(
      "The first pull (no checkpoint) reads orders modified in this many past hours (eBay: 90 days at most).",
    ),
  overlap_minutes: z
    .number()
    .min(0)
    .default(15)
    .describe(
      "Each poll starts this long before the previous one did, so no change is missed (repeats are deduplicated).",
    ),
  page_size: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(100)
    .describe("Orders per getOrders page (limit, 1–200)."),
  rate_limit_per_second: z
    .number()
    .positive()
    .default(5)
    .describe("Calls per second to the Fulfillment API (eBay counts calls per day; this spreads them)."),
  rate_limit_burst: z.number().int().positive().default(10).describe("Calls that may go at once."),
  carriers: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe(
      'Store carrier name → eBay shippingCarrierCode, added to the built-in table (e.g. "Evri": "Hermes").',
    ),
});
export type EbayMarketplaceConfig = z.output<typeof EbayMarketplaceSchema>;
