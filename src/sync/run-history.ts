import type { Redis } from "ioredis";
import { z } from "zod";
import { ERROR_KINDS } from "../core/errors.js";
import { addRunMetrics } from "./run-metrics.js";

/**
 * What one job run did, kept for `omnifeed status` and the web console: when it ran, how it ended
 * and why, and per channel what was accepted, rejected, filtered, published and deferred. Written
 * by the job processors once a run ends (each attempt is a run); read by status and the console.
 */
export const RUN_OUTCOMES = [
  /** Done; nothing left over. */
  "succeeded",
  /** Done, but the shrink guard held a feed or a publish's deletes. */
  "held",
  /** Done, but some changes failed and are sent again by the next run. */
  "incomplete",
  /** Failed; another attempt follows. */
  "retrying",
  /** Failed for good (attempts used up, or an error that a retry cannot fix). */
  "failed",
] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

const IssueCountSchema = z.object({
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  field: z.string().optional(),
  count: z.number().int().nonnegative(),
  /** A few items that have it, to start looking. */
  examples: z.array(z.object({ sku: z.string(), message: z.string() })),
});
export type RunIssueCount = z.infer<typeof IssueCountSchema>;

const PublishCountsSchema = z.object({
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  /** Refused by the channel (the item's fault). */
  rejected: z.number().int().nonnegative(),
  /** Not answered (not the item's fault): sent again by the next run. */
  failed: z.number().int().nonnegative(),
  /** Put off by the channel's update budget. */
  deferred: z.number().int().nonnegative(),
  deletesHeld: z.boolean(),
  /** The channel's reasons for refused items, most frequent first. */
  topReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
});
export type RunPublishCounts = z.infer<typeof PublishCountsSchema>;

export const ChannelRunStatsSchema = z.object({
  channel: z.string(),
  /** Variants that reached the channel. */
  read: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  filtered: z.number().int().nonnegative(),
  warned: z.number().int().nonnegative(),
  /** Most frequent first. */
  issues: z.array(IssueCountSchema),
  /** Present for publish runs. */
  publish: PublishCountsSchema.optional(),
});
export type ChannelRunStats = z.infer<typeof ChannelRunStatsSchema>;

export const RunRecordSchema = z.object({
  /** Unique per attempt: `<job id>#<attempt>`. */
  id: z.string(),
  /** The job's name: the schedule's name, or the kind for a job run on demand. */
  job: z.string(),
  kind: z.string(),
  lane: z.string(),
  /** Epoch ms. */
  startedAt: z.number(),
  finishedAt: z.number(),
  durationMs: z.number(),
  attempt: z.number().int().positive(),
  outcome: z.enum(RUN_OUTCOMES),
  failure: z.object({ kind: z.enum(ERROR_KINDS).or(z.literal("unknown")), message: z.string() }).optional(),
  /** One line a person reads: "google: 1,204 accepted, 3 rejected · feeds published". */
  summary: z.string(),
  channels: z.array(ChannelRunStatsSchema),
  /** Which worker ran it (host:pid). */
  worker: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** Where finished runs are kept: newest first, a bounded number per job. */
export interface RunHistory {
  add(run: RunRecord): Promise<void>;
  /** Newest first; of one job when `job` is given. */
  recent(options?: { job?: string | undefined; limit?: number | undefined }): Promise<RunRecord[]>;
  /** The names of the jobs that have runs, in name order. */
  jobs(): Promise<string[]>;
}

/**
 * Runs in Redis: one list per job (`<prefix>runs:<job>`) trimmed to `keep` entries, one list of
 * every run trimmed to `keep` × 10, and a set of job names. Written with one MULTI per run, which
 * also adds the run's figures to the counters `/metrics` shows (`run-metrics.ts`).
 */
export class RedisRunHistory implements RunHistory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly keep = 50,
  ) {}

  async add(run: RunRecord): Promise<void> {
    const text = JSON.stringify(RunRecordSchema.parse(run));
    const multi = this.redis
      .multi()
      .lpush(this.key(run.job), text)
      .ltrim(this.key(run.job), 0, this.keep - 1)
      .lpush(this.allKey(), text)
      .ltrim(this.allKey(), 0, this.keep * 10 - 1)
      .sadd(this.jobsKey(), run.job);
    addRunMetrics(multi, this.prefix, run);
    await multi.exec();
  }

  async recent(options: { job?: string | undefined; limit?: number | undefined } = {}): Promise<RunRecord[]> {
    const limit = options.limit ?? this.keep;
    const key = options.job === undefined ? this.allKey() : this.key(options.job);
    const texts = await this.redis.lrange(key, 0, limit - 1);
    return texts.flatMap((text) => {
      const parsed = RunRecordSchema.safeParse(JSON.parse(text));
      // A record written by another version that no longer parses is skipped, not fatal.
      return parsed.success ? [parsed.data] : [];
    });
  }

  async jobs(): Promise<string[]> {
    return (await this.redis.smembers(this.jobsKey())).sort();
  }

  private key(job: string): string {
    return `${this.prefix}runs:${job}`;
  }

  private allKey(): string {
    return `${this.prefix}runs`;
  }

  private jobsKey(): string {
    return `${this.prefix}run-jobs`;
  }
}
