import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { OmnifeedError } from "../core/errors.js";

/**
 * The order lock both ledger backends share: take atomically if free or lapsed, renew on a timer
 * while the import runs, release only if still ours. A killed worker's lock lapses after the
 * lease (adr/0027: 60 s, far longer than one store create, short enough that a retry after a
 * crash is not held up for long).
 */

export const DEFAULT_ORDER_LOCK_TTL_MS = 60_000;
export const DEFAULT_ORDER_LOCK_WAIT_MS = 30_000;

/** A unique token per lock call: `<pid>@<host>#<uuid>`, readable in a conflict message. */
export function newLockToken(): string {
  return `${process.pid}@${hostname()}#${randomUUID()}`;
}

export interface OrderLockSteps {
  /** Takes the lock if free or lapsed; else returns the holder's token when known. */
  take(
    token: string,
    ttlMs: number,
  ): Promise<{ taken: true } | { taken: false; holder?: string | undefined }>;
  /** Extends the lock if still ours; false when it lapsed and another took it. */
  renew(token: string, ttlMs: number): Promise<boolean>;
  release(token: string): Promise<void>;
}

export async function runWithOrderLock<T>(
  name: string,
  steps: OrderLockSteps,
  task: () => Promise<T>,
  options: { ttlMs?: number | undefined; waitMs?: number | undefined } = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_ORDER_LOCK_TTL_MS;
  const waitMs = options.waitMs ?? DEFAULT_ORDER_LOCK_WAIT_MS;
  if (!(ttlMs >= 100))
    throw new OmnifeedError("config", `order lock ttl must be at least 100 ms (got ${ttlMs})`);
  const token = newLockToken();
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt += 1) {
    const result = await steps.take(token, ttlMs);
    if (result.taken) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      const holder = result.holder ? ` (held by pid ${result.holder.split("#")[0]})` : "";
      throw new OmnifeedError(
        "conflict",
        `another worker is handling this order${holder}; waited ${waitMs} ms`,
        {
          where: name,
        },
      );
    }
    const ceiling = Math.min(250, 20 * 2 ** attempt);
    await sleep(Math.min(left, ceiling / 2 + Math.random() * (ceiling / 2)));
  }
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        if (lost) return;
        try {
          if (!(await steps.renew(token, ttlMs))) lost = true;
        } catch {
          // Tried again at the next tick; only a lock found taken counts as lost.
        }
      });
    },
    Math.max(30, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  try {
    const value = await task();
    await renewing;
    if (lost) {
      // The store-side lookup still keeps the store at one order; the caller retries and finds it.
      throw new OmnifeedError("conflict", "the order lock lapsed while the order was handled", {
        where: name,
      });
    }
    return value;
  } finally {
    clearInterval(timer);
    await renewing;
    try {
      if (!lost) await steps.release(token);
    } catch {
      // The ledger was closed or cut off: the lease lapses by itself.
    }
  }
}
