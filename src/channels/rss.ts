import type { ShippingGroup } from "./shipping-groups.js";
import { SHIPPING_KEYS } from "./shipping-groups.js";
import { escapeXmlText } from "../feeds/xml-text.js";

/**
 * RSS 2.0 with Google's `g:` namespace — the XML feed of Google Merchant Center
 * (https://support.google.com/merchants/answer/160567) that Meta reads too (Meta Business Help
 * Centre, "Data feed specifications for catalogs"). One `<item>` per variant, every
 * attribute a `g:` element, lists as repeated elements, shipping groups as nested elements.
 */

/** An attribute of a Google-style item: text, a list of texts, or shipping groups. */
export type FeedAttributeValue = string | readonly string[] | readonly ShippingGroup[];

/** Attributes in the order they are written; `undefined` ones are left out. */
export type FeedAttributes = Readonly<Record<string, FeedAttributeValue | undefined>>;

export interface RssChannelInfo {
  title: string;
  link?: string | undefined;
  description: string;
}

export function rssHeader(info: RssChannelInfo): string {
  const link = info.link ? `    <link>${escapeXmlText(info.link)}</link>\n` : "";
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">\n' +
    "  <channel>\n" +
    `    <title>${escapeXmlText(info.title)}</title>\n` +
    link +
    `    <description>${escapeXmlText(info.description)}</description>\n`
  );
}

export const RSS_FOOTER = "  </channel>\n</rss>\n";

interface Tags {
  open: string;
  close: string;
}

const ATTRIBUTE_INDENT = "      ";
const SUB_ATTRIBUTE_INDENT = "        ";

// Tag strings are made once per attribute name, not once per item.
const attributeTags = new Map<string, Tags>();
const subAttributeTags = new Map<string, Tags>();

function tagsOf(name: string, cache: Map<string, Tags>, indent: string): Tags {
  let tags = cache.get(name);
  if (tags === undefined) {
    tags = { open: `${indent}<g:${name}>`, close: `</g:${name}>\n` };
    cache.set(name, tags);
  }
  return tags;
}

/** One `<item>` element. */
export function rssItem(attributes: FeedAttributes): string {
  let out = "    <item>\n";
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined) continue;
    const tags = tagsOf(name, attributeTags, ATTRIBUTE_INDENT);
    if (typeof value === "string") {
      out += tags.open + escapeXmlText(value) + tags.close;
    } else {
      for (const element of value) {
        out +=
          typeof element === "string"
            ? tags.open + escapeXmlText(element) + tags.close
            : shippingElement(element, tags);
      }
    }
  }
  return out + "    </item>\n";
}

function shippingElement(group: ShippingGroup, tags: Tags): string {
  let out = `${tags.open}\n`;
  for (const key of SHIPPING_KEYS) {
    const value = group[key];
    if (value === undefined || value === "") continue;
    const sub = tagsOf(key, subAttributeTags, SUB_ATTRIBUTE_INDENT);
    out += sub.open + escapeXmlText(value) + sub.close;
  }
  return out + ATTRIBUTE_INDENT + tags.close;
}
