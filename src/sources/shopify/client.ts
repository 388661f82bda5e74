import type { Readable } from "node:stream";
import type { AxiosResponse } from "axios";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError, type ErrorKind } from "../../core/errors.js";
import { createHttpClient, type HttpClient } from "../../infra/http.js";
import { abortableSleep } from "../../infra/rate-limiters.js";

/**
 * The Shopify Admin GraphQL client (stores.md §1): one POST per operation to
 * `<shop_url>/admin/api/<version>/graphql.json`, the access token from a static app token or the
 * client-credentials grant (refreshed before `expires_in` runs out), throttling by the cost
 * bucket (`extensions.cost.throttleStatus`), and GraphQL errors turned into OmnifeedError with
 * the operation and the request id. Why not `@shopify/admin-api-client`: adr/0022.
 */

export type ShopifyCredentials =
  | { kind: "token"; accessToken: string }
  | { kind: "client_credentials"; clientId: string; clientSecret: string };

export interface ShopifyClientOptions {
  shopUrl: string;
  apiVersion: string;
  credentials: ShopifyCredentials;
  timeoutMs?: number;
  /** Where warnings go (the served API version differs from the pinned one); default `process.emitWarning`. */
  warn?: (message: string) => void;
  /** Transport retries for 5xx and network errors (default 5). */
  attempts?: number;
  /** Waits on THROTTLED answers before giving up (default 30). */
  throttleRetries?: number;
  /** The clock the bucket is paced by (default: wall time); a test passes a fake one. */
  clock?: PaceClock;
}

/** Time as the client's pacing sees it: `now` in ms and an abortable `sleep`. */
export interface PaceClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const WALL_CLOCK: PaceClock = { now: () => Date.now(), sleep: abortableSleep };

const ThrottleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number(),
});

const CostSchema = z.object({
  requestedQueryCost: z.number().nullable().optional(),
  actualQueryCost: z.number().nullable().optional(),
  throttleStatus: ThrottleStatusSchema,
});
export type ShopifyCost = z.infer<typeof CostSchema>;

const GraphqlErrorSchema = z.object({
  message: z.string(),
  extensions: z.object({ code: z.string().optional() }).passthrough().optional(),
  path: z.array(z.union([z.string(), z.number()])).optional(),
});

const AnswerSchema = z.object({
  data: z.unknown().optional(),
  errors: z.union([z.array(GraphqlErrorSchema), z.string(), z.record(z.string(), z.unknown())]).optional(),
  extensions: z.object({ cost: CostSchema.optional() }).passthrough().optional(),
});

export interface ShopifyAnswer<T> {
  data: T;
  cost: ShopifyCost | undefined;
  requestId: string | undefined;
}

/** A mutation's `userErrors` (or `orderCancelUserErrors`) list, as every Shopify mutation answers it. */
export const UserErrorsSchema = z.array(
  z.object({
    field: z.array(z.string()).nullable().optional(),
    message: z.string(),
    code: z.string().nullable().optional(),
  }),
);

export interface ShopifyUserError {
  field?: readonly string[] | null | undefined;
  message: string;
  code?: string | null | undefined;
}

export interface SendOptions {
  /**
   * A write that must not be sent twice blindly (`orderCreate`: no idempotency key): network
   * errors and 5xx answers are not retried but thrown as `transient`, so the caller can look up
   * what happened before trying again. THROTTLED answers (not executed) are still waited out.
   */
  once?: boolean;
}

export interface ShopifyClient {
  readonly apiUrl: string;
  /** Runs one query or mutation, waiting on the bucket as needed; GraphQL errors throw. */
  request<T>(
    operation: string,
    document: string,
    variables?: Record<string, unknown>,
    signal?: AbortSignal,
    send?: SendOptions,
  ): Promise<ShopifyAnswer<T>>;
  /** Streams a file Shopify hands out by URL (a bulk result); no token is sent there. */
  download(url: string, what: string, signal?: AbortSignal): Promise<Readable>;
  /** The version that served the last call (`X-Shopify-API-Version`). */
  servedVersion(): string | undefined;
  /** The bucket as the last answer reported it. */
  throttleStatus(): z.infer<typeof ThrottleStatusSchema> | undefined;
}

const SERVICE = "Shopify Admin API";
const TOKEN_MARGIN_MS = 60_000;

/** A userErrors list as one `rejected` error naming the operation and each field. */
export function userErrorsError(
  operation: string,
  errors: readonly ShopifyUserError[],
  requestId: string | undefined,
  kind: ErrorKind = "rejected",
): OmnifeedError {
  const text = errors
    .map(
      (error) =>
        `${error.field && error.field.length > 0 ? `${error.field.join(".")}: ` : ""}${error.message}`,
    )
    .join("; ");
  return new OmnifeedError(kind, `${SERVICE}: ${operation}: ${text}`, {
    where: requestId ? `request id ${requestId}` : undefined,
  });
}

