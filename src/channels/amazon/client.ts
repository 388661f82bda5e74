import type { AxiosResponse } from "axios";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import type { HttpClient, HttpErrorReading } from "../../infra/http.js";
import { createHttpClient, kindOfStatus } from "../../infra/http.js";
import type { RateLimiter } from "../../infra/rate-limit.js";

/**
 * Every HTTP call omnifeed makes to Amazon's Selling Partner API: the Login with Amazon token,
 * the Listings Items API 2021-08-01 and the Feeds API 2021-06-30, with the presigned document
 * URLs. Shapes follow the official models (listingsItems_2021-08-01.json, feeds_2021-06-30.json);
 * facts in ../shared/reference/amazon.md. Hand-written over axios (`infra/http.ts`) rather than
 * the `@sp-api-sdk/*` packages: adr/0015 says why.
 */

const SERVICE = "Amazon SP-API";
const LISTINGS = "/listings/2021-08-01/items";
const FEEDS = "/feeds/2021-06-30";

/** The data every read asks for: enough to compare price, stock and title, and to see issues. */
export const READ_INCLUDED_DATA = "summaries,attributes,issues,offers,fulfillmentAvailability";

// Refresh the access token this long before it expires, so no call goes out with a dying one.
const TOKEN_MARGIN_MS = 60_000;

/** The LWA application credentials and the seller's refresh token; never logged, never in messages. */
export interface AmazonCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface AmazonClientOptions {
  apiUrl: string;
  lwaUrl: string;
  credentials: AmazonCredentials;
  sellerId: string;
  marketplaceId: string;
  issueLocale?: string | undefined;
  /** Attempts per request (default 6) and the backoff's base and cap; tests make them short. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A clock for token expiry (tests). */
  now?: () => number;
}

const IssueSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  severity: z.enum(["ERROR", "WARNING", "INFO"]),
  attributeNames: z.array(z.string()).optional(),
  categories: z.array(z.string()).optional(),
});
export type AmazonIssue = z.infer<typeof IssueSchema>;

const SubmissionSchema = z.looseObject({
  sku: z.string(),
  status: z.enum(["ACCEPTED", "INVALID", "VALID"]),
  submissionId: z.string(),
  issues: z.array(IssueSchema).optional(),
  identifiers: z.array(z.looseObject({ marketplaceId: z.string(), asin: z.string().optional() })).optional(),
});
/** `putListingsItem` / `patchListingsItem` / `deleteListingsItem` answer. */
export type AmazonSubmission = z.infer<typeof SubmissionSchema>;

const MoneySchema = z.looseObject({ currencyCode: z.string(), amount: z.union([z.string(), z.number()]) });

const ItemSchema = z.looseObject({
  sku: z.string(),
  summaries: z
    .array(
      z.looseObject({
        marketplaceId: z.string(),
        asin: z.string().optional(),
        productType: z.string(),
        status: z.array(z.string()),
        itemName: z.string().optional(),
      }),
    )
    .optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  issues: z.array(IssueSchema).optional(),
  offers: z
    .array(z.looseObject({ marketplaceId: z.string(), offerType: z.string(), price: MoneySchema }))
    .optional(),
  fulfillmentAvailability: z
    .array(z.looseObject({ fulfillmentChannelCode: z.string(), quantity: z.number().optional() }))
    .optional(),
});
/** A listings item as `getListingsItem` / `searchListingsItems` return it. */
export type AmazonListingsItem = z.infer<typeof ItemSchema>;

const SearchSchema = z.looseObject({
  numberOfResults: z.number(),
  pagination: z.looseObject({ nextToken: z.string().optional() }).optional(),
  items: z.array(ItemSchema),
});

const FeedDocumentSchema = z.looseObject({
  feedDocumentId: z.string(),
  url: z.string(),
  compressionAlgorithm: z.literal("GZIP").optional(),
});
export type AmazonFeedDocument = z.infer<typeof FeedDocumentSchema>;

const FeedSchema = z.looseObject({
  feedId: z.string(),
  feedType: z.string(),
  processingStatus: z.enum(["CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"]),
  resultFeedDocumentId: z.string().optional(),
});
export type AmazonFeed = z.infer<typeof FeedSchema>;

const TokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive() });

const ErrorListSchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string(), details: z.string().optional() })),
});
const LwaErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/** The JSON Patch operation of `patchListingsItem` and of PATCH feed messages. */
export interface AmazonPatch {
  op: "add" | "replace" | "merge" | "delete";
  path: string;
  value?: unknown;
}

export interface CallOptions {
  limiter: RateLimiter;
  signal: AbortSignal;
}

