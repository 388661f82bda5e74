import { z } from "zod";

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
  where?: string | undefined;
  /** Only for `rate_limited`: how long the caller was told to wait. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * Marks an OmnifeedError. Worker threads and job queues copy errors with structured clone, which
 * keeps only name, message and stack: the brand and kind travel as plain data (`toErrorData`).
 */
const BRAND = "omnifeed.error";

export class OmnifeedError extends Error {
  readonly brand = BRAND;
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

/**
 * True for an OmnifeedError (of `kind`, when given). Checks the brand, not the class, so an error
 * made by another copy of this module (the built `dist/` beside `src/` in tests) still counts.
 */
export function isOmnifeedError(error: unknown, kind?: ErrorKind): error is OmnifeedError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<OmnifeedError>;
  return (
    candidate.brand === BRAND &&
    (ERROR_KINDS as readonly unknown[]).includes(candidate.kind) &&
    (kind === undefined || candidate.kind === kind)
  );
}

/** An error as plain data, safe to post to another thread or store in a job's failure reason. */
export const ErrorDataSchema = z.object({
  brand: z.literal(BRAND).optional(),
  kind: z.enum(ERROR_KINDS).optional(),
  name: z.string(),
  message: z.string(),
  where: z.string().optional(),
  retryAfterMs: z.number().optional(),
  stack: z.string().optional(),
});
export type ErrorData = z.infer<typeof ErrorDataSchema>;

/** Any thrown value as data; an OmnifeedError keeps its brand, kind, where and retryAfterMs. */
export function toErrorData(error: unknown): ErrorData {
  if (isOmnifeedError(error)) {
    return {
      brand: BRAND,
      kind: error.kind,
      name: error.name,
      message: error.message,
      ...(error.where !== undefined && { where: error.where }),
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
      ...(error.stack !== undefined && { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack !== undefined && { stack: error.stack }),
    };
  }
  return { name: "Error", message: String(error) };
}

/** The error `toErrorData` described: an OmnifeedError of the same kind, or a plain Error. */
export function fromErrorData(value: unknown): Error {
  const parsed = ErrorDataSchema.safeParse(value);
  if (!parsed.success) return new Error(`an error that could not be read: ${JSON.stringify(value)}`);
  const data = parsed.data;
  let error: Error;
  if (data.brand === BRAND && data.kind !== undefined) {
    // The message already carries the `where: ` prefix; give it back without doubling it.
    const prefix = data.where !== undefined ? `${data.where}: ` : "";
    const reason = data.message.startsWith(prefix) ? data.message.slice(prefix.length) : data.message;
    error = new OmnifeedError(data.kind, reason, { where: data.where, retryAfterMs: data.retryAfterMs });
  } else {
    error = new Error(data.message);
    error.name = data.name;
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

/**
 * Error codes of a disk or path that cannot take the write: full, over quota, read-only,
 * forbidden, or a folder that is missing or is a file. Retrying changes nothing until someone
 * frees space or fixes the path or its permissions, so they are not `transient` but `config`
 * (the operator's setup needs a change; the CLI exits 2).
 */
const DISK_SETUP_CODES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EACCES",
  "EPERM",
  "ENOENT",
  "ENOTDIR",
  "EISDIR",
]);

/** The kind for a failed file-system write: `config` when the disk must be fixed first, else `transient`. */
export function writeErrorKind(error: unknown): ErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DISK_SETUP_CODES.has(code) ? "config" : "transient";
}
