import { setMaxListeners } from "node:events";
import { mapLimited } from "../../infra/concurrency.js";
import { setTimeout as sleep } from "node:timers/promises";
import { readSecret } from "../../config/env.js";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import type { ChannelIssue, ItemOutcome, PublishValue, PublishValues } from "../../core/publish.js";
import type { RateLimit, RateLimiter } from "../../infra/rate-limit.js";
import { valuesOfSections } from "../publish-values.js";
import type {
  Change,
  ChannelPublisher,
  PublishContext,
  PublisherDefinition,
  RemoteItem,
} from "../publisher.js";
import type {
  AmazonClient,
  AmazonIssue,
  AmazonListingsItem,
  AmazonPatch,
  AmazonSubmission,
  CallOptions,
} from "./client.js";
import { createAmazonClient, issuesOfErrorMessage } from "./client.js";
import type { AmazonAccount } from "./config.js";
import {
  AMAZON_DEFAULT_API_URL,
  AMAZON_DEFAULT_FEED_THRESHOLD,
  AMAZON_DEFAULT_LWA_URL,
  AMAZON_DEFAULT_RATE_LIMIT,
  AmazonAccountSchema,
} from "./config.js";
import { AMAZON_MAX_MESSAGES } from "./feed-json.js";
import { amazonSectionOf } from "./sections.js";

/**
 * Publishing to Amazon through the Selling Partner API (docs/publishing-amazon.md): one Listings
 * Items call per change (PUT to create or when content changed, PATCH of the changed price or
 * stock attribute, DELETE), or above `feed_threshold` changes one JSON_LISTINGS_FEED through the
 * Feeds API, whose processing report gives each message its outcome.
 *
 * `Change.values` are what `amazonChannel.publishValues` yields: `product_type` plus the listing
 * attributes in Amazon's own shape (arrays of value objects), so they go out as they are and
 * come back from `getListingsItem` in the same form.
 */

const SETTING = "channels.amazon.account";
// Enough calls in flight to reach the bucket's rate when a call takes longer than 1/rate.
const CONCURRENCY = 16;
const FEED_CONTENT_TYPE = "application/json; charset=UTF-8";
const FEED_DONE = new Set(["DONE", "FATAL", "CANCELLED"]);

/** Knobs for tests and the benchmark; production uses the defaults. */
export interface AmazonPublisherTuning {
  /** Attempts per HTTP call (default 6) and the backoff's base and cap (ms). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Wait between two getFeed calls (default 15 s: feeds take minutes). */
  feedPollMs?: number;
}

interface ResolvedAccount {
  account: AmazonAccount;
  sellerId: string;
}

