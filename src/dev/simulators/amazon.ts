import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { gzipSync } from "node:zlib";
import { currencyDecimals } from "../../core/money.js";
import {
  HttpAnswer,
  INVALID_JSON,
  isJson,
  isRecord,
  parseBody,
  startJsonServer,
  stopJsonServer,
} from "./json-server.js";
import { AMAZON_SIMULATOR_CREDENTIALS, createLwaTokens, injectedFailure, spApiErrors } from "./lwa.js";
import { Quota } from "./quota.js";
import type { RecordedCall, RunningSimulator, SimulatorMount } from "./simulator.js";

export type { RecordedCall } from "./simulator.js";

/**
 * A local twin of Amazon's Selling Partner API for listings: Login with Amazon tokens, the
 * Listings Items API 2021-08-01, the Feeds API 2021-06-30 with presigned document URLs on itself.
 * Wire format from the official models (listingsItems_2021-08-01.json, feeds_2021-06-30.json,
 * listings-feed-*-v2.json) and ../shared/reference/amazon.md: `x-amz-access-token` auth, the
 * `{"errors":[…]}` envelope, 429 QuotaExceeded without Retry-After, `x-amzn-RateLimit-Limit` on
 * answered calls, pages of at most 20 with `pageToken`, feeds processed in the background.
 *
 * It imports nothing from `channels/` (eslint part boundaries): it must not agree with our client
 * because it shares its code.
 */

/** The port `omnifeed dev simulators` gives the Amazon simulator (tests use 0). */
export const AMAZON_SIMULATOR_PORT = 8643;

export const AMAZON_SIMULATOR_SELLER_ID = "A1SIMSELLER0001";
export const AMAZON_SIMULATOR_MARKETPLACE_ID = "ATVPDKIKX0DER";
export { AMAZON_SIMULATOR_CREDENTIALS } from "./lwa.js";

/** An issue as Amazon reports it on a listing. */
export interface AmazonSimulatorIssue {
  code: string;
  message: string;
  severity: "ERROR" | "WARNING" | "INFO";
  attributeNames?: string[];
  categories: string[];
  enforcements?: { actions: { action: string }[]; exemption: { status: string } };
}

/** A listing the simulator holds. */
export interface SimulatedListing {
  sku: string;
  productType: string;
  requirements: string | undefined;
  attributes: Record<string, unknown>;
  issues: AmazonSimulatorIssue[];
  createdDate: string;
  lastUpdatedDate: string;
  /** Accepted but not yet processed: reads show no status yet. */
  processing: boolean;
}

export interface AmazonSimulatorOptions {
  host?: string;
  port?: number;
  /** The quota of write calls (put/patch/delete, createFeedDocument, createFeed); none when absent. */
  rateLimit?: { perSecond: number; burst: number } | undefined;
  /** How long an accepted submission or a feed takes to be processed (default 0: next tick). */
  processingDelayMs?: number;
  /** Results one search can page through (Amazon: 1,000); tests make it small. */
  searchCap?: number;
  /** Lifetime of access tokens (default 3600 s, as LWA). */
  tokenLifetimeSeconds?: number;
  /** More SP-API operations served on this address with its tokens (the Amazon orders API). */
  mounts?: SimulatorMount[];
}

export interface AmazonSimulator extends RunningSimulator {
  calls: RecordedCall[];
  resetCalls(): void;
  quota: Quota;
  /** The next `count` SP-API calls fail with this status, in Amazon's error shape. */
  failNext(count: number, status: 429 | 500 | 502 | 503): void;
  /** From now on a write of this SKU is refused with this issue (status INVALID / report ERROR). */
  rejectItem(key: string, issue: { code: string; message: string; attribute?: string }): void;
  deleteItem(key: string): void;
  setPrice(key: string, price: { amountMinor: number; currency: string }): void;
  /** The listing, accepted earlier, now carries this ERROR issue and is no longer buyable. */
  disapprove(key: string, issue: { code: string; message: string; attribute?: string }): void;
  items(): Map<string, SimulatedListing>;
  /** Access tokens issued so far (tests check none leaks into a message). */
  issuedTokens(): string[];
  /** Makes every issued access token invalid (as if revoked). */
  revokeTokens(): void;
}

