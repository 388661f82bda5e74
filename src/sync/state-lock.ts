import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { OmnifeedError } from "../core/errors.js";
import { runUnderLease, type LeaseSteps } from "../infra/lease-lock.js";

/**
 * The publishing state's lock per channel account: the lease protocol of src/infra/lease-lock.ts
 * (shared with the order ledger) with the state's timings and wording.
 */

/** How long a second publish to one account waits for the first before giving up (`conflict`). */
export const DEFAULT_LOCK_WAIT_MS = 30_000;
/** How long a holder that stopped renewing (killed, frozen, cut off) keeps the lock. */
export const DEFAULT_LOCK_TTL_MS = 30_000;

/** How a store's locks behave unless a `withLock` call says otherwise (`state.lock_*` of the config). */
export interface LockTiming {
  /** How long a holder that stopped renewing keeps the lock (ms). */
  ttlMs: number;
  /** How long a second taker waits before `conflict` (ms). */
  waitMs: number;
}

/** Who holds a lock: unique per `withLock` call, readable for the conflict message. */
export interface LockOwner {
  /** Unique token: two calls in one process never share it. */
  id: string;
  pid: number;
  host: string;
}

export function newLockOwner(): LockOwner {
  return { id: randomUUID(), pid: process.pid, host: hostname() };
}

/** The steps of one backend, each atomic there (take, renew, release; src/infra/lease-lock.ts). */
export type LockSteps = LeaseSteps<LockOwner, { pid: number; host: string }>;

/**
 * Runs `task` holding the lock of `scope`. A renewal that finds the lock taken by someone else
 * means two publishes overlapped: the task's result is then not trusted and `conflict` is thrown
 * after it ends (its writes stand; the next run's delta or a reconcile settles them).
 */
export async function runLocked<T>(
  scope: string,
  steps: LockSteps,
  task: () => Promise<T>,
  options: { waitMs?: number | undefined; ttlMs?: number | undefined } = {},
): Promise<T> {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const owner = newLockOwner();
  return runUnderLease(owner, steps, task, {
    ttlMs,
    waitMs,
    busy(holder) {
      const who = holder
        ? `pid ${holder.pid}${holder.host === owner.host ? "" : ` on ${holder.host}`}`
        : "holder unknown";
      return new OmnifeedError(
        "conflict",
        `${scope} is being published by another process (${who}); waited ${waitMs} ms for its lock`,
      );
    },
    lapsed: () =>
      new OmnifeedError(
        "conflict",
        `${scope}: the lock expired while publishing and another process took it; the two runs may have overlapped`,
      ),
  });
}
