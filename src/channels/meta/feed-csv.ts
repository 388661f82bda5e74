import { formatCsvRow } from "../../feeds/csv-text.js";
import type { FeedFormat } from "../../feeds/format.js";
import { withoutForbiddenCharacters } from "../../feeds/feed-characters.js";
import type { FeedAttributeValue } from "../rss.js";
import type { ShippingGroup } from "../shipping-groups.js";
import { shippingGroupText } from "../shipping-groups.js";
import type { MetaSettings } from "./config.js";
import type { MetaAttributes } from "./fields.js";
import { META_FIELDS } from "./fields.js";
import type { MetaItem } from "./transform.js";

/**
 * `meta.csv`: the catalog as CSV with RFC 4180 quoting, header = the mapping's fields (Commerce
 * Manager column names), without the template's `#` help row. Lists of labels (`internal_label`)
 * go into one cell as a JSON array, the form Meta reads for array fields in CSV, so a label may hold
 * a comma; image URL lists go comma-separated, as Meta documents for `additional_image_link`;
 * shipping groups as `Country:Region:Service:Price`. Characters no feed carries are dropped.
 */

// Fields whose values are a list of free texts.
const JSON_LIST_FIELDS: ReadonlySet<string> = new Set(
  META_FIELDS.filter((field) => field.kind === "list").map((field) => field.name),
);

function cellOf(value: FeedAttributeValue | undefined, jsonList: boolean): string {
  if (value === undefined) return "";
  if (typeof value === "string") return withoutForbiddenCharacters(value);
  return withoutForbiddenCharacters(jsonList ? JSON.stringify(value) : listCellOf(value));
}

function listCellOf(value: Exclude<FeedAttributeValue, string>): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const element = value[i] as string | ShippingGroup;
    if (i > 0) out += ",";
    out += typeof element === "string" ? element : shippingGroupText(element);
  }
  return out;
}

export const metaCsvFeed: FeedFormat<MetaItem, MetaSettings> = {
  id: "meta-csv",
  description: "Meta catalog feed, CSV (meta.csv)",
  fileName: () => "meta.csv",
  unit: "items",
  layout: "csv-records",
  header: (_settings, columns) => formatCsvRow(columns, ","),
  footer: () => "",
  render(items, _settings, columns) {
    const names = columns as readonly (keyof MetaAttributes)[];
    const jsonLists = names.map((name) => JSON_LIST_FIELDS.has(name));
    const row: string[] = new Array<string>(names.length);
    return items.map((item) => {
      for (let i = 0; i < names.length; i++)
        row[i] = cellOf(item.attributes[names[i] as keyof MetaAttributes], jsonLists[i]!);
      return formatCsvRow(row, ",");
    });
  },
};
