import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import type { SecretReader } from "./credentials.js";

/** What a marketplace needs from its host besides its config block. */
export interface MarketplaceDeps {
  /** Reads a secret by its environment variable name (`config/env.ts` `envValue` in production). */
  secret: SecretReader;
  /**
   * The token bucket of an operation of an account (`amazon:A1…:orders:get_order`): the shared
   * Redis bucket for workers; an in-process one when absent.
   */
  limiterFor?: ((key: string, limit: RateLimit) => RateLimiter) | undefined;
  /** Attempts per call and backoff (tests make them short). */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } | undefined;
}
