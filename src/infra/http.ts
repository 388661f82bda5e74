import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from "axios";
import { OmnifeedError, type ErrorKind } from "../core/errors.js";
import type { RateLimiter } from "./rate-limit.js";
import { abortableSleep as sleep } from "./rate-limiters.js";

/** How a channel reads its own error bodies: the kind, a message safe to show, a wait if told. */
export interface HttpErrorReading {
  kind: ErrorKind;
  message: string;
  retryAfterMs?: number;
}

export interface HttpClientOptions {
  /** The outside API's name, for messages: `Google Merchant API`. */
  service: string;
  baseURL: string;
  /** The account's token bucket; every attempt takes a token. */
  limiter?: RateLimiter | undefined;
  /** Attempts per request, the first included (default 6). */
  attempts?: number;
  /** First backoff step (default 250 ms); doubled per attempt, with full jitter, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Reads the channel's error body; the default reads the HTTP status alone. */
  readError?: (response: AxiosResponse) => HttpErrorReading | undefined;
  /** Called with every response's headers (rate-limit headers, usage headers). */
  onHeaders?: (headers: Record<string, string | undefined>) => void;
}

export interface HttpRequest extends Omit<AxiosRequestConfig, "signal" | "validateStatus" | "baseURL"> {
  /** What the request is about, for messages: `productInputs.insert SKU-1`. Never a secret. */
  what: string;
  signal?: AbortSignal | undefined;
}

export interface HttpClient {
  /** Sends the request, waiting for the bucket and retrying transient errors and 429s. */
  request<T>(request: HttpRequest): Promise<AxiosResponse<T>>;
  readonly axios: AxiosInstance;
}

const STATUS_KINDS: Readonly<Record<number, ErrorKind>> = {
  400: "rejected",
  401: "auth",
  403: "auth",
  404: "not_found",
  409: "conflict",
  422: "rejected",
  429: "rate_limited",
};

/** The error kind of an HTTP status when the channel's body says nothing more. */
export function kindOfStatus(status: number): ErrorKind {
  return STATUS_KINDS[status] ?? (status >= 500 ? "transient" : "rejected");
}

/**
 * An HTTP client for one outside account: axios with the token bucket in front, retries with
 * exponential backoff and full jitter for transient errors, waits as told on 429 (and pauses the
 * shared bucket so other processes wait too). Errors become OmnifeedError with the method, path,
 * status and request id only: headers and bodies of requests carry tokens and never reach a
 * message or a log.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const instance = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 60_000,
    validateStatus: () => true,
  });
  const attempts = options.attempts ?? 6;
  const baseDelay = options.baseDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 30_000;

  async function request<T>(req: HttpRequest): Promise<AxiosResponse<T>> {
    const { what, signal, ...config } = req;
    for (let attempt = 1; ; attempt += 1) {
      await options.limiter?.take(1, signal);
      let response: AxiosResponse<T>;
      try {
        response = await instance.request<T>({ ...config, ...(signal ? { signal } : {}) });
      } catch (error) {
        signal?.throwIfAborted();
        const reason = networkReason(error);
        if (attempt >= attempts) {
          throw new OmnifeedError("transient", `${options.service}: ${what}: ${reason}`, {
            where: describe(config),
          });
        }
        await sleep(backoff(attempt, baseDelay, maxDelay), signal);
        continue;
      }
      options.onHeaders?.(flatHeaders(response.headers));
      if (response.status < 300) return response;
      const reading = options.readError?.(response) ?? {
        kind: kindOfStatus(response.status),
        message: `HTTP ${response.status}`,
      };
      const retryAfterMs = reading.retryAfterMs ?? retryAfterOf(response.headers["retry-after"]);
      if (reading.kind === "rate_limited") {
        const wait = retryAfterMs ?? backoff(attempt, baseDelay, maxDelay);
        await options.limiter?.pause(wait);
        if (attempt < attempts) {
          await sleep(wait, signal);
          continue;
        }
      } else if (reading.kind === "transient" && attempt < attempts) {
        await sleep(retryAfterMs ?? backoff(attempt, baseDelay, maxDelay), signal);
        continue;
      }
      const requestId = requestIdOf(response.headers);
      throw new OmnifeedError(reading.kind, `${options.service}: ${what}: ${reading.message}`, {
        where: `${describe(config)} → ${response.status}${requestId ? ` (request id ${requestId})` : ""}`,
        retryAfterMs,
      });
    }
  }

  return { request, axios: instance };
}

/** Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` in seconds or as an HTTP date → milliseconds. */
export function retryAfterOf(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// Method and path only: the query may hold an access token (Meta takes `access_token` there).
function describe(config: AxiosRequestConfig): string {
  return `${(config.method ?? "GET").toUpperCase()} ${String(config.url ?? "").split("?")[0]}`;
}

function requestIdOf(headers: AxiosResponse["headers"]): string | undefined {
  for (const name of ["x-amzn-requestid", "x-fb-trace-id", "x-request-id", "x-guploader-uploadid"]) {
    const value: unknown = headers[name];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

function networkReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `network error ${code}` : "network error";
}

function flatHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    // Axios gives strings, or arrays of them for repeated headers (set-cookie).
    if (typeof value === "string" || typeof value === "number") flat[name.toLowerCase()] = String(value);
    else if (Array.isArray(value))
      flat[name.toLowerCase()] = value.filter((part) => typeof part === "string").join(", ");
  }
  return flat;
}
