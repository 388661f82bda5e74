import type { JobsOptions } from "bullmq";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { ConfigFile } from "../config/config-file.js";
import type { Lane } from "./lanes.js";
import { LANES, bullPrefixOf, queueNameOf } from "./lanes.js";
import type { JobKind, PayloadInput } from "./payloads.js";
import { dedupeIdOf, LANE_OF, PAYLOAD_SCHEMAS } from "./payloads.js";

/** Tries per job unless `jobs.attempts` says otherwise. */
export const DEFAULT_ATTEMPTS = 5;
/** First retry delay of a transient failure (doubled each time, with jitter). */
export const DEFAULT_BACKOFF_MS = 5_000;

/** The lanes' queues of one installation (one Redis, one `OMNIFEED_REDIS_PREFIX`). */
export interface JobQueues {
  readonly byLane: Readonly<Record<Lane, Queue>>;
  /**
   * Queues work on demand. The same kind over the same channels is deduplicated while one such
   * job waits or runs: the existing job is returned.
   */
  enqueue<Kind extends JobKind>(kind: Kind, payload: PayloadInput<Kind>): Promise<{ id: string; lane: Lane }>;
  /** Events of a lane, for `run --wait` (opens its own connection on first use). */
  events(lane: Lane): QueueEvents;
  close(): Promise<void>;
}

/** How a job is retried and kept: the same for jobs on demand, scheduled ones and chunk jobs. */
export function jobOptionsOf(config: ConfigFile): JobsOptions {
  return {
    attempts: config.jobs?.attempts ?? DEFAULT_ATTEMPTS,
    backoff: { type: "exponential", delay: config.jobs?.backoff_ms ?? DEFAULT_BACKOFF_MS, jitter: 0.5 },
    // Finished jobs are kept briefly for Bull Board; the run history is the lasting record.
    removeOnComplete: { count: 1_000, age: 7 * 24 * 3600 },
    removeOnFail: { count: 5_000, age: 30 * 24 * 3600 },
  };
}

/**
 * Opens the lanes' queues on `connection`. While Redis is away (a restart) the queues and their
 * events report every reconnection failure as an `error` event; BullMQ prints one unheard to
 * stderr, stack and all. Each gets a listener: `onError` when given, else silence (the connection
 * keeps its last failure to explain the next command that fails, and reconnects by itself).
 */
export function openQueues(
  connection: Redis,
  redisPrefix: string,
  config: ConfigFile,
  onError?: (source: string, error: Error) => void,
): JobQueues {
  const prefix = bullPrefixOf(redisPrefix);
  const heard =
    (source: string) =>
    (error: Error): void =>
      onError?.(source, error);
  const byLane = Object.fromEntries(
    LANES.map((lane) => {
      const queue = new Queue(queueNameOf(lane), { connection, prefix });
      queue.on("error", heard(`queue ${lane}`));
      return [lane, queue];
    }),
  ) as Record<Lane, Queue>;
  const events = new Map<Lane, QueueEvents>();
  // QueueEvents blocks its connection: each gets its own, closed here since BullMQ leaves
  // connections it was handed open.
  const eventConnections: Redis[] = [];
  const options = jobOptionsOf(config);
  return {
    byLane,
    async enqueue(kind, payload) {
      const data = PAYLOAD_SCHEMAS[kind].parse(payload);
      const lane = LANE_OF[kind];
      const job = await byLane[lane].add(kind, data, {
        ...options,
        deduplication: { id: dedupeIdOf(kind, data) },
      });
      return { id: job.id ?? "", lane };
    },
    events(lane) {
      let lanes = events.get(lane);
      if (!lanes) {
        const own = connection.duplicate();
        eventConnections.push(own);
        lanes = new QueueEvents(queueNameOf(lane), { connection: own, prefix });
        lanes.on("error", heard(`queue events ${lane}`));
        events.set(lane, lanes);
      }
      return lanes;
    },
    async close() {
      await Promise.all([...events.values()].map((queueEvents) => queueEvents.close()));
      await Promise.all(eventConnections.map((own) => own.quit().catch(() => own.disconnect())));
      await Promise.all(Object.values(byLane).map((queue) => queue.close()));
    },
  };
}
