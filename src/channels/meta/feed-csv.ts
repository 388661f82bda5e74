import { formatCsvRow } from "../../feeds/csv-text.js";
import type { FeedFormat } from "../../feeds/format.js";
import type { FeedAttributeValue } from "../rss.js";
import type { ShippingGroup } from "../shipping-groups.js";
import { shippingGroupText } from "../shipping-groups.js";
import type { MetaSettings } from "./config.js";
import type { MetaAttributes } from "./fields.js";
import type { MetaItem } from "./transform.js";

/**
 * `meta.csv`: the catalog as CSV with RFC 4180 quoting, header = the mapping's fields (Commerce
 * Manager column names), without the template's `#` help row. Lists go comma-separated into one
 * cell; shipping groups as `Country:Region:Service:Price`.
 */

function cellOf(value: FeedAttributeValue | undefined): string {
  if (value === undefined || typeof value === "string") return value ?? "";
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
    const row: string[] = new Array<string>(names.length);
    return items.map((item) => {
      for (let i = 0; i < names.length; i++)
        row[i] = cellOf(item.attributes[names[i] as keyof MetaAttributes]);
      return formatCsvRow(row, ",");
    });
  },
};
