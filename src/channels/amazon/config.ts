import { z } from "zod";
import { CurrencySchema } from "../../core/money.js";
import { InvalidIdentifierPolicySchema } from "../identifiers.js";
import { currencyOfMarketplace } from "./marketplaces.js";

/**
 * Amazon's settings come from two places (adr/0009): the seller account (`channels.amazon.account`
 * in omnifeed.config.yaml or `--set amazon.<key>=…`) says who sends the JSON_LISTINGS_FEED and to
 * which marketplace; the `settings:` block of the mapping says how each message is meant
 * (https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values).
 */

export const REPORT_INCLUDED_DATA = [
  "summaries",
  "attributes",
  "issues",
  "offers",
  "fulfillmentAvailability",
  "procurement",
  "relationships",
  "productTypes",
] as const;

const LOCALE = z.string().regex(/^[a-z]{2}_[A-Z]{2}$/, "a locale such as en_US");

/** The Selling Partner API's North America endpoint; EU and FE hosts are in docs/publishing-amazon.md. */
export const AMAZON_DEFAULT_API_URL = "https://sellingpartnerapi-na.amazon.com";
/** Login with Amazon: one token host for every region. */
export const AMAZON_DEFAULT_LWA_URL = "https://api.amazon.com";
/** Listings Items API write operations (put 5/10, patch and delete 5/5): the stricter burst. */
export const AMAZON_DEFAULT_RATE_LIMIT = { perSecond: 5, burst: 5 } as const;
/** Above this many changes in one run, a JSON_LISTINGS_FEED is cheaper than one call per item. */
export const AMAZON_DEFAULT_FEED_THRESHOLD = 1000;

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");
const FILE_PATH = z.string().min(1, "a file path");
// Text from `--set` arrives as a string: numbers are read from it.
const POSITIVE = z.coerce.number().positive();

/**
 * The seller account (adr/0009): who sends the listings, to which marketplace, and for API
 * publishing where the endpoints and the credentials are. Every key is optional so a run that
 * writes only files needs none; the publisher names the keys it misses (docs/publishing-amazon.md).
 * Credentials are never inline: each is named by an environment variable (`*_env`) or a file (`*_file`).
 */
export const AmazonAccountSchema = z.strictObject({
  /** The merchant token (selling partner id) from Seller Central: the feed header's `sellerId`. */
  seller_id: z.string().min(1, "the seller id (merchant token) from Seller Central").optional(),
  /** Where the listings are sold; amazon.com when absent. The currency follows it. */
  marketplace_id: z.string().min(1).default("ATVPDKIKX0DER"),
  /** Selling Partner API base URL (region, sandbox or simulator); the NA endpoint when absent. */
  api_url: z.url().optional(),
  /** Login with Amazon host; `/auth/o2/token` is appended. https://api.amazon.com when absent. */
  lwa_url: z.url().optional(),
  /** The LWA application's client id (`amzn1.application-oa2-client.…`). */
  client_id_env: ENV_NAME.optional(),
  client_id_file: FILE_PATH.optional(),
  client_secret_env: ENV_NAME.optional(),
  client_secret_file: FILE_PATH.optional(),
  /** The seller's refresh token (`Atzr|…`) for this region. */
  refresh_token_env: ENV_NAME.optional(),
  refresh_token_file: FILE_PATH.optional(),
  /** Write calls per second for this seller (Listings Items: 5). */
  rate_limit_per_second: POSITIVE.optional(),
  rate_limit_burst: z.coerce.number().int().positive().optional(),
  /** Runs with more changes than this go as one JSON_LISTINGS_FEED instead of item calls. */
  feed_threshold: z.coerce.number().int().nonnegative().optional(),
  /** Language of the issues Amazon reports (API calls and processing reports); the language tag when absent. */
  issue_locale: LOCALE.optional(),
});

export type AmazonAccount = z.output<typeof AmazonAccountSchema>;

/** The `settings:` block of an Amazon mapping file. */
export const AmazonMappingSettingsSchema = z.strictObject({
  /** Language of the text attributes. */
  language_tag: LOCALE.default("en_US"),
  /** Currency of the offers; the marketplace's when absent. */
  currency: CurrencySchema.optional(),
  /** `DEFAULT` = fulfilled by the merchant (quantity sent); FBA codes such as `AMAZON_NA` send none. */
  fulfillment_channel_code: z.string().min(1).default("DEFAULT"),
  requirements: z.enum(["LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"]).default("LISTING"),
  /** `UPDATE` replaces the whole listing; `PARTIAL_UPDATE` only the attributes sent. */
  operation_type: z.enum(["UPDATE", "PARTIAL_UPDATE"]).default("UPDATE"),
  /** Ask for the listings' data in the processing report (header `report.includedData`). */
  report_included_data: z.array(z.enum(REPORT_INCLUDED_DATA)).min(1).optional(),
  /**
   * An invalid GTIN (or a part number that is a damaged barcode) is never sent. `reject` keeps
   * the listing out: Amazon refuses a new listing without a product id, and declaring a GTIN
   * exemption for a product that has a barcode would misstate it. `drop` leaves the GTIN out,
   * for listings that match an existing ASIN (`merchant_suggested_asin`).
   */
  invalid_identifiers: InvalidIdentifierPolicySchema.default("reject"),
});

/** What the channel works with: the mapping's settings and the account, together. */
export const AmazonSettingsSchema = AmazonMappingSettingsSchema.extend(AmazonAccountSchema.shape).transform(
  (settings, context) => {
    const currency = settings.currency ?? currencyOfMarketplace(settings.marketplace_id);
    if (currency === undefined) {
      context.addIssue({
        code: "custom",
        path: ["currency"],
        message:
          `no currency known for marketplace ${settings.marketplace_id}: check the account's ` +
          `marketplace_id (channels.amazon.account.marketplace_id or --set amazon.marketplace_id), ` +
          `or set currency in the mapping's settings`,
      });
      return z.NEVER;
    }
    return { ...settings, issue_locale: settings.issue_locale ?? settings.language_tag, currency };
  },
);

export type AmazonSettings = z.output<typeof AmazonSettingsSchema>;
