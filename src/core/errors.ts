/**
 * The one error class of omnifeed. Its `kind` is a closed set that decides what happens next:
 * retries are decided once, at the job boundary, from the kind alone.
 */
export const ERROR_KINDS = [
  "config",
  "auth",
  "rejected",
  "rate_limited",
  "transient",
  "not_found",
  "conflict",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface OmnifeedErrorOptions {
  /** Where the problem is, e.g. `channel-mappings/google.yaml:12` or a request id. */
  where?: string;
  /** Only for `rate_limited`: how long the caller was told to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class OmnifeedError extends Error {
  readonly kind: ErrorKind;
  readonly where: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options: OmnifeedErrorOptions = {}) {
    super(options.where ? `${options.where}: ${message}` : message, { cause: options.cause });
    this.name = "OmnifeedError";
    this.kind = kind;
    this.where = options.where;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isOmnifeedError(error: unknown, kind?: ErrorKind): error is OmnifeedError {
  return error instanceof OmnifeedError && (kind === undefined || error.kind === kind);
}
