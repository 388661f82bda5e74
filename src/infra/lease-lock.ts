import { setTimeout as sleep } from "node:timers/promises";
import { OmnifeedError } from "../core/errors.js";

/**
 * A lock held by lease, the protocol the publishing state and the order ledger share: take
 * (atomically, only if free or lapsed), renew on a timer while the task runs, release in
 * `finally` only if still ours. A holder that dies loses the lock when its lease lapses. Each
 * backend (SQLite, Redis) supplies the three atomic steps; the waiting, renewing and the errors'
 * shape live here once. The owner is whatever the backend stores as the holder.
 */

/** The steps of one backend, each atomic there. */
export interface LeaseSteps<Owner, Holder> {
  /** Takes the lock if free or lapsed; otherwise says who holds it (when it can tell). */
  take(owner: Owner, ttlMs: number): Promise<{ taken: true } | { taken: false; holder?: Holder | undefined }>;
  /** Extends the lock if still ours; false when it lapsed and another took it. */
  renew(owner: Owner, ttlMs: number): Promise<boolean>;
  /** Deletes the lock if still ours. */
  release(owner: Owner): Promise<void>;
}

export interface LeaseTerms<Holder> {
  ttlMs: number;
  waitMs: number;
  /** The error after waiting `waitMs` for a lock another holds. */
  busy(holder: Holder | undefined): OmnifeedError;
  /** The error when a renewal found the lock taken by another while the task ran. */
  lapsed(): OmnifeedError;
}

/** Polls between tries: short at first so a quick handover is quick, then gentler, with jitter. */
function pollDelay(attempt: number): number {
  const ceiling = Math.min(250, 20 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs `task` holding the lock as `owner`. A renewal that finds the lock taken by another means
 * two holders overlapped: the task's result is not trusted and `terms.lapsed()` is thrown after it
 * ends (its writes stand; the caller's own safeguards settle them).
 */
export async function runUnderLease<Owner, Holder, T>(
  owner: Owner,
  steps: LeaseSteps<Owner, Holder>,
  task: () => Promise<T>,
  terms: LeaseTerms<Holder>,
): Promise<T> {
  const { ttlMs, waitMs } = terms;
  if (!(ttlMs >= 100)) throw new OmnifeedError("config", `lock ttl must be at least 100 ms (got ${ttlMs})`);
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt += 1) {
    const result = await steps.take(owner, ttlMs);
    if (result.taken) break;
    const left = deadline - Date.now();
    if (left <= 0) throw terms.busy(result.holder);
    await sleep(Math.min(left, pollDelay(attempt)));
  }

  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  // A third of the ttl: two renewals can fail (a slow disk, a Redis failover) before the lock lapses.
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        if (lost) return;
        try {
          if (!(await steps.renew(owner, ttlMs))) lost = true;
        } catch {
          // A failed renewal is tried again at the next tick; only a lock found taken counts as lost.
        }
      });
    },
    Math.max(30, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  try {
    const value = await task();
    await renewing;
    if (lost) throw terms.lapsed();
    return value;
  } finally {
    clearInterval(timer);
    await renewing;
    try {
      if (!lost) await steps.release(owner);
    } catch {
      // The store was closed or cut off: the lock lapses by itself after its ttl, and the task's
      // own outcome (value or error) matters more than this.
    }
  }
}
