import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import { afterAll, expect, it } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { encodeEntries } from "../../feeds/encoded-entries.js";
import { FeedWriter } from "../../feeds/feed-writer.js";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import type { AmazonSettings } from "./config.js";
import { AmazonSettingsSchema } from "./config.js";
import { amazonJsonFeed } from "./feed-json.js";
import type { AmazonItem } from "./transform.js";
import { toAmazonItem } from "./transform.js";

/**
 * Contract: what amazon-json writes is a valid JSON_LISTINGS_FEED document for Amazon's own
 * schemas (amzn/selling-partner-api-models, kept in ../shared/specs). Missing schemas fail under
 * CI=true (CI always has them) and are named in one `[did not run]` line elsewhere.
 */

const DOCUMENT_SCHEMA = "amazon-sp-api/listings-feed-schema-v2.json";
const MESSAGE_SCHEMA = "amazon-sp-api/listings-feed-message-schema-v2.json";

function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(specPath(file), "utf8")) as Record<string, unknown>;
}

function compile(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  // Amazon's schemas carry OpenAPI-style `example` annotations, unknown to JSON Schema draft-07.
  ajv.addVocabulary(["example"]);
  return ajv.compile(readSchema(file));
}

function mappedOf(fields: Record<string, FieldValue>): MappingResult {
  return {
    fields,
    stock: { quantity: undefined, locations: [], availability: "in_stock" },
    firedRules: [],
    issues: [],
  };
}

const CATALOG: Record<string, FieldValue>[] = [
  {
    sku: "TS-RED-M",
    product_type: "SHIRT",
    item_name: 'Acme Tee – Red – M "Classic" & 🧦',
    brand: "Acme",
    product_description: "<p>Soft cotton tee.</p>",
    bullet_point: ["100% cotton", "Machine washable"],
    externally_assigned_product_identifier: "036000291452",
    condition_type: "new",
    list_price: { amount: 1999, currency: "USD" },
    our_price: { amount: 1500, currency: "USD" },
    sale_price: { amount: 1200, currency: "USD" },
    sale_price_start: "2026-11-27T00:00-0800",
    sale_price_end: "2026-12-01T23:59-0800",
    quantity: 5,
    main_image: "https://demo.omnifeed.dev/i/tee.jpg",
    other_images: ["https://demo.omnifeed.dev/i/tee-2.jpg", "https://demo.omnifeed.dev/i/tee-3.jpg"],
    color: "Red",
    size: "M",
    department: "unisex-adult",
    item_weight: { value: 200, unit: "g" },
    item_package_dimensions: { length: 30, width: 20, height: 2, unit: "cm" },
    parent_sku: "TS",
    variation_theme: "SIZE/COLOR",
  },
  { sku: "CANDLE-1", product_type: "CANDLE", item_name: "Vanilla Candle", our_price: "12.00", quantity: 0 },
  {
    sku: "HP-200",
    product_type: "HEADPHONES",
    item_name: "Studio Headphones",
    merchant_suggested_asin: "B0DCBV9LKP",
    our_price: { amount: 7999, currency: "USD" },
    quantity: 3,
    handling_time: 2,
  },
  { sku: "MUG-01", product_type: "DRINKING_CUP", item_name: "Mug", our_price: "8.50 USD", quantity: "9" },
  { sku: "LAMP-01", product_type: "LAMP", item_name: "Desk Lamp", our_price: "39.00", quantity: 1 },
];

function itemsFor(settings: AmazonSettings): AmazonItem[] {
  return CATALOG.map((fields) => toAmazonItem(mappedOf(fields), settings).item);
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** The files the real feed writer makes of these items, split every `max` messages. */
async function documentsOf(items: AmazonItem[], settings: AmazonSettings, max: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "omnifeed-amazon-"));
  tempDirs.push(dir);
  const writer = new FeedWriter({ ...amazonJsonFeed, maxEntriesPerFile: max }, settings, [], {
    dir,
    gzip: false,
  });
  await writer.start();
  await writer.write(encodeEntries(amazonJsonFeed.render(items, settings, [])));
  const finished = await writer.finish();
  return finished.parts.map((part) => readFileSync(part.tempPath, "utf8"));
}

describeWithSpecs(
  "amazon-json against Amazon's listings feed schemas",
  [DOCUMENT_SCHEMA, MESSAGE_SCHEMA],
  () => {
    const validateDocument = compile(DOCUMENT_SCHEMA);
    const validateMessage = compile(MESSAGE_SCHEMA);

    function expectValid(validate: ValidateFunction, value: unknown): void {
      const valid = validate(value);
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
      expect(valid).toBe(true);
    }

    it.each([
      ["UPDATE with LISTING", { seller_id: "A1DEMOSELLER00" }],
      [
        "PARTIAL_UPDATE",
        { seller_id: "A1DEMOSELLER00", operation_type: "PARTIAL_UPDATE", report_included_data: ["issues"] },
      ],
      [
        "Amazon-fulfilled offers only",
        {
          seller_id: "A1DEMOSELLER00",
          requirements: "LISTING_OFFER_ONLY",
          fulfillment_channel_code: "AMAZON_NA",
        },
      ],
    ])("writes a valid document: %s", async (_name, raw) => {
      const settings = AmazonSettingsSchema.parse(raw);
      const [document, ...more] = await documentsOf(
        itemsFor(settings),
        settings,
        amazonJsonFeed.maxEntriesPerFile ?? 25_000,
      );
      expect(more).toEqual([]);
      const parsed = JSON.parse(document ?? "") as { messages: unknown[] };
      expectValid(validateDocument, parsed);
      expect(parsed.messages).toHaveLength(CATALOG.length);
      for (const message of parsed.messages) expectValid(validateMessage, message);
    });

    it("writes valid documents when split at a small number of messages, ids unique per file", async () => {
      const settings = AmazonSettingsSchema.parse({ seller_id: "A1DEMOSELLER00" });
      const documents = await documentsOf(itemsFor(settings), settings, 2);
      expect(documents).toHaveLength(3);
      const skus: string[] = [];
      for (const document of documents) {
        const parsed = JSON.parse(document) as { messages: { messageId: number; sku: string }[] };
        expectValid(validateDocument, parsed);
        expect(parsed.messages.map((message) => message.messageId)).toEqual(
          parsed.messages.map((_message, index) => index + 1),
        );
        for (const message of parsed.messages) {
          expectValid(validateMessage, message);
          skus.push(message.sku);
        }
      }
      expect(skus).toEqual(CATALOG.map((fields) => fields.sku));
    });

    it("is caught by the schema when a message is malformed", async () => {
      const settings = AmazonSettingsSchema.parse({ seller_id: "A1DEMOSELLER00" });
      const [document] = await documentsOf([{ sku: "", productType: "", attributes: {} }], settings, 10);
      expect(validateDocument(JSON.parse(document ?? ""))).toBe(false);
    });
  },
);