export interface AmazonClient {
  putListingsItem(
    sku: string,
    body: { productType: string; requirements: string; attributes: Record<string, unknown> },
    call: CallOptions & { mode?: "VALIDATION_PREVIEW" },
  ): Promise<AmazonSubmission>;
  patchListingsItem(
    sku: string,
    body: { productType: string; patches: AmazonPatch[] },
    call: CallOptions,
  ): Promise<AmazonSubmission>;
  deleteListingsItem(sku: string, call: CallOptions): Promise<AmazonSubmission>;
  /** The item, or `undefined` when Amazon holds no such SKU (404). */
  getListingsItem(sku: string, call: CallOptions): Promise<AmazonListingsItem | undefined>;
  searchListingsItems(
    pageToken: string | undefined,
    call: CallOptions,
  ): Promise<{ items: AmazonListingsItem[]; nextToken: string | undefined }>;
  createFeedDocument(contentType: string, call: CallOptions): Promise<AmazonFeedDocument>;
  /** PUT to the presigned URL; the Content-Type must equal the declared one byte for byte. */
  uploadFeedDocument(url: string, content: Buffer, contentType: string, signal: AbortSignal): Promise<void>;
  createFeed(
    body: { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string },
    call: CallOptions,
  ): Promise<string>;
  getFeed(feedId: string, call: CallOptions): Promise<AmazonFeed>;
  getFeedDocument(feedDocumentId: string, call: CallOptions): Promise<AmazonFeedDocument>;
  /** Downloads a document and gunzips it when `compressionAlgorithm` says so. */
  downloadFeedDocument(document: AmazonFeedDocument, signal: AbortSignal): Promise<string>;
}

/**
 * `{"errors":[{code,message,details}]}` → kind and a message that keeps Amazon's code in brackets
 * (`[QuotaExceeded] You exceeded…`), so a refused item can carry it as its issue code.
 * Amazon sends no Retry-After on 429: the wait is one token at the last limit it reported.
 */
function spApiErrorReader(lastLimit: () => number | undefined) {
  return (response: AxiosResponse): HttpErrorReading => {
    const parsed = ErrorListSchema.safeParse(response.data);
    const message = parsed.success
      ? parsed.data.errors
          .map((error) => `[${error.code}] ${error.message}${error.details ? ` (${error.details})` : ""}`)
          .join("; ")
      : `HTTP ${response.status}`;
    const kind = kindOfStatus(response.status);
    const limit = lastLimit();
    return kind === "rate_limited" && limit !== undefined
      ? { kind, message, retryAfterMs: Math.ceil(1000 / limit) }
      : { kind, message };
  };
}

/** LWA answers `{"error":"invalid_client"}`; both 400 invalid_grant and 401 mean bad credentials. */
function lwaErrorReader(response: AxiosResponse): HttpErrorReading {
  const parsed = LwaErrorSchema.safeParse(response.data);
  const message = parsed.success
    ? `${parsed.data.error}${parsed.data.error_description ? `: ${parsed.data.error_description}` : ""}`
    : `HTTP ${response.status}`;
  const kind = response.status === 400 || response.status === 401 ? "auth" : kindOfStatus(response.status);
  return { kind, message };
}

/** The issues of an SP-API error message made by this client (`[code] message; …`). */
export function issuesOfErrorMessage(message: string): { code: string; message: string }[] {
  return [...message.matchAll(/\[([^\]]+)\] ([^;]*)/g)].map((match) => ({
    code: match[1]!,
    message: match[2]!.trim(),
  }));
}

