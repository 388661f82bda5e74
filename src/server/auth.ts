import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { OmnifeedError } from "../core/errors.js";
import { errorBody } from "./errors.js";

/**
 * Who may read hosted feeds, metrics, Bull Board and the console. Secrets are already resolved
 * (from the environment or a file); at least one way in must be set.
 */
export interface ServerAuth {
  /** Accepted as `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string | undefined;
  /** Accepted as HTTP basic auth (what a browser asks for). */
  basic?: { user: string; password: string } | undefined;
}

/** SHA-256 digests have one length, so `timingSafeEqual` compares any two secrets in equal time. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** The values a request offers: a bearer token, a `token` query parameter, basic credentials. */
interface OfferedCredentials {
  bearer: string | undefined;
  query: string | undefined;
  basic: { user: string; password: string } | undefined;
}

function offeredBy(request: FastifyRequest): OfferedCredentials {
  const header = request.headers.authorization ?? "";
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  let basic: OfferedCredentials["basic"];
  if (scheme.toLowerCase() === "basic" && value !== "") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) basic = { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  return {
    bearer: scheme.toLowerCase() === "bearer" && value !== "" ? value : undefined,
    query: typeof query === "string" && query !== "" ? query : undefined,
    basic,
  };
}

/**
 * True when the request carries a credential `auth` accepts. Every offered credential is
 * checked (no early return on the first mismatch), so the answer's timing does not say which
 * part was wrong.
 */
export function isAuthorized(request: FastifyRequest, auth: ServerAuth): boolean {
  const offered = offeredBy(request);
  let ok = false;
  if (auth.token !== undefined) {
    if (offered.bearer !== undefined && sameSecret(offered.bearer, auth.token)) ok = true;
    if (offered.query !== undefined && sameSecret(offered.query, auth.token)) ok = true;
  }
  if (auth.basic !== undefined && offered.basic !== undefined) {
    const user = sameSecret(offered.basic.user, auth.basic.user);
    const password = sameSecret(offered.basic.password, auth.basic.password);
    if (user && password) ok = true;
  }
  return ok;
}

/** Refuses an auth that lets nobody in: the server would otherwise serve nothing, or everything. */
export function checkServerAuth(auth: ServerAuth | "none"): void {
  if (auth === "none") return;
  const token = auth.token !== undefined && auth.token !== "";
  const basic = auth.basic !== undefined && auth.basic.user !== "" && auth.basic.password !== "";
  if (!token && !basic) {
    throw new OmnifeedError("config", "server auth: set a token or a basic user and password");
  }
}

/** The challenges of a 401: Bearer always, Basic when configured (browsers then ask for it). */
export function challengesFor(auth: ServerAuth): string[] {
  const challenges = ['Bearer realm="omnifeed"'];
  if (auth.basic !== undefined) challenges.push('Basic realm="omnifeed", charset="UTF-8"');
  return challenges;
}

/**
 * An `onRequest` hook that answers 401 unless the request is authorized. It answers itself
 * rather than throwing: a plugin in the scope (Bull Board) may set its own error handler, which
 * would turn the refusal into a 500.
 */
export function requireAuth(auth: ServerAuth) {
  const challenges = challengesFor(auth);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (isAuthorized(request, auth)) return undefined;
    return reply
      .code(401)
      .header("www-authenticate", challenges)
      .send(errorBody(request, "auth", "missing or wrong credentials"));
  };
}
