import { bundledMappingPath } from "../../config/paths.js";
import type { Channel } from "../channel.js";
import type { GoogleSettings } from "./config.js";
import { GoogleAccountSchema, GoogleSettingsSchema } from "./config.js";
import { googleLocalInventoryFeed } from "./feed-local-inventory.js";
import { googleTsvFeed } from "./feed-tsv.js";
import { googleXmlFeed } from "./feed-xml.js";
import { GOOGLE_FIELDS } from "./fields.js";
import type { GoogleItem } from "./transform.js";
import { toGoogleItem } from "./transform.js";
import { googlePublishValues } from "./publish-values.js";
import { googleSectionOf } from "./sections.js";
import { validateGoogleItem } from "./validate.js";

/** Google Merchant Center: product feed files (RSS 2.0 or TSV) and the local inventory file. */
export const googleChannel: Channel<GoogleSettings, GoogleItem> = {
  id: "google",
  title: "Google Merchant Center",
  settingsSchema: GoogleSettingsSchema,
  accountSchema: GoogleAccountSchema,
  fields: GOOGLE_FIELDS,
  defaultMappingFile: bundledMappingPath("google.yaml"),
  feeds: [googleXmlFeed, googleTsvFeed, googleLocalInventoryFeed],
  defaultFeeds: ["google-xml"],
  toItem: toGoogleItem,
  validate: validateGoogleItem,
  keyField: "id",
  keyOf: (item) => item.attributes.id ?? "",
  publishValues: googlePublishValues,
  sectionOf: googleSectionOf,
};
