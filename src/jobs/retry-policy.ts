import { isOmnifeedError } from "../core/errors.js";
import type { ErrorKind } from "../core/errors.js";

/**
 * Retry is decided once, here, from the error's kind alone (ARCHITECTURE.md): a transient failure
 * is tried again with backoff; a rate limit waits as long as the channel said; anything a retry
 * cannot fix (bad config, refused credentials, a conflict) fails at once with its reason.
 */
export type RetryDecision =
  { action: "backoff" } | { action: "wait"; waitMs: number } | { action: "give_up" };

/** When a channel gave no Retry-After, how long the lane pauses after a 429 reached the job. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;

export function retryDecisionFor(error: unknown): RetryDecision {
  const kind = errorKindOf(error);
  if (kind === "transient" || kind === "unknown") return { action: "backoff" };
  if (kind === "rate_limited") {
    const told = isOmnifeedError(error) ? error.retryAfterMs : undefined;
    return { action: "wait", waitMs: told ?? DEFAULT_RATE_LIMIT_WAIT_MS };
  }
  return { action: "give_up" };
}

/** The error's kind; errors that are not omnifeed's (a bug, a socket) are `unknown` and retried. */
export function errorKindOf(error: unknown): ErrorKind | "unknown" {
  return isOmnifeedError(error) ? error.kind : "unknown";
}
