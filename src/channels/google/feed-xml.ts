import type { FeedFormat } from "../../feeds/format.js";
import { RSS_FOOTER, rssHeader, rssItem } from "../rss.js";
import type { GoogleSettings } from "./config.js";
import type { GoogleItem } from "./transform.js";

/**
 * `google.xml`: RSS 2.0 with the `g:` namespace (https://support.google.com/merchants/answer/160567),
 * one `<item>` per variant with its attributes in the spec's order.
 */
export const googleXmlFeed: FeedFormat<GoogleItem, GoogleSettings> = {
  id: "google-xml",
  description: "Google Merchant Center product feed, RSS 2.0 (google.xml)",
  fileName: () => "google.xml",
  unit: "items",
  layout: "rss-items",
  header: (settings) => rssHeader(settings),
  footer: () => RSS_FOOTER,
  render: (items) => items.map((item) => rssItem(item.attributes)),
};
