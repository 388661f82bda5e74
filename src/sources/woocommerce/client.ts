import type { AxiosResponse } from "axios";
import type { z } from "zod";
import { isOmnifeedError, OmnifeedError } from "../../core/errors.js";
import { createHttpClient, kindOfStatus, type HttpClient, type HttpErrorReading } from "../../infra/http.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import { abortableSleep } from "../../infra/rate-limiters.js";
import { WooErrorBodySchema } from "./api.js";
import type { WooCommerceConnection } from "./options.js";

/**
 * Every HTTP call to a WooCommerce store (REST v3 and the Shipment Tracking extension), on
 * `infra/http`: backoff on network errors and 5xx, waits as told on 429/503 `Retry-After`,
 * WooCommerce's `{code, message, data.status}` bodies read into an error kind. The consumer key
 * and secret go by HTTP Basic, or as query parameters where a server strips `Authorization`
 * (stores.md §2.1); messages carry the method and path only, never the query or a header.
 * Requests in flight are capped (`concurrency`): WordPress hosts rate-limit at the firewall.
 */

const SERVICE = "WooCommerce";

/** The query of one request; `undefined` values are left out. */
export type WooQuery = Record<string, string | number | boolean | undefined>;

export interface WooRequest {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Below `<url>/wp-json`: `/wc/v3/products`, `/wc-shipment-tracking/v3/orders/12/shipment-trackings`. */
  path: string;
  query?: WooQuery;
  body?: unknown;
  /** What the call is about, for messages (`products page 3`); never a secret or buyer data. */
  what: string;
  signal?: AbortSignal | undefined;
  /**
   * False for calls that must not be repeated blindly (`POST /orders`: a timeout leaves the
   * outcome unknown). Such calls are sent once; only a 429, which WooCommerce answers before
   * doing anything, is waited out and sent again. The caller decides the rest.
   */
  retry?: boolean;
}

export interface WooAnswer<T> {
  data: T;
  /** `X-WP-Total` / `X-WP-TotalPages` of a list. */
  total: number | undefined;
  totalPages: number | undefined;
  /** Size of the body as received (for progress). */
  bytes: number;
}

export interface WooCommerceClient {
  /** `https://shop.example/wp-json/wc/v3`. */
  readonly apiUrl: string;
  /** `woocommerce:shop.example`, for messages and origins. */
  readonly label: string;
  /** Sends the request and parses its body with `schema`. */
  call<S extends z.ZodType>(request: WooRequest, schema: S): Promise<WooAnswer<z.infer<S>>>;
}

export interface WooCommerceClientOptions {
  /** Reads a secret by its environment variable name. */
  secret(name: string): string | undefined;
  /** A shared token bucket for the store, when the caller has one. */
  limiter?: RateLimiter | undefined;
  /** Tests shorten the backoff. */
  baseDelayMs?: number;
  attempts?: number;
}

export function wooLabel(connection: Pick<WooCommerceConnection, "url">): string {
  return `woocommerce:${new URL(connection.url).host}`;
}

