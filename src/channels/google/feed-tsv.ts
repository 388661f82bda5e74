import type { FeedFormat } from "../../feeds/format.js";
import type { FeedAttributeValue } from "../rss.js";
import { shippingGroupText } from "../shipping-groups.js";
import type { ShippingGroup } from "../shipping-groups.js";
import { tabCell } from "../tab-text.js";
import type { GoogleSettings } from "./config.js";
import type { GoogleAttributes } from "./fields.js";
import { GOOGLE_FIELDS } from "./fields.js";
import type { GoogleItem } from "./transform.js";

/**
 * `google.tsv`: the tab-delimited feed (https://support.google.com/merchants/answer/160567). The
 * header is the mapping's fields; lists are comma-separated in one cell (literal commas in URLs as
 * `%2C`), shipping groups as `country:region:service:price`.
 */

const URL_LISTS = new Set<string>(
  GOOGLE_FIELDS.filter((field) => field.kind === "url_list").map((field) => field.name),
);
const COMMA = /,/g;

type CellWriter = (value: FeedAttributeValue) => string;

const writeText: CellWriter = (value) => tabCell(typeof value === "string" ? value : listText(value));
const writeUrls: CellWriter = (value) =>
  tabCell(typeof value === "string" ? value : (value as readonly string[]).map(escapeComma).join(","));

function escapeComma(url: string): string {
  return url.includes(",") ? url.replace(COMMA, "%2C") : url;
}

function listText(value: readonly string[] | readonly ShippingGroup[]): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const element = value[i] as string | ShippingGroup;
    if (i > 0) out += ",";
    out += typeof element === "string" ? element : shippingGroupText(element);
  }
  return out;
}

/** The columns written: the mapping's, plus `shipping` when the settings give default groups. */
function columnsOf(settings: GoogleSettings, columns: readonly string[]): readonly string[] {
  return settings.shipping && !columns.includes("shipping") ? [...columns, "shipping"] : columns;
}

export const googleTsvFeed: FeedFormat<GoogleItem, GoogleSettings> = {
  id: "google-tsv",
  description: "Google Merchant Center product feed, tab-delimited text (google.tsv)",
  fileName: () => "google.tsv",
  unit: "items",
  layout: "tsv-rows",
  header: (settings, columns) => `${columnsOf(settings, columns).join("\t")}\n`,
  footer: () => "",
  render(items, settings, columns) {
    const names = columnsOf(settings, columns) as readonly (keyof GoogleAttributes)[];
    const writers = names.map((name) => (URL_LISTS.has(name) ? writeUrls : writeText));
    return items.map((item) => {
      const attributes = item.attributes;
      let line = "";
      for (let i = 0; i < names.length; i++) {
        if (i > 0) line += "\t";
        const value = attributes[names[i] as keyof GoogleAttributes];
        if (value !== undefined) line += (writers[i] as CellWriter)(value);
      }
      return `${line}\n`;
    });
  },
};
