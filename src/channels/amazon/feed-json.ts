import type { FeedFormat } from "../../feeds/format.js";
import type { AmazonSettings } from "./config.js";
import type { AmazonItem } from "./transform.js";

/**
 * `amazon-listings-0001.json`, `-0002`, …: JSON_LISTINGS_FEED documents
 * (https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values; schema
 * `listings-feed-schema-v2.json`), one message per variant, at most 25,000 per document.
 *
 * `render` writes each message without its opening brace and `messageId`; `prefix` puts them in
 * when the message is written, numbering the messages of each file from 1 (a file is one feed
 * submission, and its processing report refers to messages by these ids), with commas between.
 */

export const AMAZON_MAX_MESSAGES = 25_000;

function headerOf(settings: AmazonSettings): string {
  const header: Record<string, unknown> = {
    sellerId: settings.seller_id,
    version: "2.0",
    issueLocale: settings.issue_locale,
  };
  if (settings.report_included_data) {
    header.report = { includedData: settings.report_included_data, apiVersion: "2021-08-01" };
  }
  return `{"header":${JSON.stringify(header)},"messages":[`;
}

export const amazonJsonFeed: FeedFormat<AmazonItem, AmazonSettings> = {
  id: "amazon-json",
  description: "Amazon JSON_LISTINGS_FEED documents, 25,000 messages each (amazon-listings-NNNN.json)",
  fileName: (_settings, part) => `amazon-listings-${String(part).padStart(4, "0")}.json`,
  unit: "messages",
  layout: "json-messages",
  needs: ["seller_id"],
  maxEntriesPerFile: AMAZON_MAX_MESSAGES,
  header: headerOf,
  footer: () => "]}",
  render(items, settings) {
    // PARTIAL_UPDATE messages must not carry `requirements`.
    const requirements = settings.operation_type === "UPDATE" ? settings.requirements : undefined;
    return items.map((item) =>
      // Without the leading `{`, which `prefix` writes together with the message id.
      JSON.stringify({
        sku: item.sku,
        operationType: settings.operation_type,
        productType: item.productType,
        requirements,
        attributes: item.attributes,
      }).slice(1),
    );
  },
  prefix: (index) => `${index === 0 ? "" : ","}{"messageId":${index + 1},`,
};