export function createShopifyClient(options: ShopifyClientOptions): ShopifyClient {
  const apiPath = `/admin/api/${options.apiVersion}/graphql.json`;
  const warn = options.warn ?? ((message: string) => process.emitWarning(message, "OmnifeedWarning"));
  const http: HttpClient = createHttpClient({
    service: SERVICE,
    baseURL: options.shopUrl,
    attempts: options.attempts ?? 5,
    timeoutMs: options.timeoutMs ?? 60_000,
    readError,
  });
  const httpOnce: HttpClient = createHttpClient({
    service: SERVICE,
    baseURL: options.shopUrl,
    attempts: 1,
    timeoutMs: options.timeoutMs ?? 60_000,
    readError,
  });
  const throttleRetries = options.throttleRetries ?? 30;
  const clock = options.clock ?? WALL_CLOCK;
  let token: { value: string; expiresAt: number } | undefined =
    options.credentials.kind === "token"
      ? { value: options.credentials.accessToken, expiresAt: Number.POSITIVE_INFINITY }
      : undefined;
  let tokenRequest: Promise<string> | undefined;
  let bucket: { status: z.infer<typeof ThrottleStatusSchema>; at: number } | undefined;
  const lastRequested = new Map<string, number>();
  let served: string | undefined;
  let warned = false;

  async function grant(signal: AbortSignal | undefined): Promise<string> {
    const credentials = options.credentials;
    if (credentials.kind !== "client_credentials") throw new Error("no client credentials");
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    }).toString();
    const response = await http.request<unknown>({
      what: "client-credentials grant",
      method: "POST",
      url: "/admin/oauth/access_token",
      data: body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      signal,
    });
    const parsed = z
      .object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() })
      .safeParse(response.data);
    if (!parsed.success) {
      throw new OmnifeedError(
        "auth",
        `${SERVICE}: client-credentials grant: the answer holds no access_token`,
      );
    }
    const lifetime = (parsed.data.expires_in ?? 3600) * 1000;
    token = {
      value: parsed.data.access_token,
      expiresAt: Date.now() + Math.max(0, lifetime - TOKEN_MARGIN_MS),
    };
    return token.value;
  }

  async function accessToken(signal: AbortSignal | undefined, renew = false): Promise<string> {
    if (!renew && token !== undefined && token.expiresAt > Date.now()) return token.value;
    if (options.credentials.kind === "token") return options.credentials.accessToken;
    // One grant at a time: concurrent calls share it.
    tokenRequest ??= grant(signal).finally(() => {
      tokenRequest = undefined;
    });
    return tokenRequest;
  }

  /** Waits until the bucket (as last reported, refilled since) holds what this operation cost last time. */
  async function pace(operation: string, signal: AbortSignal | undefined): Promise<void> {
    const wanted = lastRequested.get(operation);
    if (bucket === undefined || wanted === undefined) return;
    const { status, at } = bucket;
    const wantedNow = Math.min(wanted, status.maximumAvailable);
    const available = Math.min(
      status.maximumAvailable,
      status.currentlyAvailable + ((clock.now() - at) / 1000) * status.restoreRate,
    );
    if (available >= wantedNow || status.restoreRate <= 0) return;
    await clock.sleep(Math.ceil(((wantedNow - available) / status.restoreRate) * 1000), signal);
  }

  function noteVersion(response: AxiosResponse): void {
    const version = headerOf(response, "x-shopify-api-version");
    if (version === undefined) return;
    served = version;
    if (version !== options.apiVersion && !warned) {
      warned = true;
      warn(
        `Shopify served Admin API ${version} for the pinned ${options.apiVersion} (${options.shopUrl}): the pinned version is retired or unknown; update api_version`,
      );
    }
  }

  async function request<T>(
    operation: string,
    document: string,
    variables: Record<string, unknown> = {},
    signal?: AbortSignal,
    send: SendOptions = {},
  ): Promise<ShopifyAnswer<T>> {
    let renewed = false;
    const transport = send.once ? httpOnce : http;
    for (let throttled = 0; ;) {
      await pace(operation, signal);
      const value = await accessToken(signal);
      let response: AxiosResponse<unknown>;
      try {
        response = await transport.request<unknown>({
          what: operation,
          method: "POST",
          url: apiPath,
          data: { query: document, variables },
          headers: { "x-shopify-access-token": value, "content-type": "application/json" },
          signal,
        });
      } catch (error) {
        // An expired or revoked grant token: get a new one once.
        if (isOmnifeedError(error, "auth") && options.credentials.kind === "client_credentials" && !renewed) {
          renewed = true;
          token = undefined;
          await accessToken(signal, true);
          continue;
        }
        // A 429 was not executed: waiting and sending again is safe even for a write.
        if (send.once && isOmnifeedError(error, "rate_limited") && throttled < throttleRetries) {
          throttled += 1;
          await clock.sleep(error.retryAfterMs ?? 1000, signal);
          continue;
        }
        throw error;
      }
      noteVersion(response);
      const requestId = headerOf(response, "x-request-id");
      const parsed = AnswerSchema.safeParse(response.data);
      if (!parsed.success) {
        throw new OmnifeedError(
          "transient",
          `${SERVICE}: ${operation}: the answer is not a GraphQL response`,
          {
            where: requestId ? `request id ${requestId}` : undefined,
          },
        );
      }
      const cost = parsed.data.extensions?.cost;
      if (cost) {
        bucket = { status: cost.throttleStatus, at: clock.now() };
        if (typeof cost.requestedQueryCost === "number")
          lastRequested.set(operation, cost.requestedQueryCost);
      }
      const errors = Array.isArray(parsed.data.errors) ? parsed.data.errors : [];
      if (errors.some((error) => error.extensions?.code === "THROTTLED")) {
        throttled += 1;
        const wait = throttleWaitMs(cost);
        if (throttled > throttleRetries) {
          throw new OmnifeedError(
            "rate_limited",
            `${SERVICE}: ${operation}: still throttled after ${throttleRetries} waits`,
            {
              where: requestId ? `request id ${requestId}` : undefined,
              retryAfterMs: wait,
            },
          );
        }
        await clock.sleep(wait, signal);
        continue;
      }
      if (errors.length > 0) throw graphqlError(operation, errors, requestId);
      if (parsed.data.errors !== undefined && !Array.isArray(parsed.data.errors)) {
        throw new OmnifeedError(
          "rejected",
          `${SERVICE}: ${operation}: ${JSON.stringify(parsed.data.errors)}`,
          {
            where: requestId ? `request id ${requestId}` : undefined,
          },
        );
      }
      if (parsed.data.data === undefined || parsed.data.data === null) {
        throw new OmnifeedError("transient", `${SERVICE}: ${operation}: the answer holds no data`, {
          where: requestId ? `request id ${requestId}` : undefined,
        });
      }
      return { data: parsed.data.data as T, cost, requestId };
    }
  }

  async function download(url: string, what: string, signal?: AbortSignal): Promise<Readable> {
    const response = await http.request<Readable>({
      what,
      method: "GET",
      url,
      responseType: "stream",
      // A big result streams for minutes: the timeout covers the wait for the answer's start.
      timeout: Math.max(options.timeoutMs ?? 60_000, 600_000),
      signal,
    });
    return response.data;
  }

  return {
    apiUrl: `${options.shopUrl}${apiPath}`,
    request,
    download,
    servedVersion: () => served,
    throttleStatus: () => bucket?.status,
  };
}