function parseAccount(raw: Readonly<Record<string, unknown>>): AmazonAccount {
  const parsed = AmazonAccountSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${SETTING}.${issue.path.join(".")}: ${issue.message}`,
    );
    throw new OmnifeedError("config", problems.join("; "));
  }
  return parsed.data;
}

function resolveAccount(raw: Readonly<Record<string, unknown>>): ResolvedAccount {
  const account = parseAccount(raw);
  if (account.seller_id === undefined) {
    throw new OmnifeedError(
      "config",
      `${SETTING}.seller_id is not set: publishing to Amazon needs the seller id (merchant token) from Seller Central`,
    );
  }
  return { account, sellerId: account.seller_id };
}

async function clientOf(resolved: ResolvedAccount, tuning: AmazonPublisherTuning): Promise<AmazonClient> {
  const { account } = resolved;
  const secret = (name: "client_id" | "client_secret" | "refresh_token"): Promise<string> =>
    readSecret({ env: account[`${name}_env`], file: account[`${name}_file`] }, `${SETTING}.${name}_env`);
  const [clientId, clientSecret, refreshToken] = await Promise.all([
    secret("client_id"),
    secret("client_secret"),
    secret("refresh_token"),
  ]);
  return createAmazonClient({
    apiUrl: account.api_url ?? AMAZON_DEFAULT_API_URL,
    lwaUrl: account.lwa_url ?? AMAZON_DEFAULT_LWA_URL,
    credentials: { clientId, clientSecret, refreshToken },
    sellerId: resolved.sellerId,
    marketplaceId: account.marketplace_id,
    issueLocale: account.issue_locale,
    ...tuning,
  });
}

/** Amazon's issue → ours, verbatim (the code stays Amazon's). */
export function channelIssueOf(issue: AmazonIssue): ChannelIssue {
  return {
    code: issue.code,
    message: issue.message,
    severity: issue.severity === "ERROR" ? "error" : issue.severity === "WARNING" ? "warning" : "info",
    ...(issue.attributeNames?.[0] !== undefined ? { attribute: issue.attributeNames[0] } : {}),
  };
}

function productTypeOf(values: PublishValues | undefined): string {
  const type = values?.product_type;
  return typeof type === "string" ? type : "";
}

/** The listing attributes of the values: everything but `product_type`. */
function attributesOf(values: PublishValues): Record<string, PublishValue> {
  const attributes: Record<string, PublishValue> = { ...values };
  delete attributes.product_type;
  return attributes;
}

/**
 * An update of price or stock only goes as a PATCH `replace` of those attributes (the cheap path:
 * patch allows 5/s per seller and touches nothing else). A content change goes as a full PUT:
 * PUT replaces the listing, so an attribute the catalog dropped disappears too, which a PATCH
 * could only do knowing the old value's selectors.
 */
function patchesOf(change: Change): AmazonPatch[] | undefined {
  if (change.op !== "update" || change.sections.includes("content")) return undefined;
  const picked = valuesOfSections(change.values ?? {}, change.sections, amazonSectionOf);
  const patches = Object.entries(picked).map(([name, value]) => ({
    op: "replace" as const,
    path: `/attributes/${name}`,
    value,
  }));
  return patches.length > 0 ? patches : undefined;
}

function outcomeOfSubmission(change: Change, submission: AmazonSubmission): ItemOutcome {
  const issues = (submission.issues ?? []).map(channelIssueOf);
  const asin = submission.identifiers?.find((identifier) => identifier.asin)?.asin ?? change.remoteId;
  return {
    key: change.key,
    op: change.op,
    status: submission.status === "INVALID" ? "rejected" : "accepted",
    issues,
    ...(asin !== undefined ? { remoteId: asin } : {}),
  };
}

function failed(change: Change, error: string): ItemOutcome {
  return { key: change.key, op: change.op, status: "failed", issues: [], error };
}

function errorText(error: unknown): string {
  if (isOmnifeedError(error)) return `${error.kind}: ${error.message}`;
  return error instanceof Error && error.name === "AbortError" ? "run stopped" : "unexpected error";
}

/** One change's outcome from an error: refused requests are the item's, the rest are failures. */
function outcomeOfError(change: Change, error: unknown): ItemOutcome {
  if (isOmnifeedError(error, "auth") || isOmnifeedError(error, "config")) throw error;
  if (isOmnifeedError(error, "not_found") && change.op === "delete") {
    return { key: change.key, op: change.op, status: "accepted", issues: [] };
  }
  if (isOmnifeedError(error, "rejected")) {
    const found = issuesOfErrorMessage(error.message);
    // An answer without Amazon's error body still gets an issue, in Amazon's spelling of a 400.
    const issues: ChannelIssue[] = found.length
      ? found.map((issue) => ({ ...issue, severity: "error" }))
      : [{ code: "BAD_REQUEST", message: error.message, severity: "error" }];
    return { key: change.key, op: change.op, status: "rejected", issues };
  }
  return failed(change, errorText(error));
}

async function sendItem(client: AmazonClient, change: Change, call: CallOptions): Promise<ItemOutcome> {
  if (call.signal.aborted) return failed(change, "run stopped");
  try {
    if (change.op === "delete")
      return outcomeOfSubmission(change, await client.deleteListingsItem(change.key, call));
    const values = change.values ?? {};
    const productType = productTypeOf(values);
    const patches = patchesOf(change);
    const submission = patches
      ? await client.patchListingsItem(change.key, { productType, patches }, call)
      : await client.putListingsItem(
          change.key,
          { productType, requirements: "LISTING", attributes: attributesOf(values) },
          call,
        );
    return outcomeOfSubmission(change, submission);
  } catch (error) {
    return outcomeOfError(change, error);
  }
}

/** One JSON_LISTINGS_FEED message per change, numbered from 1 (the processing report's messageId). */
export function feedMessageOf(change: Change, messageId: number): Record<string, unknown> {
  if (change.op === "delete") return { messageId, sku: change.key, operationType: "DELETE" };
  const values = change.values ?? {};
  const patches = patchesOf(change);
  if (patches)
    return {
      messageId,
      sku: change.key,
      operationType: "PATCH",
      productType: productTypeOf(values),
      patches,
    };
  return {
    messageId,
    sku: change.key,
    operationType: "UPDATE",
    productType: productTypeOf(values),
    requirements: "LISTING",
    attributes: attributesOf(values),
  };
}

/** A JSON_LISTINGS_FEED document for the changes (listings-feed-schema-v2.json). */
export function feedDocumentOf(
  changes: readonly Change[],
  header: { sellerId: string; issueLocale?: string | undefined },
): Record<string, unknown> {
  return {
    header: {
      sellerId: header.sellerId,
      version: "2.0",
      ...(header.issueLocale ? { issueLocale: header.issueLocale } : {}),
    },
    messages: changes.map((change, index) => feedMessageOf(change, index + 1)),
  };
}

interface ReportIssue {
  messageId?: number;
  code: string;
  severity: "ERROR" | "WARNING" | "INFO";
  message: string;
  attributeName?: string;
}

/** Reads a processing report (listings-feed-processing-report-schema-v2.json): issues by messageId. */
export function reportIssuesByMessage(text: string): Map<number, ReportIssue[]> {
  const report = JSON.parse(text) as { issues?: ReportIssue[] };
  const byMessage = new Map<number, ReportIssue[]>();
  for (const issue of report.issues ?? []) {
    if (typeof issue.messageId !== "number") continue;
    byMessage.set(issue.messageId, [...(byMessage.get(issue.messageId) ?? []), issue]);
  }
  return byMessage;
}

async function sendFeed(
  client: AmazonClient,
  changes: readonly Change[],
  resolved: ResolvedAccount,
  call: CallOptions,
  pollMs: number,
): Promise<ItemOutcome[]> {
  try {
    const document = feedDocumentOf(changes, {
      sellerId: resolved.sellerId,
      issueLocale: resolved.account.issue_locale,
    });
    const upload = await client.createFeedDocument(FEED_CONTENT_TYPE, call);
    await client.uploadFeedDocument(
      upload.url,
      Buffer.from(JSON.stringify(document)),
      FEED_CONTENT_TYPE,
      call.signal,
    );
    const feedId = await client.createFeed(
      {
        feedType: "JSON_LISTINGS_FEED",
        marketplaceIds: [resolved.account.marketplace_id],
        inputFeedDocumentId: upload.feedDocumentId,
      },
      call,
    );
    let feed = await client.getFeed(feedId, call);
    while (!FEED_DONE.has(feed.processingStatus)) {
      await sleep(pollMs, undefined, { signal: call.signal });
      feed = await client.getFeed(feedId, call);
    }
    if (feed.processingStatus !== "DONE" || feed.resultFeedDocumentId === undefined) {
      return changes.map((change) =>
        failed(change, `transient: JSON_LISTINGS_FEED ${feedId} ended ${feed.processingStatus}`),
      );
    }
    const reportDocument = await client.getFeedDocument(feed.resultFeedDocumentId, call);
    const byMessage = reportIssuesByMessage(await client.downloadFeedDocument(reportDocument, call.signal));
    return changes.map((change, index): ItemOutcome => {
      const issues = (byMessage.get(index + 1) ?? []).map((issue) =>
        channelIssueOf({
          code: issue.code,
          message: issue.message,
          severity: issue.severity,
          ...(issue.attributeName !== undefined ? { attributeNames: [issue.attributeName] } : {}),
        }),
      );
      const rejected = issues.some((issue) => issue.severity === "error");
      return {
        key: change.key,
        op: change.op,
        status: rejected ? "rejected" : "accepted",
        issues,
        ...(change.remoteId !== undefined ? { remoteId: change.remoteId } : {}),
      };
    });
  } catch (error) {
    if (isOmnifeedError(error, "auth") || isOmnifeedError(error, "config")) throw error;
    // The feed is one request for every change: its failure is not any item's fault.
    return changes.map((change) => failed(change, errorText(error)));
  }
}

/** A listings item as `RemoteItem`: its attributes are the values, in the form the build yields. */
export function remoteItemOf(item: AmazonListingsItem, marketplaceId: string): RemoteItem {
  const summary =
    item.summaries?.find((entry) => entry.marketplaceId === marketplaceId) ?? item.summaries?.[0];
  const values: Record<string, PublishValue> = {};
  if (summary) values.product_type = summary.productType;
  Object.assign(values, (item.attributes ?? {}) as Record<string, PublishValue>);
  const issues = (item.issues ?? []).map(channelIssueOf);
  const status: RemoteItem["status"] = issues.some((issue) => issue.severity === "error")
    ? "rejected"
    : summary && summary.status.length > 0
      ? "active"
      : "pending";
  return {
    key: item.sku,
    values,
    status,
    issues,
    ...(summary?.asin !== undefined ? { remoteId: summary.asin } : {}),
  };
}

/** The publisher for one account; `tuning` shortens waits in tests. */
export async function createAmazonPublisher(
  raw: Readonly<Record<string, unknown>>,
  tuning: AmazonPublisherTuning = {},
): Promise<ChannelPublisher> {
  const resolved = resolveAccount(raw);
  const { feedPollMs, ...retry } = tuning;
  const client = await clientOf(resolved, retry);
  const threshold = resolved.account.feed_threshold ?? AMAZON_DEFAULT_FEED_THRESHOLD;
  const marketplaceId = resolved.account.marketplace_id;
  const callOf = (context: PublishContext): CallOptions => ({
    limiter: context.limiter,
    signal: context.signal,
  });

  return {
    channel: "amazon",
    account: `${resolved.sellerId}/${marketplaceId}`,
    maxBatch: AMAZON_MAX_MESSAGES,
    async send(changes, context) {
      const call = callOf(context);
      // Every call in flight listens to the run's signal (axios and the backoff waits).
      setMaxListeners(CONCURRENCY * 4, context.signal);
      if (changes.length > threshold) {
        // One document holds at most 25,000 messages; the planner's batches already fit.
        const outcomes: ItemOutcome[] = [];
        for (let start = 0; start < changes.length; start += AMAZON_MAX_MESSAGES) {
          const part = changes.slice(start, start + AMAZON_MAX_MESSAGES);
          outcomes.push(...(await sendFeed(client, part, resolved, call, feedPollMs ?? 15_000)));
        }
        return outcomes;
      }
      return mapLimited(changes, CONCURRENCY, (change) => sendItem(client, change, call));
    },
    // VALIDATION_PREVIEW checks each listing as a put would, and applies nothing.
    preview(changes, context) {
      const call = { ...callOf(context), mode: "VALIDATION_PREVIEW" as const };
      setMaxListeners(CONCURRENCY * 4, context.signal);
      return mapLimited(changes, CONCURRENCY, async (change) => {
        if (change.op === "delete") return failed(change, "a delete cannot be previewed");
        try {
          const values = change.values ?? {};
          const submission = await client.putListingsItem(
            change.key,
            { productType: productTypeOf(values), requirements: "LISTING", attributes: attributesOf(values) },
            call,
          );
          return outcomeOfSubmission(change, submission);
        } catch (error) {
          return outcomeOfError(change, error);
        }
      });
    },
    async *list(context) {
      const call = callOf(context);
      // Amazon pages one search through at most 1,000 listings: past that, a new search starts
      // at the last creation time seen (inclusive), skipping the listings already given.
      let createdAfter: string | undefined;
      let given = new Set<string>();
      for (;;) {
        let pageToken: string | undefined;
        let seen = 0;
        let total = 0;
        let last: string | undefined;
        let atLast = new Set<string>();
        do {
          const page = await client.searchListingsItems({ pageToken, createdAfter }, call);
          total = page.numberOfResults;
          seen += page.items.length;
          for (const item of page.items) {
            const created = item.summaries?.[0]?.createdDate;
            if (created !== last) {
              last = created;
              atLast = new Set();
            }
            atLast.add(item.sku);
          }
          const fresh = page.items.filter((item) => !given.has(item.sku));
          if (fresh.length > 0) yield fresh.map((item) => remoteItemOf(item, marketplaceId));
          pageToken = page.nextToken;
        } while (pageToken !== undefined);
        if (seen >= total) return;
        if (last === undefined || last === createdAfter) {
          throw new OmnifeedError(
            "conflict",
            `Amazon SP-API: searchListingsItems: cannot page past ${seen} of ${total} listings ` +
              `(they share one creation time ${last ?? "(none reported)"})`,
          );
        }
        createdAfter = last;
        given = atLast;
      }
    },
    async get(keys, context) {
      const call = callOf(context);
      setMaxListeners(CONCURRENCY * 4, context.signal);
      const items = await mapLimited(keys, CONCURRENCY, (key) => client.getListingsItem(key, call));
      return items.flatMap((item) => (item ? [remoteItemOf(item, marketplaceId)] : []));
    },
  };
}

/** The answer of a validation preview: what Amazon would say of the listing, nothing persisted. */
export interface AmazonValidation {
  valid: boolean;
  issues: ChannelIssue[];
}

/**
 * Asks Amazon whether a listing would be accepted (putListingsItem with
 * `mode=VALIDATION_PREVIEW`), for `omnifeed validate --remote`. `values` as the build yields them.
 */
export async function validateListing(
  values: PublishValues,
  account: Readonly<Record<string, unknown>>,
  options: { sku: string; limiter: RateLimiter; signal: AbortSignal },
): Promise<AmazonValidation> {
  const resolved = resolveAccount(account);
  const client = await clientOf(resolved, {});
  const submission = await client.putListingsItem(
    options.sku,
    { productType: productTypeOf(values), requirements: "LISTING", attributes: attributesOf(values) },
    { limiter: options.limiter, signal: options.signal, mode: "VALIDATION_PREVIEW" },
  );
  return { valid: submission.status !== "INVALID", issues: (submission.issues ?? []).map(channelIssueOf) };
}

/** Amazon's publisher definition, registered in `channels/publishers.ts`. */
export const amazonPublisher: PublisherDefinition = {
  channel: "amazon",
  previews: true,
  create: (account) => createAmazonPublisher(account),
  rateLimit(account): RateLimit {
    const parsed = parseAccount(account);
    return {
      perSecond: parsed.rate_limit_per_second ?? AMAZON_DEFAULT_RATE_LIMIT.perSecond,
      burst: parsed.rate_limit_burst ?? AMAZON_DEFAULT_RATE_LIMIT.burst,
    };
  },
};
