import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import { createHttpClient } from "../../infra/http.js";
import {
  createSpApiClient,
  issuesOfErrorMessage,
  type SpApiCallOptions,
  type SpApiCredentials,
  type SpApiRequest,
} from "../../infra/sp-api.js";

/**
 * Every HTTP call omnifeed makes to Amazon's Selling Partner API: the Login with Amazon token,
 * the Listings Items API 2021-08-01 and the Feeds API 2021-06-30, with the presigned document
 * URLs. Shapes follow the official models (listingsItems_2021-08-01.json, feeds_2021-06-30.json);
 * facts in ../shared/reference/amazon.md. The LWA token and the SP-API call plumbing are
 * `infra/sp-api.ts`, shared with the orders marketplace; hand-written over axios rather than the
 * `@sp-api-sdk/*` packages: adr/0015 and adr/0026 say why.
 */

const SERVICE = "Amazon SP-API";
const LISTINGS = "/listings/2021-08-01/items";
const FEEDS = "/feeds/2021-06-30";

/** The data every read asks for: enough to compare price, stock and title, and to see issues. */
export const READ_INCLUDED_DATA = "summaries,attributes,issues,offers,fulfillmentAvailability";

/** The LWA application credentials and the seller's refresh token; never logged, never in messages. */
export type AmazonCredentials = SpApiCredentials;

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
        createdDate: z.string().optional(),
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

/** The JSON Patch operation of `patchListingsItem` and of PATCH feed messages. */
export interface AmazonPatch {
  op: "add" | "replace" | "merge" | "delete";
  path: string;
  value?: unknown;
}

export type CallOptions = SpApiCallOptions;

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
  /**
   * One page of the seller's listings, oldest first (`sortBy=createdDate`, `sortOrder=ASC`), from
   * `createdAfter` (inclusive) when given: the way past Amazon's 1,000-result cap per search.
   */
  searchListingsItems(
    page: { pageToken?: string | undefined; createdAfter?: string | undefined },
    call: CallOptions,
  ): Promise<{ items: AmazonListingsItem[]; nextToken: string | undefined; numberOfResults: number }>;
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

/** The issues of an SP-API error message (`[code] message; …`); the reader is shared in infra. */
export { issuesOfErrorMessage };

export function createAmazonClient(options: AmazonClientOptions): AmazonClient {
  const spApi = createSpApiClient(options);
  // Presigned document URLs carry their own signature: no token, and no SP-API quota.
  const documents = createHttpClient({
    service: `${SERVICE} documents`,
    baseURL: options.apiUrl,
    ...spApi.retry,
  });
  const call = <T>(schema: z.ZodType<T>, request: SpApiRequest, callOptions: CallOptions): Promise<T> =>
    spApi.call(schema, request, callOptions);

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
    async searchListingsItems({ pageToken, createdAfter }, callOptions) {
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
            sortBy: "createdDate",
            sortOrder: "ASC",
            ...(createdAfter ? { createdAfter } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
        },
        callOptions,
      );
      return {
        items: page.items,
        nextToken: page.pagination?.nextToken,
        numberOfResults: page.numberOfResults,
      };
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
