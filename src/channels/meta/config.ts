import { z } from "zod";
import { InvalidIdentifierPolicySchema } from "../identifiers.js";

/** The `settings:` block of a Meta mapping file: the RSS channel of the XML feed. */
export const MetaMappingSettingsSchema = z.strictObject({
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

/** The Graph API version omnifeed was checked against (../shared/reference/meta.md, Nov 2026). */
export const META_GRAPH_VERSION = "v26.0";

/**
 * `channels.meta.account` in omnifeed.config.yaml: where API publishing goes (adr/0009, adr/0014).
 * Every key is optional so a feed-only merchant sets none; publishing checks the ones it needs
 * (`catalog_id`, the access token) when it starts. Credentials are named, never given inline.
 * Numbers go through `z.coerce` because `--set meta.poll_interval_ms=500` arrives as text.
 */
export const MetaAccountSchema = z.strictObject({
  /** The product catalog's numeric id (Commerce Manager → catalog settings); YAML may give it as a number. */
  catalog_id: z.coerce.string().regex(/^\d+$/, "the catalog's numeric id, e.g. 1234567890").optional(),
  /** Graph API version in every path; each version lives about two years, so it is pinned. */
  graph_version: z
    .string()
    .regex(/^v\d+\.\d+$/, "a Graph API version such as v26.0")
    .default(META_GRAPH_VERSION),
  /** Graph API base URL: the real API, or a simulator (`omnifeed dev simulators`). */
  api_url: z
    .string()
    .regex(/^https?:\/\/\S+$/i, "an http(s) URL")
    .default("https://graph.facebook.com"),
  /** Environment variable holding the system-user access token (`catalog_management`). */
  access_token_env: z.string().min(1).optional(),
  /** File holding the access token, when not in an environment variable. */
  access_token_file: z.string().min(1).optional(),
  /** Environment variable holding the app secret: requests then carry `appsecret_proof`. */
  app_secret_env: z.string().min(1).optional(),
  /** File holding the app secret. */
  app_secret_file: z.string().min(1).optional(),
  /** Batch calls per second; Meta's published catalog batch limit when absent (see publish.ts). */
  rate_limit_per_second: z.coerce.number().positive().optional(),
  /** Batch calls that may go at once; Meta's published limit when absent. */
  rate_limit_burst: z.coerce.number().int().positive().optional(),
  /** Wait between two `check_batch_request_status` polls of a batch still processing. */
  poll_interval_ms: z.coerce.number().int().positive().default(2_000),
  /** How long a batch may stay unfinished before its items are reported `failed` (sent again next run). */
  poll_timeout_ms: z.coerce.number().int().positive().default(600_000),
});

export type MetaAccount = z.output<typeof MetaAccountSchema>;

/** A Meta mapping's settings with the account over them (adr/0009). */
export const MetaSettingsSchema = MetaMappingSettingsSchema.extend(MetaAccountSchema.shape);

export type MetaSettings = z.infer<typeof MetaSettingsSchema>;
