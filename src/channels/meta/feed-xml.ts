import type { FeedFormat } from "../../feeds/format.js";
import { RSS_FOOTER, rssHeader, rssItem } from "../rss.js";
import type { MetaSettings } from "./config.js";
import type { MetaItem } from "./transform.js";

/** `meta.xml`: RSS 2.0 with Google's `g:` namespace, which Meta reads, holding Meta's values. */
export const metaXmlFeed: FeedFormat<MetaItem, MetaSettings> = {
  id: "meta-xml",
  description: "Meta catalog feed, RSS 2.0 with the g: namespace (meta.xml)",
  fileName: () => "meta.xml",
  unit: "items",
  layout: "rss-items",
  header: (settings) => rssHeader(settings),
  footer: () => RSS_FOOTER,
  render: (items) => items.map((item) => rssItem(item.attributes)),
};
