/**
 * A token bucket for one outside account (and operation): `take` waits until a call may be made.
 * The Redis-backed limiter is shared by every process publishing to the account, so together they
 * never exceed the limit (ARCHITECTURE.md invariant 6); the in-memory one is for the embedded mode.
 */
export interface RateLimiter {
  /** Waits for `cost` tokens (default 1). Rejects with the signal's reason when aborted. */
  take(cost?: number, signal?: AbortSignal): Promise<void>;
  /**
   * The channel answered 429 or told us to slow down: no call for `waitMs` (Retry-After, Meta's
   * `estimated_time_to_regain_access`), across every process sharing the bucket.
   */
  pause(waitMs: number): Promise<void>;
  /** The channel reported its current limit (`x-amzn-RateLimit-Limit`, calls per second). */
  observeLimit?(perSecond: number): void;
}

export interface RateLimit {
  /** Calls per second, sustained. */
  perSecond: number;
  /** Calls that may go at once after a quiet spell. */
  burst: number;
}
