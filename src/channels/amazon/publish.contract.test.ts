import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { testTokenBucket } from "../../../test/support/test-token-bucket.js";
import type { PublishValues } from "../../core/publish.js";
import type { AmazonSimulator, RecordedCall } from "../../dev/simulators/amazon.js";
import { startAmazonSimulator } from "../../dev/simulators/amazon.js";
import type { Change, PublishContext } from "../publisher.js";
import { createAmazonPublisher, validateListing } from "./publish.js";

/**
 * Contract: the requests our Amazon client really sends (captured by the simulator) are valid for
 * Amazon's official models in ../shared/specs — request bodies and query parameters of the
 * Listings Items and Feeds operations, the JSON_LISTINGS_FEED document and its messages — and the
 * simulator's own answers fit the same models, so the twin cannot drift from the API it stands for.
 * Missing specs fail under CI=true and are named in one `[did not run]` line elsewhere.
 */

const LISTINGS_MODEL = "amazon-sp-api/listingsItems_2021-08-01.json";
const FEEDS_MODEL = "amazon-sp-api/feeds_2021-06-30.json";
const FEED_SCHEMA = "amazon-sp-api/listings-feed-schema-v2.json";
const MESSAGE_SCHEMA = "amazon-sp-api/listings-feed-message-schema-v2.json";
const REPORT_SCHEMA = "amazon-sp-api/listings-feed-processing-report-schema-v2.json";

interface SwaggerParameter {
  name: string;
  in: string;
  required?: boolean;
}
interface SwaggerModel {
  paths: Record<string, Record<string, { operationId: string; parameters?: SwaggerParameter[] }>>;
  definitions: Record<string, unknown>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(specPath(file), "utf8")) as T;
}

function ajv(): Ajv {
  // Swagger 2.0 definitions carry vendor keys (x-docgen-…) and `example`: not JSON Schema.
  const instance = new Ajv({ allErrors: true, strict: false });
  addFormats.default(instance);
  return instance;
}

/** A validator for one definition of a Swagger model. */
function definition(model: SwaggerModel, name: string): ValidateFunction {
  return ajv().compile({ $ref: `#/definitions/${name}`, definitions: model.definitions });
}

function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  const valid = validate(value);
  expect(
    valid ? [] : validate.errors?.map((error) => `${what}: ${error.instancePath} ${error.message}`),
  ).toEqual([]);
}

