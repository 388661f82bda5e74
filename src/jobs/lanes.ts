/**
 * Lanes are separate BullMQ queues, each with its own workers and concurrency, so hours of bulk
 * catalog work never delay an order, a tracking number or a stock change (ARCHITECTURE.md
 * invariant 6).
 */
export const LANES = ["bulk", "fast"] as const;
export type Lane = (typeof LANES)[number];

/** Jobs of one lane a worker process runs at once, unless `lanes.<lane>.concurrency` says otherwise. */
export const DEFAULT_LANE_CONCURRENCY: Readonly<Record<Lane, number>> = { bulk: 1, fast: 4 };

/** The BullMQ queue of a lane. */
export function queueNameOf(lane: Lane): string {
  return `omnifeed-${lane}`;
}

/** BullMQ's key prefix under omnifeed's own (`OMNIFEED_REDIS_PREFIX`), e.g. `omnifeed:bull`. */
export function bullPrefixOf(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

export function isLane(name: string): name is Lane {
  return (LANES as readonly string[]).includes(name);
}

/**
 * The Redis prefix of one installation: `OMNIFEED_REDIS_PREFIX` then the config's workspace, as
 * for its publishing state. Queues, schedules, run history and heartbeats live under it, so two
 * catalogs can share a Redis (and their accounts' token buckets, which are keyed by account under
 * the base prefix) without taking each other's jobs.
 */
export function installationPrefixOf(redisPrefix: string, workspace: string | undefined): string {
  return `${redisPrefix}${workspace ?? "default"}:`;
}
