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

export const GoogleSettingsSchema = z.strictObject({
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

export type GoogleSettings = z.infer<typeof GoogleSettingsSchema>;

/**
 * `channels.google.account` in omnifeed.config.yaml: nothing yet. The Merchant Center id and the
 * credentials of API publishing belong here (adr/0009), not in mapping files.
 */
export const GoogleAccountSchema = z.strictObject({});
