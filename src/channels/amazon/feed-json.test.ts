import { describe, expect, it } from "vitest";
import { AmazonSettingsSchema } from "./config.js";
import { amazonJsonFeed } from "./feed-json.js";
import type { AmazonItem } from "./transform.js";

const settings = AmazonSettingsSchema.parse({ seller_id: "A1DEMOSELLER00" });

function itemOf(sku: string): AmazonItem {
  return {
    sku,
    productType: "CANDLE",
    attributes: {
      item_name: [{ value: `Candle ${sku}`, language_tag: "en_US", marketplace_id: "ATVPDKIKX0DER" }],
    },
  };
}

describe("amazon-json", () => {
  it("renders one message per item, numbered and separated by its prefixes", () => {
    const entries = amazonJsonFeed.render([itemOf("C-1"), itemOf("C-2")], settings, []);
    expect(JSON.parse(`{${entries[0] ?? ""}`)).toEqual({
      sku: "C-1",
      operationType: "UPDATE",
      productType: "CANDLE",
      requirements: "LISTING",
      attributes: itemOf("C-1").attributes,
    });
    if (!amazonJsonFeed.prefix) throw new Error("amazon-json prefixes its entries");
    const prefix = amazonJsonFeed.prefix.bind(amazonJsonFeed);
    const document =
      amazonJsonFeed.header(settings, []) +
      entries.map((entry, index) => prefix(index, index + 1) + entry).join("") +
      amazonJsonFeed.footer(settings);
    expect(document).not.toContain("\n");
    const parsed = JSON.parse(document) as {
      header: unknown;
      messages: { messageId: number; sku: string }[];
    };
    expect(parsed.header).toEqual({ sellerId: "A1DEMOSELLER00", version: "2.0", issueLocale: "en_US" });
    expect(parsed.messages.map((message) => [message.messageId, message.sku])).toEqual([
      [1, "C-1"],
      [2, "C-2"],
    ]);
    expect(Object.keys(parsed.messages[0] ?? {})[0]).toBe("messageId");
  });

  it("numbers messages from 1 in every file", () => {
    expect(amazonJsonFeed.prefix?.(0, 25_001)).toBe('{"messageId":1,');
    expect(amazonJsonFeed.prefix?.(4, 25_005)).toBe(',{"messageId":5,');
  });

  it("leaves requirements out of partial updates and can ask for report data", () => {
    const partial = AmazonSettingsSchema.parse({
      seller_id: "A1",
      operation_type: "PARTIAL_UPDATE",
      issue_locale: "de_DE",
      report_included_data: ["issues", "offers"],
    });
    const [entry] = amazonJsonFeed.render([itemOf("C-1")], partial, []);
    expect(JSON.parse(`{${entry ?? ""}`)).not.toHaveProperty("requirements");
    expect(amazonJsonFeed.header(partial, [])).toBe(
      '{"header":{"sellerId":"A1","version":"2.0","issueLocale":"de_DE","report":{"includedData":["issues","offers"],"apiVersion":"2021-08-01"}},"messages":[',
    );
  });

  it("splits at 25,000 messages into numbered files", () => {
    expect(amazonJsonFeed.maxEntriesPerFile).toBe(25_000);
    expect(amazonJsonFeed.fileName(settings, 1)).toBe("amazon-listings-0001.json");
    expect(amazonJsonFeed.fileName(settings, 12)).toBe("amazon-listings-0012.json");
  });
});

describe("AmazonSettingsSchema", () => {
  it("fills defaults and the marketplace's currency", () => {
    expect(
      AmazonSettingsSchema.parse({
        seller_id: "A1",
        marketplace_id: "A1PA6795UKMFR9",
        language_tag: "de_DE",
      }),
    ).toEqual({
      seller_id: "A1",
      marketplace_id: "A1PA6795UKMFR9",
      language_tag: "de_DE",
      issue_locale: "de_DE",
      currency: "EUR",
      fulfillment_channel_code: "DEFAULT",
      requirements: "LISTING",
      operation_type: "UPDATE",
      invalid_identifiers: "reject",
    });
  });

  it("goes without a seller id (the feed checks it), but needs a currency for unknown marketplaces", () => {
    expect(AmazonSettingsSchema.parse({}).seller_id).toBeUndefined();
    expect(amazonJsonFeed.needs).toEqual(["seller_id"]);
    const unknown = AmazonSettingsSchema.safeParse({ seller_id: "A1", marketplace_id: "XNEWMARKET" });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(["currency"]);
    // The likely mistake is a mistyped marketplace id in the account: the message says where it is.
    expect(unknown.error?.issues[0]?.message).toContain("channels.amazon.account.marketplace_id");
    expect(
      AmazonSettingsSchema.parse({ seller_id: "A1", marketplace_id: "XNEWMARKET", currency: "CHF" }).currency,
    ).toBe("CHF");
  });
});
