import { pino, type DestinationStream, type Level, type Logger } from "pino";

/**
 * The structured logger of long-running processes (`omnifeed serve`, workers): JSON lines with
 * request ids. Secrets and buyer data never reach a log (ARCHITECTURE.md invariant 9), so the
 * logger removes them itself rather than trusting every call site.
 */

export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: Level | "silent";
  /** Shown as `name` on every line (`omnifeed-server`, `omnifeed-worker`). */
  name?: string;
  /** Where lines go (default stdout); tests pass a stream that collects them. */
  destination?: DestinationStream;
}

/** Keys whose values are secrets wherever they appear (top level or one object down). */
const SECRET_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "token",
  "accessToken",
  "access_token",
  "password",
  "secret",
  "x-shopify-hmac-sha256",
  "x-api-key",
];

/** Keys that hold a buyer's personal data, wherever they appear (top level or one object down). */
const BUYER_KEYS = ["buyer", "email", "phone", "address", "buyerInfo", "shippingAddress"];

/** A person's name is buyer data only under an order or a shipment (a product has a name too). */
const BUYER_NAME_PATHS = ["order.name", "shipping.name", "*.order.name", "*.shipping.name"];

const CENSOR = "[redacted]";

function quoted(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

function join(parent: string, key: string): string {
  const part = quoted(key);
  return part.startsWith("[") ? `${parent}${part}` : `${parent}.${part}`;
}

/** pino `redact` paths: each key at the top, one level down, and in request/response headers. */
export const REDACT_PATHS: readonly string[] = [
  ...[...SECRET_KEYS, ...BUYER_KEYS].flatMap((key) => [
    quoted(key),
    join("*", key),
    join("req.headers", key),
    join("res.headers", key),
    join("headers", key),
  ]),
  ...BUYER_NAME_PATHS,
];

/** `token=…` (also `access_token=`, any case) in a URL's query, with its value replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&][^=&#]*token=)[^&#]*/gi, `$1${CENSOR}`);
}

/** Amazon request-signing headers (`x-amz-security-token`, `x-amz-date`…) have no fixed names. */
function withoutAmzHeaders(headers: unknown): unknown {
  if (headers === null || typeof headers !== "object") return headers;
  const entries = Object.entries(headers as Record<string, unknown>);
  if (!entries.some(([key]) => key.toLowerCase().startsWith("x-amz-"))) return headers;
  return Object.fromEntries(
    entries.map(([key, value]) => [key, key.toLowerCase().startsWith("x-amz-") ? CENSOR : value]),
  );
}

/** The fields of an incoming request that a log line needs, with the URL's token removed. */
export interface LoggedRequest {
  method: string;
  url: string;
  remoteAddress: string | undefined;
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string | undefined } | null;
}

/**
 * Serializes a request for a log line: method, URL without token values, peer address; never
 * the headers (they carry Authorization and cookies). Feed URLs carry `?token=` because many feed
 * fetchers cannot send a header.
 */
export function serializeRequest(request: RequestLike): LoggedRequest {
  return {
    method: request.method ?? "",
    url: redactUrl(request.url ?? ""),
    remoteAddress: request.ip ?? request.socket?.remoteAddress ?? undefined,
  };
}

/**
 * A pino logger whose output never holds a secret or a buyer's data: `redact` replaces the
 * values of the secret keys (authorization, cookie, HMAC signatures, tokens, passwords) and of
 * the buyer keys (buyer, email, phone, address, and name under an order or a shipment) at the top
 * of a line and one level down, `x-amz-*` headers are replaced, and requests are logged by
 * `serializeRequest` (no headers, no token in the URL).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      ...(options.name === undefined ? {} : { name: options.name }),
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: {
        req: (request: RequestLike) => serializeRequest(request),
        err: pino.stdSerializers.err,
      },
      formatters: {
        log: (object) => {
          if (!("headers" in object)) return object;
          return { ...object, headers: withoutAmzHeaders(object.headers) };
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
