import type { AxiosResponse } from "axios";
import { JWT } from "google-auth-library";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError, type ErrorKind } from "../../core/errors.js";
import { createHttpClient, kindOfStatus, type HttpClient, type HttpErrorReading } from "../../infra/http.js";
import type { RateLimiter } from "../../infra/rate-limit.js";

/**
 * All HTTP of Google API publishing: the service account's OAuth token and the Merchant API v1
 * calls (../shared/reference/google.md §4). Tokens come from google-auth-library (a signed JWT
 * exchanged at the token endpoint, cached and refreshed five minutes before expiry); every API
 * call goes through `infra/http` (token bucket, retries with jitter, 429 waits). Neither the key
 * nor a token ever reaches an error message.
 */

/** The token endpoint google-auth-library posts to; rewritten to the configured `token_url`. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const MERCHANT_API_URL = "https://merchantapi.googleapis.com";
const CONTENT_SCOPE = "https://www.googleapis.com/auth/content";
const SERVICE = "Google Merchant API";

/** The fields of a service account's JSON key the JWT grant needs. */
export const ServiceAccountKeySchema = z.object({
  type: z.literal("service_account").optional(),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKeySchema>;

/** Merchant API `Price`: int64 micros as a string (numbers accepted too). */
export const PriceSchema = z.object({
  amountMicros: z.union([z.string(), z.number()]).optional(),
  currencyCode: z.string().optional(),
});

const ItemLevelIssueSchema = z.looseObject({
  code: z.string().optional(),
  severity: z.string().optional(),
  attribute: z.string().optional(),
  description: z.string().optional(),
  detail: z.string().optional(),
  reportingContext: z.string().optional(),
});

const DestinationStatusSchema = z.looseObject({
  reportingContext: z.string().optional(),
  approvedCountries: z.array(z.string()).optional(),
  pendingCountries: z.array(z.string()).optional(),
  disapprovedCountries: z.array(z.string()).optional(),
});

/** A processed product (`products.get` / `products.list`). */
export const ProductSchema = z.looseObject({
  name: z.string(),
  offerId: z.string(),
  contentLanguage: z.string().optional(),
  feedLabel: z.string().optional(),
  dataSource: z.string().optional(),
  productAttributes: z.record(z.string(), z.unknown()).optional(),
  productStatus: z
    .looseObject({
      destinationStatuses: z.array(DestinationStatusSchema).optional(),
      itemLevelIssues: z.array(ItemLevelIssueSchema).optional(),
    })
    .optional(),
});
export type Product = z.infer<typeof ProductSchema>;

const ProductInputAnswerSchema = z.looseObject({ name: z.string(), product: z.string().optional() });
export type ProductInputAnswer = z.infer<typeof ProductInputAnswerSchema>;

const ProductPageSchema = z.object({
  products: z.array(ProductSchema).optional(),
  nextPageToken: z.string().optional(),
});

const LocalInventoryPageSchema = z.object({
  localInventories: z.array(z.looseObject({ storeCode: z.string() })).optional(),
  nextPageToken: z.string().optional(),
});

/** `google.rpc.Status` as the Merchant API answers errors. */
const RpcErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.looseObject({
          "@type": z.string().optional(),
          reason: z.string().optional(),
          metadata: z.record(z.string(), z.string()).optional(),
          retryDelay: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/** What a refused request said about the item: Google's reason code, message and field. */
export interface GoogleErrorDetail {
  status: string;
  reason: string;
  message: string;
  /** `product_input.product_attributes.price` → `price`. */
  attribute?: string;
}

const RPC_KINDS: Readonly<Record<string, ErrorKind>> = {
  INVALID_ARGUMENT: "rejected",
  FAILED_PRECONDITION: "rejected",
  OUT_OF_RANGE: "rejected",
  UNAUTHENTICATED: "auth",
  PERMISSION_DENIED: "auth",
  NOT_FOUND: "not_found",
  ALREADY_EXISTS: "conflict",
  ABORTED: "conflict",
  RESOURCE_EXHAUSTED: "rate_limited",
  INTERNAL: "transient",
  UNAVAILABLE: "transient",
  DEADLINE_EXCEEDED: "transient",
  UNKNOWN: "transient",
};

/** Reads a Google error body (or the front end's HTML page) into a kind and a safe message. */
export function readGoogleError(response: AxiosResponse): HttpErrorReading {
  const parsed = RpcErrorSchema.safeParse(response.data);
  if (!parsed.success) {
    return { kind: kindOfStatus(response.status), message: `HTTP ${response.status}` };
  }
  const detail = googleErrorDetail(response.data);
  const status = parsed.data.error.status ?? "";
  const retryDelay = parsed.data.error.details?.find((entry) => entry.retryDelay !== undefined)?.retryDelay;
  const kind = RPC_KINDS[status] ?? kindOfStatus(response.status);
  return {
    kind,
    message:
      `${response.status} ${status || "error"}${detail && detail.reason !== status ? ` ${detail.reason}` : ""}: ${parsed.data.error.message ?? ""}`.trim(),
    ...(retryDelay !== undefined && secondsOf(retryDelay) !== undefined
      ? { retryAfterMs: secondsOf(retryDelay)! * 1000 }
      : {}),
  };
}

/** The item-level reading of an error body: `details[].metadata.REASON` and `FIELD_LOCATION`. */
export function googleErrorDetail(body: unknown): GoogleErrorDetail | undefined {
  const parsed = RpcErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const error = parsed.data.error;
  const info = error.details?.find((entry) => entry["@type"]?.endsWith("google.rpc.ErrorInfo"));
  const location = info?.metadata?.FIELD_LOCATION;
  const attribute = location?.split(".").pop();
  return {
    status: error.status ?? "",
    reason: info?.metadata?.REASON ?? info?.reason ?? error.status ?? "error",
    message: error.message ?? "",
    ...(attribute ? { attribute } : {}),
  };
}

// `1s`, `0.5s` (google.protobuf.Duration in JSON).
function secondsOf(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  return match ? Number(match[1]) : undefined;
}

/**
 * An error the Merchant API answered, with what it said about the item. `infra/http` keeps only
 * a safe message; a refused write needs Google's reason code too, so the client reads it here.
 */
export class GoogleApiError extends OmnifeedError {
  constructor(
    cause: OmnifeedError,
    readonly detail: GoogleErrorDetail | undefined,
  ) {
    super(cause.kind, cause.message, { retryAfterMs: cause.retryAfterMs });
    this.name = "OmnifeedError";
  }
}

export interface GoogleClientOptions {
  apiUrl: string;
  tokenUrl: string;
  key: ServiceAccountKey;
  merchantId: string;
  dataSource: string;
  /** Attempts per call (default 6), first backoff step (default 250 ms): tests shorten them. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Refresh the token this long before it expires (default 5 minutes). */
  refreshBeforeMs?: number;
}

export interface ProductPage {
  products: Product[];
  nextPageToken?: string;
}

/** The Merchant API for one account and data source. */
/** One Merchant API request, before the token and the quota are added. */
interface GoogleRequest {
  what: string;
  method: string;
  url: string;
  params?: Record<string, unknown>;
  data?: unknown;
}

export class GoogleMerchantClient {
  private jwt: JWT;
  private readonly reader: HttpClient;
  private readonly writers = new WeakMap<RateLimiter, HttpClient>();
  private readonly accountPath: string;
  readonly dataSourceName: string;

  constructor(private readonly options: GoogleClientOptions) {
    this.accountPath = `accounts/${options.merchantId}`;
    this.dataSourceName = `${this.accountPath}/dataSources/${options.dataSource}`;
    this.jwt = this.signIn();
    this.reader = this.httpClient(undefined);
  }

  /**
   * The service account's token client. google-auth-library posts the grant to Google's fixed
   * token URL; a request interceptor on its own transporter points it at `token_url` (a
   * simulator, a proxy) without forking it.
   */
  private signIn(): JWT {
    const { key, tokenUrl } = this.options;
    const jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
      scopes: [CONTENT_SCOPE],
      eagerRefreshThresholdMillis: this.options.refreshBeforeMs ?? 5 * 60_000,
    });
    if (tokenUrl !== GOOGLE_TOKEN_URL) {
      jwt.transporter.interceptors.request.add({
        resolved: (config) => {
          if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
          return Promise.resolve(config);
        },
      });
    }
    return jwt;
  }

  /** A valid access token, from the cache or freshly exchanged. */
  async accessToken(): Promise<string> {
    try {
      const { token } = await this.jwt.getAccessToken();
      if (!token) throw new Error("no token");
      return token;
    } catch (error) {
      throw tokenError(error, this.options.key.client_email);
    }
  }

  productId(contentLanguage: string, feedLabel: string, offerId: string): string {
    const plain = `${contentLanguage}~${feedLabel}~${offerId}`;
    // https://developers.google.com/merchant/api/guides/products/overview — ids with / % ~ are sent as unpadded base64url.
    return /[/%~]/.test(offerId) ? Buffer.from(plain, "utf8").toString("base64url") : plain;
  }

  async insertProductInput(
    input: Record<string, unknown>,
    context: CallContext,
  ): Promise<ProductInputAnswer> {
    const response = await this.call(context, {
      what: `productInputs.insert ${String(input.offerId)}`,
      method: "POST",
      url: `/products/v1/${this.accountPath}/productInputs:insert`,
      params: { dataSource: this.dataSourceName },
      data: input,
    });
    return ProductInputAnswerSchema.parse(response.data);
  }

  async patchProductInput(
    productId: string,
    input: Record<string, unknown>,
    updateMask: readonly string[],
    context: CallContext,
  ): Promise<ProductInputAnswer> {
    const response = await this.call(context, {
      what: `productInputs.patch ${productId}`,
      method: "PATCH",
      url: `/products/v1/${this.accountPath}/productInputs/${encodeURIComponent(productId)}`,
      params: { updateMask: updateMask.join(","), dataSource: this.dataSourceName },
      data: input,
    });
    return ProductInputAnswerSchema.parse(response.data);
  }

  async deleteProductInput(productId: string, context: CallContext): Promise<void> {
    await this.call(context, {
      what: `productInputs.delete ${productId}`,
      method: "DELETE",
      url: `/products/v1/${this.accountPath}/productInputs/${encodeURIComponent(productId)}`,
      params: { dataSource: this.dataSourceName },
    });
  }

  /** The processed product; `undefined` when Google holds none (yet). */
  async getProduct(productId: string, context: ReadContext): Promise<Product | undefined> {
    try {
      const response = await this.call(
        { signal: context.signal },
        {
          what: `products.get ${productId}`,
          method: "GET",
          url: `/products/v1/${this.accountPath}/products/${encodeURIComponent(productId)}`,
        },
      );
      return ProductSchema.parse(response.data);
    } catch (error) {
      if (isOmnifeedError(error, "not_found")) return undefined;
      throw error;
    }
  }

  async listProducts(pageToken: string | undefined, context: ReadContext): Promise<ProductPage> {
    const response = await this.call(
      { signal: context.signal },
      {
        what: "products.list",
        method: "GET",
        url: `/products/v1/${this.accountPath}/products`,
        params: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) },
      },
    );
    const page = ProductPageSchema.parse(response.data);
    return {
      products: page.products ?? [],
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  /** `localInventories.insert`: replaces the product's stock at one store. */
  async insertLocalInventory(
    productId: string,
    inventory: Record<string, unknown>,
    context: CallContext,
  ): Promise<void> {
    await this.call(context, {
      what: `localInventories.insert ${productId} ${String(inventory.storeCode)}`,
      method: "POST",
      url: `/inventories/v1/${this.accountPath}/products/${encodeURIComponent(productId)}/localInventories:insert`,
      data: inventory,
    });
  }

  /** The store codes the product has local inventory at. */
  async listLocalInventoryStores(productId: string, context: ReadContext): Promise<string[]> {
    const stores: string[] = [];
    let pageToken: string | undefined;
    do {
      const response = await this.call(
        { signal: context.signal },
        {
          what: `localInventories.list ${productId}`,
          method: "GET",
          url: `/inventories/v1/${this.accountPath}/products/${encodeURIComponent(productId)}/localInventories`,
          params: { pageSize: 25_000, ...(pageToken ? { pageToken } : {}) },
        },
      );
      const page = LocalInventoryPageSchema.parse(response.data);
      stores.push(...(page.localInventories ?? []).map((entry) => entry.storeCode));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return stores;
  }

  async deleteLocalInventory(productId: string, storeCode: string, context: CallContext): Promise<void> {
    await this.call(context, {
      what: `localInventories.delete ${productId} ${storeCode}`,
      method: "DELETE",
      url: `/inventories/v1/${this.accountPath}/products/${encodeURIComponent(productId)}/localInventories/${encodeURIComponent(storeCode)}`,
    });
  }

  private async call(context: CallContext, request: GoogleRequest): Promise<AxiosResponse<unknown>> {
    try {
      return await this.callOnce(context, request);
    } catch (error) {
      // A token Google no longer takes (revoked, clock skew): exchange a new one and try once more.
      if (error instanceof GoogleApiError && error.detail?.status === "UNAUTHENTICATED") {
        // A new client has no cache: its first call exchanges a new assertion.
        this.jwt = this.signIn();
        return this.callOnce(context, request);
      }
      throw error;
    }
  }

  private async callOnce(context: CallContext, request: GoogleRequest): Promise<AxiosResponse<unknown>> {
    const http = context.limiter ? this.writerFor(context.limiter) : this.reader;
    const token = await this.accessToken();
    let lastBody: unknown;
    try {
      return await http.request<unknown>({
        ...request,
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.data !== undefined ? { "content-type": "application/json" } : {}),
        },
        signal: context.signal,
        // Kept for the item's reason code: `infra/http` reads the body into a message only.
        transformResponse: [
          (data: unknown) => {
            const parsed = parseJson(data);
            lastBody = parsed;
            return parsed;
          },
        ],
      });
    } catch (error) {
      if (isOmnifeedError(error) && !(error instanceof GoogleApiError)) {
        throw new GoogleApiError(error, googleErrorDetail(lastBody));
      }
      throw error;
    }
  }

  private writerFor(limiter: RateLimiter): HttpClient {
    let writer = this.writers.get(limiter);
    if (!writer) {
      writer = this.httpClient(limiter);
      this.writers.set(limiter, writer);
    }
    return writer;
  }

  private httpClient(limiter: RateLimiter | undefined): HttpClient {
    return createHttpClient({
      service: SERVICE,
      baseURL: this.options.apiUrl,
      limiter,
      readError: readGoogleError,
      ...(this.options.attempts !== undefined ? { attempts: this.options.attempts } : {}),
      ...(this.options.baseDelayMs !== undefined ? { baseDelayMs: this.options.baseDelayMs } : {}),
      ...(this.options.maxDelayMs !== undefined ? { maxDelayMs: this.options.maxDelayMs } : {}),
    });
  }
}

/** A write call: it takes a token from the account's bucket. */
export interface CallContext {
  signal?: AbortSignal | undefined;
  limiter?: RateLimiter | undefined;
}

/** A read call: the bucket is for writes, reads have their own (larger) per-method quota. */
export interface ReadContext {
  signal?: AbortSignal | undefined;
}

function parseJson(data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return data === "" ? undefined : (JSON.parse(data) as unknown);
  } catch {
    return data;
  }
}

/**
 * The token endpoint's refusal as an `auth` error (a network failure or a 5xx as `transient`).
 * Only the OAuth error code and the account's e-mail are kept: the error google-auth-library
 * throws carries the request, whose body is the signed assertion.
 */
function tokenError(error: unknown, email: string): OmnifeedError {
  const response = (error as { response?: { status?: unknown; data?: unknown } }).response;
  const status = typeof response?.status === "number" ? response.status : undefined;
  const data = response?.data as { error?: unknown } | undefined;
  const code = typeof data?.error === "string" ? data.error : undefined;
  if (status === undefined || status >= 500) {
    return new OmnifeedError(
      "transient",
      `Google OAuth token for ${email}: ${status ? `HTTP ${status}` : "the token endpoint could not be reached"}`,
    );
  }
  return new OmnifeedError(
    "auth",
    `Google OAuth token for ${email}: refused (HTTP ${status}${code ? ` ${code}` : ""}); check the service account key and that it is a user of the Merchant Center account`,
  );
}