export function createAmazonClient(options: AmazonClientOptions): AmazonClient {
  const now = options.now ?? Date.now;
  const retry = {
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
    ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
  };
  const lwa = createHttpClient({
    service: "Login with Amazon",
    baseURL: options.lwaUrl,
    readError: lwaErrorReader,
    ...retry,
  });
  // Presigned document URLs carry their own signature: no token, and no SP-API quota.
  const documents = createHttpClient({ service: `${SERVICE} documents`, baseURL: options.apiUrl, ...retry });
  let lastLimit: number | undefined;
  // One HTTP client per token bucket: the run's limiter is only known per call.
  const apis = new WeakMap<RateLimiter, HttpClient>();
  let token: { value: string; expiresAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;

  function api(limiter: RateLimiter): HttpClient {
    let client = apis.get(limiter);
    if (!client) {
      client = createHttpClient({
        service: SERVICE,
        baseURL: options.apiUrl,
        limiter,
        readError: spApiErrorReader(() => lastLimit),
        onHeaders: (headers) => {
          const limit = Number(headers["x-amzn-ratelimit-limit"]);
          if (Number.isFinite(limit) && limit > 0) {
            lastLimit = limit;
            limiter.observeLimit?.(limit);
          }
        },
        ...retry,
      });
      apis.set(limiter, client);
    }
    return client;
  }

  async function fetchToken(signal: AbortSignal): Promise<string> {
    const { clientId, clientSecret, refreshToken } = options.credentials;
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret,
    });
    const response = await lwa.request<unknown>({
      what: "token refresh",
      method: "POST",
      url: "/auth/o2/token",
      data: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
      signal,
    });
    const parsed = TokenSchema.safeParse(response.data);
    if (!parsed.success)
      throw new OmnifeedError("auth", "Login with Amazon: token answer without access_token");
    token = { value: parsed.data.access_token, expiresAt: now() + parsed.data.expires_in * 1000 };
    return token.value;
  }

  /** The cached access token, refreshed a minute before it expires; concurrent callers share one refresh. */
  async function accessToken(signal: AbortSignal): Promise<string> {
    if (token && token.expiresAt - TOKEN_MARGIN_MS > now()) return token.value;
    pendingToken ??= fetchToken(signal).finally(() => {
      pendingToken = undefined;
    });
    return pendingToken;
  }

  async function call<T>(
    schema: z.ZodType<T>,
    request: {
      what: string;
      method: string;
      url: string;
      params?: Record<string, string>;
      data?: unknown;
    },
    { limiter, signal }: CallOptions,
  ): Promise<T> {
    // A token Amazon revoked before its time answers 403: refresh it once and try again.
    for (let attempt = 1; ; attempt += 1) {
      const current = await accessToken(signal);
      try {
        const response = await api(limiter).request<unknown>({
          ...request,
          headers: {
            "x-amz-access-token": current,
            accept: "application/json",
            ...(request.data !== undefined ? { "content-type": "application/json" } : {}),
          },
          signal,
        });
        const parsed = schema.safeParse(response.data);
        if (!parsed.success) {
          throw new OmnifeedError("transient", `${SERVICE}: ${request.what}: unexpected answer`, {
            where: `${request.method} ${request.url}`,
          });
        }
        return parsed.data;
      } catch (error) {
        if (attempt === 1 && isOmnifeedError(error, "auth") && token?.value === current) {
          token = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  const itemPath = (sku: string): string =>
    `${LISTINGS}/${encodeURIComponent(options.sellerId)}/${encodeURIComponent(sku)}`;
  const baseParams = (): Record<string, string> => ({
    marketplaceIds: options.marketplaceId,
    ...(options.issueLocale ? { issueLocale: options.issueLocale } : {}),
  });

  return {
    putListingsItem: (sku, body, { mode, ...callOptions }) =>
      call(
        SubmissionSchema,
        {
          what: `putListingsItem ${sku}`,
          method: "PUT",
          url: itemPath(sku),
          params: { ...baseParams(), includedData: "issues", ...(mode ? { mode } : {}) },
          data: body,
        },
        callOptions,
      ),
    patchListingsItem: (sku, body, callOptions) =>
      call(
        SubmissionSchema,
        {
          what: `patchListingsItem ${sku}`,
          method: "PATCH",
          url: itemPath(sku),
          params: { ...baseParams(), includedData: "issues" },
          data: body,
        },
        callOptions,
      ),
    deleteListingsItem: (sku, callOptions) =>
      call(
        SubmissionSchema,
        { what: `deleteListingsItem ${sku}`, method: "DELETE", url: itemPath(sku), params: baseParams() },
        callOptions,
      ),
    async getListingsItem(sku, callOptions) {
      try {
        return await call(
          ItemSchema,
          {
            what: `getListingsItem ${sku}`,
            method: "GET",
            url: itemPath(sku),
            params: { ...baseParams(), includedData: READ_INCLUDED_DATA },
          },
          callOptions,
        );
      } catch (error) {
        if (isOmnifeedError(error, "not_found")) return undefined;
        throw error;
      }
    },
    async searchListingsItems(pageToken, callOptions) {
      const page = await call(
        SearchSchema,
        {
          what: "searchListingsItems",
          method: "GET",
          url: `${LISTINGS}/${encodeURIComponent(options.sellerId)}`,
          params: {
            ...baseParams(),
            includedData: READ_INCLUDED_DATA,
            pageSize: "20",
            ...(pageToken ? { pageToken } : {}),
          },
        },
        callOptions,
      );
      return { items: page.items, nextToken: page.pagination?.nextToken };
    },
    createFeedDocument: (contentType, callOptions) =>
      call(
        FeedDocumentSchema,
        { what: "createFeedDocument", method: "POST", url: `${FEEDS}/documents`, data: { contentType } },
        callOptions,
      ),
    async uploadFeedDocument(url, content, contentType, signal) {
      await documents.request({
        what: "feed document upload",
        method: "PUT",
        url,
        data: content,
        headers: { "content-type": contentType },
        signal,
      });
    },
    async createFeed(body, callOptions) {
      const created = await call(
        z.looseObject({ feedId: z.string() }),
        { what: "createFeed", method: "POST", url: `${FEEDS}/feeds`, data: body },
        callOptions,
      );
      return created.feedId;
    },
    getFeed: (feedId, callOptions) =>
      call(
        FeedSchema,
        { what: `getFeed ${feedId}`, method: "GET", url: `${FEEDS}/feeds/${encodeURIComponent(feedId)}` },
        callOptions,
      ),
    getFeedDocument: (feedDocumentId, callOptions) =>
      call(
        FeedDocumentSchema,
        {
          what: `getFeedDocument ${feedDocumentId}`,
          method: "GET",
          url: `${FEEDS}/documents/${encodeURIComponent(feedDocumentId)}`,
        },
        callOptions,
      ),
    async downloadFeedDocument(document, signal) {
      const response = await documents.request<ArrayBuffer>({
        what: "feed document download",
        method: "GET",
        url: document.url,
        responseType: "arraybuffer",
        signal,
      });
      const bytes = Buffer.from(response.data);
      return (document.compressionAlgorithm === "GZIP" ? gunzipSync(bytes) : bytes).toString("utf8");
    },
  };
}