export function createWooCommerceClient(
  connection: WooCommerceConnection,
  options: WooCommerceClientOptions,
): WooCommerceClient {
  const common = {
    service: SERVICE,
    baseURL: connection.url,
    limiter: options.limiter,
    timeoutMs: connection.timeout_ms,
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
  };
  let credentials: { key: string; secret: string } | undefined;
  const readError = (response: AxiosResponse) => readWooError(response, credentials);
  const retrying: HttpClient = createHttpClient({
    ...common,
    readError,
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
  });
  // Sent once; a 429 is turned into a wait-and-resend by `call` below.
  const once: HttpClient = createHttpClient({ ...common, readError, attempts: 1 });
  const gate = createGate(connection.concurrency);

  function signIn(): { key: string; secret: string } {
    if (credentials) return credentials;
    const key = options.secret(connection.consumer_key_env);
    const secret = options.secret(connection.consumer_secret_env);
    const missing = [
      ...(key ? [] : [connection.consumer_key_env]),
      ...(secret ? [] : [connection.consumer_secret_env]),
    ];
    if (missing.length > 0) {
      throw new OmnifeedError(
        "config",
        `the WooCommerce consumer key and secret are read from ${missing.join(" and ")}, which ${missing.length > 1 ? "are" : "is"} not set`,
        { where: "stores.woocommerce" },
      );
    }
    credentials = { key: key!, secret: secret! };
    return credentials;
  }

  async function call<S extends z.ZodType>(request: WooRequest, schema: S): Promise<WooAnswer<z.infer<S>>> {
    const { key, secret } = signIn();
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params[name] = String(value);
    }
    if (connection.auth === "query") Object.assign(params, { consumer_key: key, consumer_secret: secret });
    const config = {
      method: request.method ?? "GET",
      url: `/wp-json${request.path}`,
      params,
      what: request.what,
      signal: request.signal,
      ...(connection.auth === "basic" ? { auth: { username: key, password: secret } } : {}),
      ...(request.body !== undefined ? { data: request.body } : {}),
      // Keep the body text: its length is the progress figure, and a non-JSON page is reported.
      responseType: "text" as const,
      transformResponse: [(data: unknown) => data],
    };
    const response = await gate(async () => {
      if (request.retry !== false) return retrying.request<string>(config);
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await once.request<string>(config);
        } catch (error) {
          // A 429 means the store did nothing: wait as told and send again.
          if (!isOmnifeedError(error, "rate_limited") || attempt >= 6) throw error;
          await abortableSleep(error.retryAfterMs ?? 1000 * attempt, request.signal);
        }
      }
    });
    const text = typeof response.data === "string" ? response.data : "";
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw notWooCommerce(request, "the answer is not JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw notWooCommerce(
        request,
        `unexpected answer: ${issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "does not match"}`,
      );
    }
    return {
      data: parsed.data,
      total: headerNumber(response.headers["x-wp-total"]),
      totalPages: headerNumber(response.headers["x-wp-totalpages"]),
      bytes: Buffer.byteLength(text),
    };
  }

  return { apiUrl: `${connection.url}/wp-json/wc/v3`, label: wooLabel(connection), call };
}

function notWooCommerce(request: WooRequest, reason: string): OmnifeedError {
  // A WordPress without pretty permalinks answers /wp-json/… with its home page (HTML, 200).
  return new OmnifeedError(
    "config",
    `${SERVICE}: ${request.what}: ${reason} — is the url a WordPress site with WooCommerce and pretty permalinks?`,
    { where: `${request.method ?? "GET"} /wp-json${request.path}` },
  );
}

/**
 * WooCommerce's error body → a kind and a message. The codes say more than the status: a 401
 * `woocommerce_rest_authentication_error` is a bad key, `rest_invalid_param` a request omnifeed
 * got wrong, `*_invalid_id` a record that is gone. A 501 from a firewall (ModSecurity refusing
 * PUT/DELETE) will not pass on a retry.
 */
export function readWooError(
  response: AxiosResponse,
  credentials?: { key: string; secret: string },
): HttpErrorReading {
  const status = response.status;
  let body: unknown = response.data;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const parsed = WooErrorBodySchema.safeParse(body);
  let kind = kindOfStatus(status);
  let message = `HTTP ${status}`;
  if (status === 501) {
    kind = "rejected";
    message = "HTTP 501: the server refused the method (a firewall such as ModSecurity blocking PUT/DELETE?)";
  }
  if (parsed.success) {
    const { code, data } = parsed.data;
    const params = data?.params
      ? ` (${Object.entries(data.params)
          .map(([name, reason]) => `${name}: ${typeof reason === "string" ? reason : JSON.stringify(reason)}`)
          .join("; ")})`
      : "";
    message = `${status} ${code}: ${parsed.data.message}${params}`;
    if (/authentication|cannot_(view|create|edit|delete|batch)|forbidden/.test(code) && status < 500)
      kind = "auth";
    else if (/invalid_id$/.test(code) || code === "rest_no_route") kind = "not_found";
    else if (/invalid_param|missing_callback_param|required|invalid_json/.test(code)) kind = "rejected";
  }
  if (status === 429) kind = "rate_limited";
  return { kind, message: redact(message, credentials) };
}

/** WooCommerce never echoes a key, but a plugin's error text might: take them out. */
function redact(message: string, credentials: { key: string; secret: string } | undefined): string {
  if (!credentials) return message;
  return message.split(credentials.secret).join("[redacted]").split(credentials.key).join("[redacted]");
}

function headerNumber(value: unknown): number | undefined {
  const number = Number(value);
  return value === undefined || value === null || value === "" || !Number.isFinite(number)
    ? undefined
    : number;
}

/** At most `limit` calls in flight; the rest wait their turn in order. */
function createGate(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    // A finished call hands its slot straight to the next in line, so no newcomer slips in between.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
