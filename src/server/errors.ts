import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isOmnifeedError, type ErrorKind } from "../core/errors.js";

/**
 * Every error answer has one shape, `{ error: { code, message, requestId } }`, so a client (and
 * an operator reading a feed fetcher's report) can quote the request id and find the log line.
 */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  config: 500,
  auth: 401,
  rejected: 400,
  rate_limited: 429,
  transient: 503,
  not_found: 404,
  conflict: 409,
};

export function errorBody(request: FastifyRequest, code: string, message: string): ErrorBody {
  return { error: { code, message, requestId: request.id } };
}

/**
 * Turns a thrown error into a coded answer. An OmnifeedError's kind gives the status; fastify's
 * own errors (body too large, bad JSON) keep their status and code; anything else is a 500 whose
 * message is not shown (it may name files or carry what a client must not see) but is logged.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): ErrorBody {
  if (isOmnifeedError(error)) {
    const status = STATUS_BY_KIND[error.kind];
    if (status >= 500) request.log.error({ err: error }, "request failed");
    reply.status(status);
    if (error.kind === "rate_limited" && error.retryAfterMs !== undefined) {
      reply.header("retry-after", String(Math.ceil(error.retryAfterMs / 1000)));
    }
    return errorBody(request, error.kind, status >= 500 ? "internal error" : error.message);
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    reply.status(status);
    return errorBody(request, fastifyError.code ?? "bad_request", fastifyError.message ?? "bad request");
  }
  request.log.error({ err: error }, "request failed");
  reply.status(500);
  return errorBody(request, "internal", "internal error");
}
