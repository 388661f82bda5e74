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

/** The seller account. Only the feed needs the seller id, so a run that writes none may go without. */
export const AmazonAccountSchema = z.strictObject({
  /** The merchant token (selling partner id) from Seller Central: the feed header's `sellerId`. */
  seller_id: z.string().min(1, "the seller id (merchant token) from Seller Central").optional(),
  /** Where the listings are sold; amazon.com when absent. The currency follows it. */
  marketplace_id: z.string().min(1).default("ATVPDKIKX0DER"),
});

/** The `settings:` block of an Amazon mapping file. */
export const AmazonMappingSettingsSchema = z.strictObject({
  /** Language of the text attributes. */
  language_tag: LOCALE.default("en_US"),
  /** Language of the issues in the processing report; the language tag when absent. */
  issue_locale: LOCALE.optional(),
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
