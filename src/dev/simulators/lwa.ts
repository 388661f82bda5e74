import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpAnswer, isRecord } from "./json-server.js";

/**
 * Login with Amazon and the SP-API's shared answers, for the simulators that stand for Amazon
 * (listings and feeds in amazon.ts, orders in amazon-orders.ts): one token store per address,
 * the refresh-token grant with LWA's errors (reference §1.1), the `x-amz-access-token` check, and
 * the `{"errors":[…]}` envelope with the failures a test can inject.
 */

/** The simulated LWA application and seller (same for every Amazon simulator). */
export const AMAZON_SIMULATOR_CREDENTIALS = {
  clientId: "amzn1.application-oa2-client.simulator",
  clientSecret: "amzn1.oa2-cs.v1.simulator-secret-0f3c",
  refreshToken: "Atzr|simulator-refresh-token-7d1e",
} as const;

/** SP-API's error envelope: `{"errors":[{code, message, details?}]}`. */
export function spApiErrors(status: number, code: string, message: string, details?: string): HttpAnswer {
  return new HttpAnswer(status, {
    errors: [{ code, message, ...(details !== undefined ? { details } : {}) }],
  });
}

/** What Amazon answers for an injected failure (`failNext`). */
export function injectedFailure(status: 429 | 500 | 502 | 503): HttpAnswer {
  if (status === 429)
    return spApiErrors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.");
  return status === 500
    ? spApiErrors(500, "InternalFailure", "We encountered an internal error. Please try again.")
    : spApiErrors(status, "ServiceUnavailable", "Service temporarily unavailable. Please try again.");
}

export interface LwaTokens {
  /** `POST /auth/o2/token` (a form or JSON body). */
  grant(body: unknown): HttpAnswer;
  /** The 403 for a missing, unknown or expired `x-amz-access-token`; undefined when it is good. */
  unauthorized(request: IncomingMessage): HttpAnswer | undefined;
  issued(): string[];
  revoke(): void;
}

export function createLwaTokens(lifetimeSeconds: number): LwaTokens {
  const tokens = new Map<string, number>();
  return {
    grant(body) {
      const form = isRecord(body) ? body : {};
      const credentials = AMAZON_SIMULATOR_CREDENTIALS;
      if (form.grant_type !== "refresh_token")
        return new HttpAnswer(400, {
          error: "unsupported_grant_type",
          error_description: "The authorization grant type is not supported by the authorization server",
        });
      if (form.client_id !== credentials.clientId || form.client_secret !== credentials.clientSecret)
        return new HttpAnswer(401, {
          error: "invalid_client",
          error_description: "Client authentication failed",
        });
      if (form.refresh_token !== credentials.refreshToken)
        return new HttpAnswer(400, {
          error: "invalid_grant",
          error_description: "The request has an invalid grant parameter : refresh_token",
        });
      const accessToken = `Atza|IQEB${randomUUID().replaceAll("-", "")}`;
      tokens.set(accessToken, Date.now() + lifetimeSeconds * 1000);
      return new HttpAnswer(200, {
        access_token: accessToken,
        token_type: "bearer",
        expires_in: lifetimeSeconds,
        refresh_token: credentials.refreshToken,
      });
    },
    unauthorized(request) {
      const given = request.headers["x-amz-access-token"];
      const expiresAt = typeof given === "string" ? tokens.get(given) : undefined;
      const denied = "Access to requested resource is denied.";
      if (expiresAt === undefined)
        return spApiErrors(
          403,
          "Unauthorized",
          denied,
          "The access token you provided is revoked, malformed or invalid.",
        );
      if (expiresAt <= Date.now())
        return spApiErrors(403, "Unauthorized", denied, "The access token you provided has expired.");
      return undefined;
    },
    issued: () => [...tokens.keys()],
    revoke: () => tokens.clear(),
  };
}
