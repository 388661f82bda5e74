import { z } from "zod";
import { InvalidIdentifierPolicySchema } from "../identifiers.js";

/** The `settings:` block of a Meta mapping file: the RSS channel of the XML feed. */
export const MetaSettingsSchema = z.strictObject({
  /** `<title>` of the RSS channel (XML feed). */
  title: z.string().min(1).default("Product catalog"),
  /** `<link>` of the RSS channel: the store's home page. */
  link: z
    .string()
    .regex(/^https?:\/\/\S+$/i, "an http(s) URL")
    .optional(),
  /** `<description>` of the RSS channel. */
  description: z.string().min(1).default("Products exported by omnifeed"),
  /**
   * An invalid `gtin` (or an `mpn` that is a damaged barcode) is never sent: `drop` leaves it out
   * with a warning (the item still sells on its brand); `reject` keeps the item out of the feed.
   */
  invalid_identifiers: InvalidIdentifierPolicySchema.default("drop"),
});

export type MetaSettings = z.infer<typeof MetaSettingsSchema>;

/**
 * `channels.meta.account` in omnifeed.config.yaml: nothing yet. The catalog id and the credentials
 * of API publishing belong here (adr/0009), not in mapping files.
 */
export const MetaAccountSchema = z.strictObject({});