/** The model's operation for a recorded call: `/listings/…/items/A1/SKU` matches `{sellerId}/{sku}`. */
function operationOf(model: SwaggerModel, call: RecordedCall) {
  for (const [template, operations] of Object.entries(model.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    const operation = operations[call.method.toLowerCase()];
    if (pattern.test(call.path) && operation) return operation;
  }
  return undefined;
}

function expectQueryFits(model: SwaggerModel, call: RecordedCall): void {
  const operation = operationOf(model, call);
  expect(operation, `${call.method} ${call.path} is an operation of the model`).toBeDefined();
  const query = (operation!.parameters ?? []).filter((parameter) => parameter.in === "query");
  const known = new Set(query.map((parameter) => parameter.name));
  expect(
    Object.keys(call.query).filter((name) => !known.has(name)),
    `${operation!.operationId}: unknown query parameters`,
  ).toEqual([]);
  for (const parameter of query.filter((candidate) => candidate.required)) {
    expect(call.query[parameter.name], `${operation!.operationId}: ${parameter.name}`).toBeTruthy();
  }
}

const MARKETPLACE = "ATVPDKIKX0DER";

function valuesOf(sku: string, price: number): PublishValues {
  return {
    product_type: "HOME",
    item_name: [{ value: `Mug ${sku}`, language_tag: "en_US", marketplace_id: MARKETPLACE }],
    condition_type: [{ value: "new_new", marketplace_id: MARKETPLACE }],
    externally_assigned_product_identifier: [
      { type: "ean", value: "4006381333931", marketplace_id: MARKETPLACE },
    ],
    purchasable_offer: [
      {
        marketplace_id: MARKETPLACE,
        currency: "USD",
        audience: "ALL",
        our_price: [{ schedule: [{ value_with_tax: price }] }],
      },
    ],
    fulfillment_availability: [{ fulfillment_channel_code: "DEFAULT", quantity: 4 }],
  };
}

describeWithSpecs(
  "Amazon publishing requests against the official SP-API models",
  [LISTINGS_MODEL, FEEDS_MODEL, FEED_SCHEMA, MESSAGE_SCHEMA, REPORT_SCHEMA],
  () => {
    let simulator: AmazonSimulator;
    let itemCalls: RecordedCall[];
    let feedCalls: RecordedCall[];
    const context = (): PublishContext => ({
      signal: new AbortController().signal,
      limiter: testTokenBucket(1000, 1000),
    });

    beforeAll(async () => {
      simulator = await startAmazonSimulator({ port: 0 });
      for (const [name, value] of Object.entries(simulator.env)) vi.stubEnv(name, value);
      simulator.rejectItem("REFUSED", {
        code: "90220",
        message: "'brand' is required but not supplied.",
        attribute: "brand",
      });
      const items = await createAmazonPublisher(simulator.accountSettings, { baseDelayMs: 5, feedPollMs: 5 });
      const changes: Change[] = [
        {
          op: "create",
          key: "MUG-1",
          sections: ["content", "price", "inventory"],
          values: valuesOf("MUG-1", 15),
        },
        {
          op: "create",
          key: "REFUSED",
          sections: ["content", "price", "inventory"],
          values: valuesOf("REFUSED", 15),
        },
      ];
      await items.send(changes, context());
      await items.send(
        [
          { op: "update", key: "MUG-1", sections: ["price", "inventory"], values: valuesOf("MUG-1", 12) },
          { op: "delete", key: "GONE", sections: [] },
        ],
        context(),
      );
      for await (const page of items.list(context())) expect(page.length).toBeGreaterThan(0);
      await items.get(["MUG-1", "NONE"], context());
      await validateListing(valuesOf("MUG-2", 9), simulator.accountSettings, { sku: "MUG-2", ...context() });
      itemCalls = [...simulator.calls];
      simulator.resetCalls();

      const feed = await createAmazonPublisher(
        { ...simulator.accountSettings, feed_threshold: 1, issue_locale: "de_DE" },
        { baseDelayMs: 5, feedPollMs: 5 },
      );
      await feed.send(
        [
          {
            op: "create",
            key: "MUG-3",
            sections: ["content", "price", "inventory"],
            values: valuesOf("MUG-3", 15),
          },
          { op: "update", key: "MUG-1", sections: ["price"], values: valuesOf("MUG-1", 11) },
          { op: "delete", key: "MUG-9", sections: [] },
          {
            op: "create",
            key: "REFUSED",
            sections: ["content", "price", "inventory"],
            values: valuesOf("REFUSED", 1),
          },
        ],
        context(),
      );
      feedCalls = [...simulator.calls];
    });

    afterAll(async () => {
      vi.unstubAllEnvs();
      await simulator.close();
    });

    it("putListingsItem and patchListingsItem bodies are ListingsItemPutRequest / ListingsItemPatchRequest", () => {
      const model = readJson<SwaggerModel>(LISTINGS_MODEL);
      const put = definition(model, "ListingsItemPutRequest");
      const patch = definition(model, "ListingsItemPatchRequest");
      const puts = itemCalls.filter((call) => call.method === "PUT");
      const patches = itemCalls.filter((call) => call.method === "PATCH");
      expect(puts.length).toBeGreaterThanOrEqual(3);
      expect(patches).toHaveLength(1);
      for (const call of puts) expectValid(put, call.body, `PUT ${call.path}`);
      for (const call of patches) expectValid(patch, call.body, `PATCH ${call.path}`);
    });

    it("every Listings Items call uses the model's paths and query parameters", () => {
      const model = readJson<SwaggerModel>(LISTINGS_MODEL);
      const listingCalls = itemCalls.filter((call) => call.path.startsWith("/listings/"));
      expect(new Set(listingCalls.map((call) => operationOf(model, call)?.operationId))).toEqual(
        new Set([
          "putListingsItem",
          "patchListingsItem",
          "deleteListingsItem",
          "getListingsItem",
          "searchListingsItems",
        ]),
      );
      for (const call of listingCalls) expectQueryFits(model, call);
    });

    it("the simulator answers in the models' shapes (submission, item, search, errors, feed, document)", async () => {
      const listings = readJson<SwaggerModel>(LISTINGS_MODEL);
      const feeds = readJson<SwaggerModel>(FEEDS_MODEL);
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        client_id: simulator.env.AMAZON_SIM_CLIENT_ID!,
        client_secret: simulator.env.AMAZON_SIM_CLIENT_SECRET!,
        refresh_token: simulator.env.AMAZON_SIM_REFRESH_TOKEN!,
      });
      const tokenAnswer = await fetch(`${simulator.url}/auth/o2/token`, { method: "POST", body: form });
      const token = ((await tokenAnswer.json()) as { access_token: string }).access_token;
      const get = async (path: string): Promise<unknown> =>
        (await fetch(`${simulator.url}${path}`, { headers: { "x-amz-access-token": token } })).json();
      const items = "/listings/2021-08-01/items/A1SIMSELLER0001";
      const all = "includedData=summaries,attributes,issues,offers,fulfillmentAvailability";
      const put = await fetch(`${simulator.url}${items}/MUG-7?marketplaceIds=${MARKETPLACE}`, {
        method: "PUT",
        headers: { "x-amz-access-token": token, "content-type": "application/json" },
        body: JSON.stringify({
          productType: "HOME",
          requirements: "LISTING",
          attributes: { item_name: [{ value: "x" }] },
        }),
      });
      expectValid(definition(listings, "ListingsItemSubmissionResponse"), await put.json(), "submission");
      expectValid(
        definition(listings, "Item"),
        await get(`${items}/MUG-1?marketplaceIds=${MARKETPLACE}&${all}`),
        "item",
      );
      expectValid(
        definition(listings, "ItemSearchResults"),
        await get(`${items}?marketplaceIds=${MARKETPLACE}&${all}&pageSize=1`),
        "search",
      );
      expectValid(
        definition(listings, "ErrorList"),
        await get(`${items}/NONE?marketplaceIds=${MARKETPLACE}`),
        "404",
      );
      const feedPath = feedCalls.find(
        (call) => call.method === "GET" && /\/feeds\/\d+$/.test(call.path),
      )!.path;
      const feed = (await get(feedPath)) as { resultFeedDocumentId: string };
      expectValid(definition(feeds, "Feed"), feed, "feed");
      expectValid(
        definition(feeds, "FeedDocument"),
        await get(`/feeds/2021-06-30/documents/${feed.resultFeedDocumentId}`),
        "feed document",
      );
    });

    it("createFeedDocument and createFeed bodies are the Feeds model's specifications, on its paths", () => {
      const model = readJson<SwaggerModel>(FEEDS_MODEL);
      const document = feedCalls.find(
        (call) => call.method === "POST" && call.path === "/feeds/2021-06-30/documents",
      );
      const feed = feedCalls.find(
        (call) => call.method === "POST" && call.path === "/feeds/2021-06-30/feeds",
      );
      expectValid(definition(model, "CreateFeedDocumentSpecification"), document?.body, "createFeedDocument");
      expectValid(definition(model, "CreateFeedSpecification"), feed?.body, "createFeed");
      expect(feed?.body).toMatchObject({ feedType: "JSON_LISTINGS_FEED", marketplaceIds: [MARKETPLACE] });
      for (const call of feedCalls.filter((candidate) => candidate.path.startsWith("/feeds/"))) {
        expectQueryFits(model, call);
      }
    });

    it("the uploaded document is a JSON_LISTINGS_FEED, every message valid for the message schema", () => {
      const upload = feedCalls.find(
        (call) => call.method === "PUT" && call.path.startsWith("/feed-documents/"),
      );
      const document = upload?.body as { header: unknown; messages: unknown[] } | undefined;
      expect(document?.messages).toHaveLength(4);
      const feedSchema = ajv().compile(readJson<object>(FEED_SCHEMA));
      const messageSchema = ajv().compile(readJson<object>(MESSAGE_SCHEMA));
      expectValid(feedSchema, document, "feed document");
      document!.messages.forEach((message, index) =>
        expectValid(messageSchema, message, `message ${index + 1}`),
      );
      expect(document!.header).toEqual({ sellerId: "A1SIMSELLER0001", version: "2.0", issueLocale: "de_DE" });
    });

    it("the simulator's processing report fits the processing report schema", async () => {
      const reportCall = feedCalls.findLast(
        (call) => call.method === "GET" && call.path.startsWith("/feed-documents/"),
      );
      expect(reportCall).toBeDefined();
      // Download it again: the calls record bodies sent, not answers.
      const bytes = Buffer.from(await (await fetch(`${simulator.url}${reportCall!.path}`)).arrayBuffer());
      const report = JSON.parse(gunzipSync(bytes).toString("utf8")) as unknown;
      expectValid(ajv().compile(readJson<object>(REPORT_SCHEMA)), report, "processing report");
      expect(report).toMatchObject({ issues: [{ messageId: 4, sku: "REFUSED", code: "90220" }] });
    });
  },
);
