import { bundledMappingPath } from "../../config/paths.js";
import type { Channel } from "../channel.js";
import { amazonSectionOf } from "./sections.js";
import type { AmazonSettings } from "./config.js";
import { AmazonAccountSchema, AmazonSettingsSchema } from "./config.js";
import { amazonJsonFeed } from "./feed-json.js";
import { AMAZON_FIELDS } from "./fields.js";
import type { AmazonItem } from "./transform.js";
import { toAmazonItem } from "./transform.js";
import { validateAmazonItem } from "./validate.js";

/** Amazon Selling Partner listings, written as JSON_LISTINGS_FEED documents. */
export const amazonChannel: Channel<AmazonSettings, AmazonItem> = {
  id: "amazon",
  title: "Amazon (JSON_LISTINGS_FEED)",
  settingsSchema: AmazonSettingsSchema,
  accountSchema: AmazonAccountSchema,
  fields: AMAZON_FIELDS,
  defaultMappingFile: bundledMappingPath("amazon.yaml"),
  feeds: [amazonJsonFeed],
  defaultFeeds: ["amazon-json"],
  toItem: toAmazonItem,
  validate: validateAmazonItem,
  keyField: "sku",
  keyOf: (item) => item.sku,
  publishValues: (item) => ({ product_type: item.productType, ...item.attributes }),
  sectionOf: amazonSectionOf,
};