/** `(requested − available) / restoreRate` seconds, as Shopify asks (stores.md §1.10); 1 s when unknown. */
export function throttleWaitMs(cost: ShopifyCost | undefined): number {
  if (!cost || typeof cost.requestedQueryCost !== "number" || cost.throttleStatus.restoreRate <= 0)
    return 1000;
  const missing = cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable;
  return Math.max(50, Math.ceil((missing / cost.throttleStatus.restoreRate) * 1000));
}

function headerOf(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = (response.headers as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const CODE_KINDS: Readonly<Record<string, ErrorKind>> = {
  ACCESS_DENIED: "auth",
  UNAUTHORIZED: "auth",
  FORBIDDEN: "auth",
  NOT_FOUND: "not_found",
  INTERNAL_SERVER_ERROR: "transient",
  SERVICE_UNAVAILABLE: "transient",
  TIMEOUT: "transient",
  MAX_COST_EXCEEDED: "rejected",
};

function graphqlError(
  operation: string,
  errors: readonly z.infer<typeof GraphqlErrorSchema>[],
  requestId: string | undefined,
): OmnifeedError {
  const first = errors[0]!;
  const code = first.extensions?.code;
  const kind: ErrorKind = (code !== undefined ? CODE_KINDS[code] : undefined) ?? "rejected";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  const path = first.path ? ` at ${first.path.join(".")}` : "";
  return new OmnifeedError(
    kind,
    `${SERVICE}: ${operation}: ${code ? `${code}: ` : ""}${first.message.trim()}${path}${more}`,
    {
      where: requestId ? `request id ${requestId}` : undefined,
    },
  );
}

/** HTTP-level errors: Shopify's 401 body, a 429 with the cost extension, 5xx pages. */
function readError(
  response: AxiosResponse,
): { kind: ErrorKind; message: string; retryAfterMs?: number } | undefined {
  const data: unknown = response.data;
  if (response.status === 429) {
    const parsed = AnswerSchema.safeParse(data);
    const cost = parsed.success ? parsed.data.extensions?.cost : undefined;
    return { kind: "rate_limited", message: "HTTP 429 Throttled", retryAfterMs: throttleWaitMs(cost) };
  }
  if (response.status === 401 || response.status === 403) {
    const text =
      typeof data === "object" && data !== null && typeof (data as { errors?: unknown }).errors === "string"
        ? (data as { errors: string }).errors
        : `HTTP ${response.status}`;
    // Shopify's 401 text names the problem, never the token.
    return { kind: "auth", message: text };
  }
  if (response.status === 404) {
    // The API path: the shop or version is wrong; elsewhere (a bulk result URL): the file is gone.
    const api = String(response.config.url ?? "").includes("/graphql.json");
    return { kind: "not_found", message: api ? "HTTP 404 (wrong shop_url or api_version?)" : "HTTP 404" };
  }
  return undefined;
}