interface FeedDocumentRecord {
  id: string;
  contentType: string;
  content: Buffer | undefined;
  compression: "GZIP" | undefined;
}

interface FeedRecord {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdTime: string;
  processingStatus: "IN_QUEUE" | "IN_PROGRESS" | "DONE" | "FATAL" | "CANCELLED";
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}

const PRODUCT_TYPE_REQUIREMENTS = ["LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"];
const PATCH_OPS = ["add", "replace", "merge", "delete"];
const LISTINGS_PREFIX = "/listings/2021-08-01/items/";
const FEEDS_PREFIX = "/feeds/2021-06-30/";
const MAX_PAGE_SIZE = 20;
const SORT_FIELDS = ["sku", "createdDate", "lastUpdatedDate"];

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(listing: SimulatedListing, field: string): string {
  return field === "sku"
    ? listing.sku
    : field === "createdDate"
      ? listing.createdDate
      : listing.lastUpdatedDate;
}

const errors = spApiErrors;

const invalidInput = (details: string): HttpAnswer => errors(400, "InvalidInput", "Invalid Input", details);

function textOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function issueOf(issue: { code: string; message: string; attribute?: string }): AmazonSimulatorIssue {
  return {
    code: issue.code,
    message: issue.message,
    severity: "ERROR",
    ...(issue.attribute !== undefined ? { attributeNames: [issue.attribute] } : {}),
    categories: [],
  };
}

