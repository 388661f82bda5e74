import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { OmnifeedError } from "../core/errors.js";
import { runUnderLease, type LeaseSteps } from "../infra/lease-lock.js";

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

/** Take, renew and release of one backend, the owner a token from `newLockToken` (src/infra/lease-lock.ts). */
export type OrderLockSteps = LeaseSteps<string, string>;

export async function runWithOrderLock<T>(
  name: string,
  steps: OrderLockSteps,
  task: () => Promise<T>,
  options: { ttlMs?: number | undefined; waitMs?: number | undefined } = {},
): Promise<T> {
  const waitMs = options.waitMs ?? DEFAULT_ORDER_LOCK_WAIT_MS;
  return runUnderLease(newLockToken(), steps, task, {
    ttlMs: options.ttlMs ?? DEFAULT_ORDER_LOCK_TTL_MS,
    waitMs,
    busy(holder) {
      const who = holder ? ` (held by pid ${holder.split("#")[0]})` : "";
      return new OmnifeedError(
        "conflict",
        `another worker is handling this order${who}; waited ${waitMs} ms`,
        {
          where: name,
        },
      );
    },
    // The store-side lookup still keeps the store at one order; the caller retries and finds it.
    lapsed: () =>
      new OmnifeedError("conflict", "the order lock lapsed while the order was handled", { where: name }),
  });
}
