import type { AxiosResponse } from "axios";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError } from "../core/errors.js";
import type { HttpClient, HttpErrorReading } from "./http.js";
import { createHttpClient, kindOfStatus } from "./http.js";
import type { RateLimiter } from "./rate-limit.js";

/**
 * The Selling Partner API plumbing every Amazon part shares: the Login with Amazon token (cached,
 * refreshed before it expires, one refresh for concurrent callers), the `x-amz-access-token`
 * header, Amazon's error envelope and the `x-amzn-RateLimit-Limit` answers fed to each
 * operation's token bucket. The listings channel (src/channels/amazon/client.ts) and the orders
 * marketplace (src/marketplaces/amazon/client.ts) each build their operations on one of these.
 * Hand-written over axios (`infra/http.ts`): adr/0015 and adr/0026 say why.
 */

const SERVICE = "Amazon SP-API";

// Refresh the access token this long before it expires, so no call goes out with a dying one.
const TOKEN_MARGIN_MS = 60_000;

/** The LWA application credentials and the seller's refresh token; never logged, never in messages. */
export interface SpApiCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface SpApiOptions {
  apiUrl: string;
  lwaUrl: string;
  /** The credentials, or how to read them on the first call (secrets from files are read late). */
  credentials: SpApiCredentials | (() => Promise<SpApiCredentials>);
  /** Attempts per request (default 6) and the backoff's base and cap; tests make them short. */
  attempts?: number | undefined;
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  /** A clock for token expiry (tests). */
  now?: (() => number) | undefined;
}

/** The token bucket of the operation and the caller's cancellation. */
export interface SpApiCallOptions {
  limiter: RateLimiter;
  signal: AbortSignal;
}

export interface SpApiRequest {
  /** What the call is about, for messages: `getOrder 113-…`. Never a secret. */
  what: string;
  method: string;
  url: string;
  params?: Record<string, string> | undefined;
  data?: unknown;
}

export interface SpApiClient {
  /** Sends one SP-API call with a fresh token and reads its answer with `schema` (204 reads `""`). */
  call<T>(schema: z.ZodType<T>, request: SpApiRequest, options: SpApiCallOptions): Promise<T>;
  /** The retry settings the client was made with, for companion clients (presigned URLs). */
  readonly retry: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
}

const TokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive() });

const ErrorListSchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string(), details: z.string().optional() })),
});
const LwaErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

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

export function createSpApiClient(options: SpApiOptions): SpApiClient {
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
  // One HTTP client per token bucket (an operation, or a run's bucket), each remembering the
  // limit Amazon last reported for it: the wait after a 429 is one token at that limit.
  const apis = new WeakMap<RateLimiter, HttpClient>();
  let token: { value: string; expiresAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;

  function api(limiter: RateLimiter): HttpClient {
    let client = apis.get(limiter);
    if (!client) {
      let lastLimit: number | undefined;
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
    const { clientId, clientSecret, refreshToken } =
      typeof options.credentials === "function" ? await options.credentials() : options.credentials;
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
    request: SpApiRequest,
    { limiter, signal }: SpApiCallOptions,
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

  return { call, retry };
}
