import { bundledMappingPath } from "../../config/paths.js";
import type { Channel } from "../channel.js";
import { compilePublishValues } from "../publish-values.js";
import { metaSectionOf } from "./sections.js";
import type { MetaSettings } from "./config.js";
import { MetaAccountSchema, MetaSettingsSchema } from "./config.js";
import { metaCsvFeed } from "./feed-csv.js";
import { metaXmlFeed } from "./feed-xml.js";
import { META_FIELDS } from "./fields.js";
import type { MetaItem } from "./transform.js";
import { toMetaItem } from "./transform.js";
import { validateMetaItem } from "./validate.js";

const metaValues = compilePublishValues(META_FIELDS);

/** Meta (Facebook and Instagram) catalog: feed files in CSV or RSS XML. */
export const metaChannel: Channel<MetaSettings, MetaItem> = {
  id: "meta",
  title: "Meta catalog",
  settingsSchema: MetaSettingsSchema,
  accountSchema: MetaAccountSchema,
  fields: META_FIELDS,
  defaultMappingFile: bundledMappingPath("meta.yaml"),
  feeds: [metaCsvFeed, metaXmlFeed],
  defaultFeeds: ["meta-csv"],
  toItem: toMetaItem,
  validate: validateMetaItem,
  keyField: "id",
  keyOf: (item) => item.attributes.id ?? "",
  publishValues: (item) => metaValues(item.attributes),
  sectionOf: metaSectionOf,
};
