import type { AxiosResponse } from "axios";
import { createHmac } from "node:crypto";
import { z } from "zod";
import { OmnifeedError, type ErrorKind } from "../../core/errors.js";
import { createHttpClient, kindOfStatus, type HttpClient, type HttpErrorReading } from "../../infra/http.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { MetaAccount } from "./config.js";

/**
 * Every HTTP call to Meta's Graph API catalog endpoints (../shared/reference/meta.md §4–5). Batch
 * writes take a token from the account's bucket (Meta counts them in the catalog batch budget);
 * status polls and product reads count in the far larger catalog management budget and do not.
 * The access token goes in the `Authorization` header, never in a URL, so no path or message can
 * carry it; `appsecret_proof` proves the caller holds the app secret without sending it.
 */

/** One entry of `requests` in `items_batch`: `data.id` is the retailer id (our item key). */
export interface MetaBatchRequest {
  method: "CREATE" | "UPDATE" | "DELETE";
  data: { id: string } & Record<string, unknown>;
}

const MessageSchema = z.object({ message: z.string() }).loose();

export const ItemsBatchResponseSchema = z
  .object({
    handles: z.array(z.string()).default([]),
    validation_status: z
      .array(
        z
          .object({
            retailer_id: z.string(),
            errors: z.array(MessageSchema).default([]),
            warnings: z.array(MessageSchema).default([]),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type ItemsBatchResponse = z.infer<typeof ItemsBatchResponseSchema>;

const BatchProblemSchema = z
  .object({ line: z.number().int().optional(), id: z.string().optional(), message: z.string() })
  .loose();
export type BatchProblem = z.infer<typeof BatchProblemSchema>;

export const BatchStatusSchema = z
  .object({
    handle: z.string().optional(),
    status: z.string(),
    errors: z.array(BatchProblemSchema).default([]),
    errors_total_count: z.number().optional(),
    warnings: z.array(BatchProblemSchema).default([]),
    warnings_total_count: z.number().optional(),
    ids_of_invalid_requests: z.array(z.string()).default([]),
  })
  .loose();
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

const BatchStatusResponseSchema = z.object({ data: z.array(BatchStatusSchema).min(1) }).loose();

/** A product as `GET /{catalog_id}/products` reads it back (Graph field names, not feed names). */
export const GraphProductSchema = z
  .object({
    id: z.string(),
    retailer_id: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
    availability: z.string().optional(),
    condition: z.string().optional(),
    brand: z.string().optional(),
    url: z.string().optional(),
    image_url: z.string().optional(),
    price: z.string().optional(),
    sale_price: z.string().optional(),
    currency: z.string().optional(),
    inventory: z.number().optional(),
    review_status: z.string().optional(),
    errors: z
      .array(
        z
          .object({
            error_type: z.string().optional(),
            title: z.string().optional(),
            description: z.string().optional(),
            error_priority: z.string().optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();
export type GraphProduct = z.infer<typeof GraphProductSchema>;

const ProductsPageSchema = z
  .object({
    data: z.array(GraphProductSchema),
    paging: z
      .object({
        cursors: z.object({ after: z.string().optional() }).loose().optional(),
        next: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type ProductsPage = z.infer<typeof ProductsPageSchema>;

/** The Graph fields omnifeed reads back for reconcile and explain. */
export const PRODUCT_FIELDS = [
  "id",
  "retailer_id",
  "name",
  "description",
  "availability",
  "condition",
  "brand",
  "url",
  "image_url",
  "price",
  "sale_price",
  "currency",
  "inventory",
  "review_status",
  "errors",
].join(",");

export interface MetaClientOptions {
  account: MetaAccount & { catalog_id: string };
  accessToken: string;
  appSecret?: string | undefined;
  /** The account's batch budget; only `items_batch` calls take from it. */
  limiter?: RateLimiter | undefined;
  /** Retry tuning (tests shorten it). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface MetaClient {
  /** `POST /{version}/{catalog_id}/items_batch`: queues the requests; 200 means queued, not applied. */
  itemsBatch(requests: readonly MetaBatchRequest[], signal?: AbortSignal): Promise<ItemsBatchResponse>;
  /** `GET /{version}/{catalog_id}/check_batch_request_status` for one handle. */
  batchStatus(handle: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** One page of `GET /{version}/{catalog_id}/products`, optionally for some retailer ids only. */
  products(
    page: { after?: string | undefined; limit: number; retailerIds?: readonly string[] },
    signal?: AbortSignal,
  ): Promise<ProductsPage>;
}

const SERVICE = "Meta Graph API";

export function createMetaClient(options: MetaClientOptions): MetaClient {
  const { account, accessToken, appSecret } = options;
  const base = `/${account.graph_version}/${account.catalog_id}`;
  const secrets = [accessToken, ...(appSecret ? [appSecret, appSecretProof(accessToken, appSecret)] : [])];
  const common = {
    service: SERVICE,
    baseURL: account.api_url,
    readError: (response: AxiosResponse) => readGraphError(response, secrets),
    onHeaders: (headers: Record<string, string | undefined>) => {
      const waitMs = regainAccessMs(headers);
      if (waitMs > 0) void options.limiter?.pause(waitMs).catch(() => undefined);
    },
    ...(options.attempts !== undefined && { attempts: options.attempts }),
    ...(options.baseDelayMs !== undefined && { baseDelayMs: options.baseDelayMs }),
    ...(options.maxDelayMs !== undefined && { maxDelayMs: options.maxDelayMs }),
  };
  const writes: HttpClient = createHttpClient({ ...common, limiter: options.limiter });
  const reads: HttpClient = createHttpClient(common);
  const headers = { authorization: `Bearer ${accessToken}` };
  const proof = appSecret ? { appsecret_proof: appSecretProof(accessToken, appSecret) } : {};

  return {
    async itemsBatch(requests, signal) {
      const response = await writes.request<unknown>({
        what: `items_batch (${requests.length} requests)`,
        method: "POST",
        url: `${base}/items_batch`,
        params: proof,
        headers: { ...headers, "content-type": "application/json" },
        data: { item_type: "PRODUCT_ITEM", allow_upsert: true, requests },
        signal,
      });
      return parseAnswer(ItemsBatchResponseSchema, response.data, "items_batch");
    },

    async batchStatus(handle, signal) {
      const response = await reads.request<unknown>({
        what: "check_batch_request_status",
        method: "GET",
        url: `${base}/check_batch_request_status`,
        params: {
          ...proof,
          handle,
          load_ids_of_invalid_requests: "true",
          fields:
            "handle,status,errors,errors_total_count,warnings,warnings_total_count,ids_of_invalid_requests",
        },
        headers,
        signal,
      });
      return parseAnswer(BatchStatusResponseSchema, response.data, "check_batch_request_status").data[0]!;
    },

    async products(page, signal) {
      const response = await reads.request<unknown>({
        what: "products",
        method: "GET",
        url: `${base}/products`,
        params: {
          ...proof,
          fields: PRODUCT_FIELDS,
          limit: String(page.limit),
          ...(page.after !== undefined && { after: page.after }),
          ...(page.retailerIds && { filter: JSON.stringify({ retailer_id: { is_any: page.retailerIds } }) }),
        },
        headers,
        signal,
      });
      return parseAnswer(ProductsPageSchema, response.data, "products");
    },
  };
}

/** Hex HMAC-SHA256 of the access token keyed with the app secret (Graph's `appsecret_proof`). */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac("sha256", appSecret).update(accessToken).digest("hex");
}

/** Graph's error object (reference §5.2). */
const GraphErrorSchema = z.object({
  error: z
    .object({
      message: z.string().default(""),
      type: z.string().optional(),
      code: z.number().optional(),
      error_subcode: z.number().optional(),
      is_transient: z.boolean().optional(),
      error_user_msg: z.string().optional(),
      fbtrace_id: z.string().optional(),
    })
    .loose(),
});

/** Throttling codes: app, user, page, custom, pages, ads management, catalog management, catalog batch. */
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001, 80004, 80009, 80014]);
/** Invalid or expired token, login no longer valid, no token, and permission errors. */
const AUTH_CODES = new Set([102, 104, 190, 10]);

/** The kind of a Graph error code; Graph's HTTP status says little (reference §5.2: classify by code). */
export function kindOfGraphCode(
  code: number | undefined,
  isTransient: boolean | undefined,
  status: number,
): ErrorKind {
  if (code !== undefined) {
    if (THROTTLE_CODES.has(code)) return "rate_limited";
    if (AUTH_CODES.has(code) || (code >= 200 && code <= 299)) return "auth";
    if (code === 1 || code === 2 || isTransient === true) return "transient";
    if (code === 100) return "rejected";
  }
  return kindOfStatus(status);
}

/**
 * Reads Graph's error body into a kind and a message safe to show: the code, Meta's message and
 * the trace id support asks for. Any secret the message might echo is cut out.
 */
export function readGraphError(
  response: AxiosResponse,
  secrets: readonly string[],
): HttpErrorReading | undefined {
  const parsed = GraphErrorSchema.safeParse(response.data);
  if (!parsed.success) return undefined;
  const error = parsed.data.error;
  // A wrong or missing appsecret_proof comes as a bad parameter (100), but no item is at fault: the
  // app secret in the settings is.
  const kind = /appsecret_proof/.test(error.message)
    ? "auth"
    : kindOfGraphCode(error.code, error.is_transient, response.status);
  let message = error.message || `HTTP ${response.status}`;
  if (error.code !== undefined && !message.startsWith("(#")) message = `(#${error.code}) ${message}`;
  if (error.error_subcode !== undefined) message += ` [subcode ${error.error_subcode}]`;
  if (error.fbtrace_id) message += ` [fbtrace_id ${error.fbtrace_id}]`;
  for (const secret of secrets) if (secret) message = message.split(secret).join("[redacted]");
  const waitMs = regainAccessMs(flatHeaders(response.headers));
  return { kind, message, ...(kind === "rate_limited" && waitMs > 0 && { retryAfterMs: waitMs }) };
}

const UsageSchema = z
  .object({ estimated_time_to_regain_access: z.number().optional(), call_count: z.number().optional() })
  .loose();

/**
 * The longest `estimated_time_to_regain_access` (minutes) in `X-Business-Use-Case-Usage` (keyed by
 * business object id, a list of buckets each) and `X-App-Usage`, in milliseconds; 0 when none.
 */
export function regainAccessMs(headers: Readonly<Record<string, string | undefined>>): number {
  let minutes = 0;
  const business = parseHeader(headers["x-business-use-case-usage"]);
  if (business && typeof business === "object") {
    for (const buckets of Object.values(business as Record<string, unknown>)) {
      if (!Array.isArray(buckets)) continue;
      for (const bucket of buckets) {
        const usage = UsageSchema.safeParse(bucket);
        if (usage.success) minutes = Math.max(minutes, usage.data.estimated_time_to_regain_access ?? 0);
      }
    }
  }
  const app = UsageSchema.safeParse(parseHeader(headers["x-app-usage"]));
  if (app.success) minutes = Math.max(minutes, app.data.estimated_time_to_regain_access ?? 0);
  return minutes * 60_000;
}

function parseHeader(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function flatHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === "string") flat[name.toLowerCase()] = value;
  }
  return flat;
}

function parseAnswer<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  // A 200 whose body is not what Graph documents: a proxy page or an API change, worth a retry later.
  throw new OmnifeedError(
    "transient",
    `${SERVICE}: ${what}: unexpected answer (${parsed.error.issues[0]?.message ?? "unexpected body"})`,
  );
}
