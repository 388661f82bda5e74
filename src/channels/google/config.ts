import { z } from "zod";
import { InvalidIdentifierPolicySchema } from "../identifiers.js";

/**
 * The `settings:` block of a Google mapping file. Defaults make the built-in mapping usable as it
 * is; a merchant sets at least `link` (the store) in their own file.
 */

const PRICE_TEXT = /^\d+(?:\.\d+)? [A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
const BUSINESS_DAYS = z.number().int().min(0);

/** A default shipping group (https://support.google.com/merchants/answer/6324484). */
export const GoogleShippingSettingSchema = z.strictObject({
  country: z.string().regex(COUNTRY, "a country code such as US"),
  region: z.string().min(1).optional(),
  postal_code: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  price: z.string().regex(PRICE_TEXT, "a price such as 4.99 USD (0.00 USD for free)"),
  min_handling_time: BUSINESS_DAYS.optional(),
  max_handling_time: BUSINESS_DAYS.optional(),
  min_transit_time: BUSINESS_DAYS.optional(),
  max_transit_time: BUSINESS_DAYS.optional(),
});

export const GoogleMappingSettingsSchema = z.strictObject({
  /** `<title>` of the RSS channel. */
  title: z.string().min(1).default("Product feed"),
  /** `<link>` of the RSS channel: the store's home page. */
  link: z
    .string()
    .regex(/^https?:\/\/\S+$/i, "an http(s) URL")
    .optional(),
  /** `<description>` of the RSS channel. */
  description: z.string().min(1).default("Products exported by omnifeed"),
  /** Where the items are sold; decides which requirements are errors (apparel attributes). */
  target_country: z.string().regex(COUNTRY, "a country code such as US").default("US"),
  /** ISO 639-1 language of titles and descriptions. */
  content_language: z
    .string()
    .regex(/^[a-z]{2}$/, "a two-letter language code such as en")
    .default("en"),
  /** Shipping groups for items whose mapping gives none (instead of account shipping settings). */
  shipping: z.array(GoogleShippingSettingSchema).optional(),
  /** Store pickup for the local inventory feed, unless an item maps `pickup_method`/`pickup_sla`. */
  local_inventory: z
    .strictObject({
      pickup_method: z.enum(["buy", "reserve", "ship to store", "not supported"]).optional(),
      pickup_sla: z
        .enum(["same day", "next day", "2-day", "3-day", "4-day", "5-day", "6-day", "7-day", "multi-week"])
        .optional(),
    })
    .optional(),
  /**
   * An invalid `gtin` (or an `mpn` that is a damaged barcode) is never sent: `drop` leaves it out
   * with a warning (Google lists items without a GTIN, with limited performance); `reject` keeps
   * the item out of the feed.
   */
  invalid_identifiers: InvalidIdentifierPolicySchema.default("drop"),
});

/** A Merchant Center or data source id: digits, as YAML (a number) or `--set` (text) gives it. */
const NUMERIC_ID = z.union([
  z.string().regex(/^\d+$/, "digits only, e.g. 123456789"),
  z.number().int().positive(),
]);

// YAML gives numbers, `--set` gives text: both are taken.
const numberOfText = (value: unknown): unknown =>
  typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
const POSITIVE = z.preprocess(numberOfText, z.number("a positive number").positive());
const POSITIVE_INTEGER = z.preprocess(numberOfText, z.number("a positive whole number").int().positive());

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

/**
 * `channels.google.account` in omnifeed.config.yaml (adr/0009): where API publishing goes and how
 * it signs in. Every key is optional so a feed-only merchant needs none; the publisher names the
 * missing one when it is asked to publish. Credentials are never inline: a service-account JSON
 * key is read from the file or the environment variable named here. See docs/publishing-google.md.
 */
export const GoogleAccountSchema = z.strictObject({
  /** The Merchant Center account id (`accounts/{merchant_id}`). */
  merchant_id: NUMERIC_ID.optional(),
  /** The id of the primary API data source the products go into (`accounts/{a}/dataSources/{id}`). */
  data_source: NUMERIC_ID.optional(),
  /** The data source's feed label (the middle part of product names `en~US~SKU`); default `US`. */
  feed_label: z
    .string()
    .regex(/^[A-Z0-9_-]{1,20}$/, "up to 20 of A-Z, 0-9, _ and -, e.g. US")
    .optional(),
  /**
   * The data source's content language (ISO 639-1). Not named `content_language`: that key is a
   * mapping setting already, and a mapping file may not name an account key (adr/0009).
   */
  language: z
    .string()
    .regex(/^[a-z]{2}$/, "a two-letter language code such as en")
    .optional(),
  /** Merchant API base URL; a simulator or proxy in tests. */
  api_url: z.url().optional(),
  /** OAuth 2.0 token endpoint the service account's signed JWT is exchanged at. */
  token_url: z.url().optional(),
  /** A file holding the service account's JSON key. */
  credentials_file: z.string().min(1).optional(),
  /** An environment variable holding the service account's JSON key. */
  credentials_env: ENV_NAME.optional(),
  /** Write calls per second for the account's token bucket. */
  rate_limit_per_second: POSITIVE.optional(),
  /** Write calls that may go at once after a quiet spell. */
  rate_limit_burst: POSITIVE_INTEGER.optional(),
  /** Updates per product per day before the planner defers the rest (Google asks for about 2). */
  daily_updates_per_item: POSITIVE_INTEGER.optional(),
});

export type GoogleAccount = z.infer<typeof GoogleAccountSchema>;

/** What the channel works with: the mapping's settings and the account, together. */
export const GoogleSettingsSchema = GoogleMappingSettingsSchema.extend(GoogleAccountSchema.shape);

export type GoogleSettings = z.infer<typeof GoogleSettingsSchema>;