/** Starts the simulator; `port` 0 (tests) picks a free one. */
export async function startAmazonSimulator(options: AmazonSimulatorOptions = {}): Promise<AmazonSimulator> {
  const host = options.host ?? "127.0.0.1";
  const delay = options.processingDelayMs ?? 0;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const searchCap = options.searchCap ?? 1000;
  const quota = new Quota(options.rateLimit);
  const calls: RecordedCall[] = [];
  const listings = new Map<string, SimulatedListing>();
  const rejections = new Map<string, AmazonSimulatorIssue>();
  const lwa = createLwaTokens(lifetime);
  const documents = new Map<string, FeedDocumentRecord>();
  const feeds = new Map<string, FeedRecord>();
  const timers = new Set<NodeJS.Timeout>();
  let failures: { count: number; status: 429 | 500 | 502 | 503 } = { count: 0, status: 500 };
  let feedCounter = 50_000;
  let baseUrl = "";

  const later = (work: () => void, ms = delay): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };

  // Amazon reports the operation's rate on answered calls (not on 401/403/429); a simulator
  // without a quota has no rate to report (a made-up one would slow every client to it).
  const rateHeader = (): Record<string, string> => {
    const limit = quota.limit;
    return limit ? { "x-amzn-RateLimit-Limit": String(limit.perSecond) } : {};
  };

  // --- Login with Amazon ---------------------------------------------------------------------

  const token = (body: unknown) => lwa.grant(body);
  const unauthorized = (request: IncomingMessage) => lwa.unauthorized(request);

  // --- Listings Items API --------------------------------------------------------------------

  function checkMarketplace(query: Record<string, string>, exactlyOne: boolean): HttpAnswer | undefined {
    const ids = (query.marketplaceIds ?? "").split(",").filter(Boolean);
    if (ids.length === 0) return invalidInput("Missing required parameter: marketplaceIds");
    if (exactlyOne && ids.length !== 1) return invalidInput("Exactly one marketplaceId is allowed");
    if (!ids.includes(AMAZON_SIMULATOR_MARKETPLACE_ID))
      return invalidInput(`Marketplace ${ids.join(",")} is not supported for seller`);
    return undefined;
  }

  function submission(sku: string, status: "ACCEPTED" | "INVALID" | "VALID", issues: AmazonSimulatorIssue[]) {
    return new HttpAnswer(
      200,
      { sku, status, submissionId: randomUUID().replaceAll("-", ""), issues },
      rateHeader(),
    );
  }

  function putCheck(body: unknown): string | undefined {
    if (!isRecord(body)) return "Request body must be a JSON object";
    if (typeof body.productType !== "string" || body.productType === "")
      return "Missing required field: productType";
    if (body.requirements !== undefined && !PRODUCT_TYPE_REQUIREMENTS.includes(textOr(body.requirements, "")))
      return `Invalid requirements: ${JSON.stringify(body.requirements)}`;
    if (!isRecord(body.attributes)) return "Missing required field: attributes";
    for (const [name, value] of Object.entries(body.attributes)) {
      if (!Array.isArray(value)) return `Attribute ${name} must be an array of values`;
    }
    return undefined;
  }

  function patchCheck(body: unknown): string | undefined {
    if (!isRecord(body)) return "Request body must be a JSON object";
    if (typeof body.productType !== "string" || body.productType === "")
      return "Missing required field: productType";
    if (!Array.isArray(body.patches) || body.patches.length === 0)
      return "patches must hold at least one operation";
    for (const patch of body.patches as unknown[]) {
      if (!isRecord(patch) || !PATCH_OPS.includes(String(patch.op))) return "Invalid patch operation";
      if (typeof patch.path !== "string" || !/^\/attributes\/[a-z0-9_]+$/.test(patch.path))
        return `Invalid patch path: ${String(patch.path)}`;
      if (patch.op !== "delete" && !Array.isArray(patch.value))
        return `Patch value of ${patch.path} must be an array`;
    }
    return undefined;
  }

  function applyPut(
    sku: string,
    productType: string,
    requirements: string | undefined,
    attributes: Record<string, unknown>,
  ): void {
    const now = new Date().toISOString();
    const held = listings.get(sku);
    listings.set(sku, {
      sku,
      productType,
      requirements,
      attributes: structuredClone(attributes),
      issues: [],
      createdDate: held?.createdDate ?? now,
      lastUpdatedDate: now,
      processing: true,
    });
    settle(sku);
  }

  function applyPatches(listing: SimulatedListing, patches: Record<string, unknown>[]): void {
    for (const patch of patches) {
      const name = String(patch.path).slice("/attributes/".length);
      if (patch.op === "delete") delete listing.attributes[name];
      else listing.attributes[name] = structuredClone(patch.value);
    }
    listing.lastUpdatedDate = new Date().toISOString();
    listing.processing = true;
    settle(listing.sku);
  }

  // Accepted submissions become visible as processed after the delay, as Amazon's do.
  function settle(sku: string): void {
    const done = (): void => {
      const listing = listings.get(sku);
      if (listing) listing.processing = false;
    };
    if (delay === 0) done();
    else later(done);
  }

  function listingsCall(
    request: IncomingMessage,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): HttpAnswer {
    const rest = path.slice(LISTINGS_PREFIX.length).split("/");
    const sellerId = decodeURIComponent(rest[0] ?? "");
    if (sellerId !== AMAZON_SIMULATOR_SELLER_ID)
      return errors(
        403,
        "Unauthorized",
        "Access to requested resource is denied.",
        `Seller ${sellerId} did not authorise this application.`,
      );
    if (rest.length === 1 && request.method === "GET") return search(query);
    if (rest.length !== 2 || rest[1] === "") return errors(404, "NotFound", "Resource not found");
    const sku = decodeURIComponent(rest[1]!);
    const isWrite = request.method !== "GET";
    const marketplaceProblem = checkMarketplace(
      query,
      request.method === "PUT" || request.method === "DELETE",
    );
    if (marketplaceProblem) return marketplaceProblem;
    if (isWrite && !quota.take(sellerId)) return quotaExceeded();
    const preview = query.mode === "VALIDATION_PREVIEW";
    if (query.mode !== undefined && !preview) return invalidInput(`Invalid mode: ${query.mode}`);
    if ((request.method === "PUT" || request.method === "PATCH") && !isJson(request))
      return errors(415, "UnsupportedMediaType", "The request content type is not supported.");
    switch (request.method) {
      case "GET": {
        const listing = listings.get(sku);
        if (!listing)
          return errors(
            404,
            "NOT_FOUND",
            `SKU '${sku}' not found in marketplace ${AMAZON_SIMULATOR_MARKETPLACE_ID}`,
          );
        return new HttpAnswer(
          200,
          itemView(listing, (query.includedData ?? "summaries").split(",")),
          rateHeader(),
        );
      }
      case "PUT": {
        const problem = putCheck(body);
        if (problem) return invalidInput(problem);
        const put = body as {
          productType: string;
          requirements?: string;
          attributes: Record<string, unknown>;
        };
        const rejection = rejections.get(sku);
        if (rejection) return submission(sku, "INVALID", [rejection]);
        if (preview) return submission(sku, "VALID", []);
        applyPut(sku, put.productType, put.requirements, put.attributes);
        return submission(sku, "ACCEPTED", []);
      }
      case "PATCH": {
        const problem = patchCheck(body);
        if (problem) return invalidInput(problem);
        const rejection = rejections.get(sku);
        if (rejection) return submission(sku, "INVALID", [rejection]);
        const listing = listings.get(sku);
        // A patch needs a listing to patch; Amazon reports this as a submission issue.
        if (!listing) {
          return submission(sku, "INVALID", [
            {
              code: "4000001",
              message: `The SKU '${sku}' does not exist; submit the full listing first.`,
              severity: "ERROR",
              categories: [],
            },
          ]);
        }
        if (preview) return submission(sku, "VALID", []);
        applyPatches(listing, (body as { patches: Record<string, unknown>[] }).patches);
        return submission(sku, "ACCEPTED", []);
      }
      case "DELETE": {
        if (listings.has(sku)) {
          if (delay === 0) listings.delete(sku);
          else later(() => listings.delete(sku));
        }
        return submission(sku, "ACCEPTED", []);
      }
      default:
        return errors(405, "MethodNotAllowed", `Method ${request.method ?? ""} not allowed`);
    }
  }

  function search(query: Record<string, string>): HttpAnswer {
    const problem = checkMarketplace(query, false);
    if (problem) return problem;
    const pageSize = query.pageSize === undefined ? 10 : Number(query.pageSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return invalidInput(`pageSize must be between 1 and ${MAX_PAGE_SIZE}`);
    let offset = 0;
    if (query.pageToken !== undefined) {
      const decoded = Number(
        Buffer.from(query.pageToken, "base64url")
          .toString("utf8")
          .replace(/^offset:/, ""),
      );
      if (!Number.isInteger(decoded) || decoded < 0) return invalidInput("Invalid pageToken");
      offset = decoded;
    }
    const sortBy = query.sortBy ?? "lastUpdatedDate";
    const sortOrder = query.sortOrder ?? "DESC";
    if (!SORT_FIELDS.includes(sortBy)) return invalidInput(`Invalid sortBy: ${sortBy}`);
    if (sortOrder !== "ASC" && sortOrder !== "DESC") return invalidInput(`Invalid sortOrder: ${sortOrder}`);
    const createdAfter = query.createdAfter === undefined ? undefined : Date.parse(query.createdAfter);
    if (createdAfter !== undefined && Number.isNaN(createdAfter))
      return invalidInput(`Invalid createdAfter: ${query.createdAfter ?? ""}`);
    const included = (query.includedData ?? "summaries").split(",");
    const direction = sortOrder === "ASC" ? 1 : -1;
    const all = [...listings.values()]
      .filter((listing) => createdAfter === undefined || Date.parse(listing.createdDate) >= createdAfter)
      .sort(
        (a, b) =>
          direction * (compareText(sortKey(a, sortBy), sortKey(b, sortBy)) || compareText(a.sku, b.sku)),
      );
    // Amazon pages through at most 1,000 results of one search (the model says so).
    const reachable = Math.min(all.length, searchCap);
    const page = all.slice(offset, Math.min(offset + pageSize, reachable));
    const next =
      offset + pageSize < reachable
        ? Buffer.from(`offset:${offset + pageSize}`).toString("base64url")
        : undefined;
    return new HttpAnswer(
      200,
      {
        numberOfResults: all.length,
        ...(next ? { pagination: { nextToken: next } } : {}),
        items: page.map((listing) => itemView(listing, included)),
      },
      rateHeader(),
    );
  }

  function itemView(listing: SimulatedListing, included: readonly string[]): Record<string, unknown> {
    const view: Record<string, unknown> = { sku: listing.sku };
    const hasError = listing.issues.some((issue) => issue.severity === "ERROR");
    if (included.includes("summaries")) {
      const name = listing.attributes.item_name;
      const itemName =
        Array.isArray(name) && isRecord(name[0]) && typeof name[0].value === "string"
          ? name[0].value
          : undefined;
      view.summaries = [
        {
          marketplaceId: AMAZON_SIMULATOR_MARKETPLACE_ID,
          asin: `B0SIM${hashCode(listing.sku)}`,
          productType: listing.productType,
          conditionType: "new_new",
          status: listing.processing || hasError ? [] : ["BUYABLE", "DISCOVERABLE"],
          ...(itemName !== undefined ? { itemName } : {}),
          createdDate: listing.createdDate,
          lastUpdatedDate: listing.lastUpdatedDate,
        },
      ];
    }
    if (included.includes("attributes")) view.attributes = structuredClone(listing.attributes);
    if (included.includes("issues")) view.issues = structuredClone(listing.issues);
    if (included.includes("offers")) view.offers = offersOf(listing);
    if (included.includes("fulfillmentAvailability")) {
      const availability = listing.attributes.fulfillment_availability;
      view.fulfillmentAvailability = Array.isArray(availability)
        ? availability.filter(isRecord).map((entry) => ({
            fulfillmentChannelCode: textOr(entry.fulfillment_channel_code, "DEFAULT"),
            ...(typeof entry.quantity === "number" ? { quantity: entry.quantity } : {}),
          }))
        : [];
    }
    return view;
  }

  function offersOf(listing: SimulatedListing): Record<string, unknown>[] {
    const offers = listing.attributes.purchasable_offer;
    if (!Array.isArray(offers)) return [];
    return offers.filter(isRecord).flatMap((offer) => {
      const value = ourPriceOf(offer);
      if (value === undefined) return [];
      return [
        {
          marketplaceId: textOr(offer.marketplace_id, AMAZON_SIMULATOR_MARKETPLACE_ID),
          offerType: "B2C",
          price: { currencyCode: textOr(offer.currency, "USD"), amount: String(value) },
        },
      ];
    });
  }

  function quotaExceeded(): HttpAnswer {
    return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.");
  }

  // --- Feeds API -----------------------------------------------------------------------------

  function feedsCall(request: IncomingMessage, path: string, body: unknown): HttpAnswer {
    const rest = path.slice(FEEDS_PREFIX.length).split("/");
    if (rest[0] === "documents" && rest.length === 1 && request.method === "POST") {
      if (!isJson(request))
        return errors(415, "UnsupportedMediaType", "The request content type is not supported.");
      if (!isRecord(body) || typeof body.contentType !== "string" || body.contentType === "")
        return invalidInput("Missing required field: contentType");
      if (!quota.take(AMAZON_SIMULATOR_SELLER_ID)) return quotaExceeded();
      const id = randomUUID();
      documents.set(id, { id, contentType: body.contentType, content: undefined, compression: undefined });
      return new HttpAnswer(201, { feedDocumentId: id, url: presigned(id) }, rateHeader());
    }
    if (rest[0] === "documents" && rest.length === 2 && request.method === "GET") {
      const document = documents.get(decodeURIComponent(rest[1]!));
      if (!document) return errors(404, "NotFound", "The requested document was not found.");
      return new HttpAnswer(
        200,
        {
          feedDocumentId: document.id,
          url: presigned(document.id),
          ...(document.compression ? { compressionAlgorithm: document.compression } : {}),
        },
        rateHeader(),
      );
    }
    if (rest[0] === "feeds" && rest.length === 1 && request.method === "POST") {
      if (!isJson(request))
        return errors(415, "UnsupportedMediaType", "The request content type is not supported.");
      if (!isRecord(body)) return invalidInput("Request body must be a JSON object");
      const { feedType, marketplaceIds, inputFeedDocumentId } = body;
      if (typeof feedType !== "string" || feedType === "")
        return invalidInput("Missing required field: feedType");
      if (!Array.isArray(marketplaceIds) || marketplaceIds.length === 0 || marketplaceIds.length > 25)
        return invalidInput("marketplaceIds must hold 1 to 25 marketplace ids");
      if (typeof inputFeedDocumentId !== "string")
        return invalidInput("Missing required field: inputFeedDocumentId");
      const document = documents.get(inputFeedDocumentId);
      if (!document?.content)
        return invalidInput(`The feed document ${inputFeedDocumentId} was not uploaded.`);
      if (!quota.take(AMAZON_SIMULATOR_SELLER_ID)) return quotaExceeded();
      feedCounter += 1;
      const feed: FeedRecord = {
        feedId: String(feedCounter),
        feedType,
        marketplaceIds: marketplaceIds.map(String),
        inputFeedDocumentId,
        createdTime: new Date().toISOString(),
        processingStatus: "IN_QUEUE",
      };
      feeds.set(feed.feedId, feed);
      later(() => {
        feed.processingStatus = "IN_PROGRESS";
        feed.processingStartTime = new Date().toISOString();
        later(() => processFeed(feed, document));
      });
      return new HttpAnswer(202, { feedId: feed.feedId }, rateHeader());
    }
    if (rest[0] === "feeds" && rest.length === 2 && request.method === "GET") {
      const feed = feeds.get(decodeURIComponent(rest[1]!));
      if (!feed) return errors(404, "NotFound", "The requested feed was not found.");
      return new HttpAnswer(200, { ...feed }, rateHeader());
    }
    return errors(404, "NotFound", "Resource not found");
  }

  function presigned(id: string): string {
    return `${baseUrl}/feed-documents/${id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=${randomUUID().replaceAll("-", "")}`;
  }

  // The S3-like document bucket: PUT checks the declared Content-Type byte for byte.
  function documentCall(request: IncomingMessage, path: string, raw: Buffer): HttpAnswer {
    const id = decodeURIComponent(path.slice("/feed-documents/".length));
    const document = documents.get(id);
    if (!document) return new HttpAnswer(404, "<Error><Code>NoSuchKey</Code></Error>");
    if (request.method === "PUT") {
      if (request.headers["content-type"] !== document.contentType) {
        return new HttpAnswer(
          403,
          "<Error><Code>SignatureDoesNotMatch</Code><Message>Content-Type does not match the signed one</Message></Error>",
        );
      }
      document.content = raw;
      return new HttpAnswer(200, "");
    }
    if (request.method === "GET") {
      if (!document.content) return new HttpAnswer(404, "<Error><Code>NoSuchKey</Code></Error>");
      return new HttpAnswer(200, document.content, { "content-type": document.contentType });
    }
    return new HttpAnswer(405, "<Error><Code>MethodNotAllowed</Code></Error>");
  }

  function processFeed(feed: FeedRecord, input: FeedDocumentRecord): void {
    feed.processingEndTime = new Date().toISOString();
    if (feed.feedType !== "JSON_LISTINGS_FEED") {
      // Amazon removed the XML and flat-file listing feeds in 2025: they end FATAL.
      feed.processingStatus = "FATAL";
      return;
    }
    let document: unknown;
    try {
      document = JSON.parse(input.content!.toString("utf8"));
    } catch {
      feed.processingStatus = "FATAL";
      return;
    }
    if (!isRecord(document) || !isRecord(document.header) || !Array.isArray(document.messages)) {
      feed.processingStatus = "FATAL";
      return;
    }
    const issues: Record<string, unknown>[] = [];
    let accepted = 0;
    let invalid = 0;
    for (const message of document.messages as unknown[]) {
      const found = messageIssues(message);
      const id = isRecord(message) ? message.messageId : undefined;
      const sku = isRecord(message) ? message.sku : undefined;
      if (found.length > 0) {
        invalid += 1;
        for (const issue of found) {
          issues.push({
            messageId: id,
            ...(typeof sku === "string" ? { sku } : {}),
            code: issue.code,
            severity: issue.severity,
            message: issue.message,
            ...(issue.attributeNames?.[0] !== undefined ? { attributeName: issue.attributeNames[0] } : {}),
          });
        }
      } else {
        accepted += 1;
      }
    }
    const report = {
      header: { sellerId: String(document.header.sellerId), version: "2.0", feedId: feed.feedId },
      issues,
      summary: {
        errors: issues.length,
        warnings: 0,
        messagesProcessed: accepted + invalid,
        messagesAccepted: accepted,
        messagesInvalid: invalid,
      },
    };
    const resultId = randomUUID();
    documents.set(resultId, {
      id: resultId,
      contentType: "application/json",
      content: gzipSync(JSON.stringify(report)),
      compression: "GZIP",
    });
    feed.resultFeedDocumentId = resultId;
    feed.processingStatus = "DONE";
  }

  // One message: applied when valid, else its issues (the message schema's checks, by hand).
  function messageIssues(message: unknown): AmazonSimulatorIssue[] {
    const invalidMessage = (text: string): AmazonSimulatorIssue[] => [
      { code: "4000004", message: text, severity: "ERROR", categories: [] },
    ];
    if (!isRecord(message)) return invalidMessage("The message is not a JSON object.");
    const { sku, operationType } = message;
    if (typeof message.messageId !== "number" || typeof sku !== "string" || sku === "")
      return invalidMessage("messageId and sku are required.");
    const rejection = rejections.get(sku);
    switch (operationType) {
      case "UPDATE": {
        const problem = putCheck(message);
        if (problem) return invalidMessage(problem);
        if (rejection) return [rejection];
        applyPut(
          sku,
          String(message.productType),
          message.requirements as string | undefined,
          message.attributes as Record<string, unknown>,
        );
        return [];
      }
      case "PATCH": {
        const problem = patchCheck(message);
        if (problem) return invalidMessage(problem);
        if (rejection) return [rejection];
        const listing = listings.get(sku);
        if (!listing)
          return invalidMessage(`The SKU '${sku}' does not exist; submit the full listing first.`);
        applyPatches(listing, message.patches as Record<string, unknown>[]);
        return [];
      }
      case "DELETE":
        listings.delete(sku);
        return [];
      default:
        return invalidMessage(`Unsupported operationType: ${String(operationType)}`);
    }
  }

  // --- HTTP plumbing -------------------------------------------------------------------------

  async function route(request: IncomingMessage, url: URL, raw: Buffer): Promise<HttpAnswer> {
    await Promise.resolve();
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    if (path.startsWith("/feed-documents/")) return documentCall(request, path, raw);
    const body = parseBody(request, raw);
    if (path === "/auth/o2/token" && request.method === "POST") return token(body);
    const mount = options.mounts?.find((candidate) => candidate.handles(request.method ?? "GET", path));
    const isApi = path.startsWith(LISTINGS_PREFIX) || path.startsWith(FEEDS_PREFIX) || mount !== undefined;
    if (!isApi) return errors(404, "NotFound", "Resource not found");
    if (failures.count > 0) {
      failures.count -= 1;
      return injectedFailure(failures.status);
    }
    const denied = unauthorized(request);
    if (denied) return denied;
    if (body === INVALID_JSON) return invalidInput("The request body is not valid JSON");
    if (mount) {
      const answer = mount.handle(request, url, body);
      return new HttpAnswer(answer.status, answer.body, answer.headers);
    }
    return path.startsWith(LISTINGS_PREFIX)
      ? listingsCall(request, path, query, body)
      : feedsCall(request, path, body);
  }

  const started = await startJsonServer({
    host,
    port: options.port ?? 0,
    calls,
    requestIdHeader: "x-amzn-RequestId",
    route: (request, url, _body, raw) => route(request, url, raw),
    internalError: () =>
      errors(500, "InternalFailure", "We encountered an internal error. Please try again."),
  });
  const server = started.server;
  baseUrl = started.baseUrl;

  const env = {
    AMAZON_SIM_CLIENT_ID: AMAZON_SIMULATOR_CREDENTIALS.clientId,
    AMAZON_SIM_CLIENT_SECRET: AMAZON_SIMULATOR_CREDENTIALS.clientSecret,
    AMAZON_SIM_REFRESH_TOKEN: AMAZON_SIMULATOR_CREDENTIALS.refreshToken,
  };

  const held = (key: string): SimulatedListing => {
    const listing = listings.get(key);
    if (!listing) throw new Error(`the Amazon simulator holds no listing ${key}`);
    return listing;
  };

  return {
    channel: "amazon",
    url: baseUrl,
    accountSettings: {
      seller_id: AMAZON_SIMULATOR_SELLER_ID,
      marketplace_id: AMAZON_SIMULATOR_MARKETPLACE_ID,
      api_url: baseUrl,
      lwa_url: baseUrl,
      client_id_env: "AMAZON_SIM_CLIENT_ID",
      client_secret_env: "AMAZON_SIM_CLIENT_SECRET",
      refresh_token_env: "AMAZON_SIM_REFRESH_TOKEN",
      ...(options.rateLimit
        ? { rate_limit_per_second: options.rateLimit.perSecond, rate_limit_burst: options.rateLimit.burst }
        : {}),
    },
    env,
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    quota,
    failNext(count, status) {
      failures = { count, status };
    },
    rejectItem(key, issue) {
      rejections.set(key, issueOf(issue));
    },
    deleteItem(key) {
      held(key);
      listings.delete(key);
    },
    setPrice(key, price) {
      const listing = held(key);
      const value = price.amountMinor / 10 ** currencyDecimals(price.currency);
      const offers = Array.isArray(listing.attributes.purchasable_offer)
        ? listing.attributes.purchasable_offer
        : [];
      const rest = offers.filter(isRecord).slice(1);
      const first = isRecord(offers[0])
        ? offers[0]
        : { marketplace_id: AMAZON_SIMULATOR_MARKETPLACE_ID, audience: "ALL" };
      listing.attributes.purchasable_offer = [
        { ...first, currency: price.currency, our_price: [{ schedule: [{ value_with_tax: value }] }] },
        ...rest,
      ];
      listing.lastUpdatedDate = new Date().toISOString();
    },
    disapprove(key, issue) {
      const listing = held(key);
      listing.issues.push({
        ...issueOf(issue),
        enforcements: { actions: [{ action: "LISTING_SUPPRESSED" }], exemption: { status: "NOT_EXEMPT" } },
      });
    },
    items: () => new Map(listings),
    issuedTokens: () => lwa.issued(),
    revokeTokens: () => lwa.revoke(),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopJsonServer(server);
    },
  };
}

function ourPriceOf(offer: Record<string, unknown>): number | undefined {
  const ourPrice = offer.our_price;
  if (!Array.isArray(ourPrice) || !isRecord(ourPrice[0])) return undefined;
  const schedule = ourPrice[0].schedule;
  if (!Array.isArray(schedule) || !isRecord(schedule[0])) return undefined;
  const value = schedule[0].value_with_tax;
  return typeof value === "number" ? value : undefined;
}

function hashCode(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).toUpperCase().padStart(5, "0").slice(0, 5);
}
