import type { ChainableCommander, Redis } from "ioredis";
import { z } from "zod";
import type { RunRecord } from "./run-history.js";

/**
 * Job runs happen in worker processes, possibly on other machines, while `/metrics` is scraped
 * from the server: each finished run adds its figures to counters in Redis, in the same MULTI
 * that stores the run (`RedisRunHistory.add`), so the history and the counters never disagree.
 * The server reads them back at scrape time. Counters only grow (Prometheus computes rates and
 * notices resets itself); nothing here expires.
 *
 * Three hashes under the installation's prefix, each field a JSON array of label values:
 * - `metrics:job-runs`: `["<job>","<lane>","<outcome>"]` → runs;
 * - `metrics:job-duration`: `["bucket","<job>","<lane>","<le>"]` → runs that took at most `le`
 *   seconds (cumulative, as Prometheus wants), `["sum",job,lane]` → seconds, `["count",job,lane]`;
 * - `metrics:items`: `["<channel>","<status>"]` → items.
 */

/** Upper bounds (seconds) of the job duration histogram: a stock update to a 1M-variant build. */
export const JOB_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] as const;

/**
 * The statuses of `omnifeed_items_total`, per channel and run:
 * - `accepted`: items that passed validation (written to the feed, or planned for the API);
 * - `rejected`: items refused by validation, plus items the channel's API refused on publish;
 * - `filtered`: items the mapping's filters left out;
 * - `published`: changes the channel's API took (created + updated + deleted);
 * - `failed`: changes not answered (not the item's fault), sent again by the next run;
 * - `deferred`: changes put off by the channel's update budget.
 */
export const ITEM_STATUSES = ["accepted", "rejected", "filtered", "published", "failed", "deferred"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** The counters' keys under an installation's prefix (`OMNIFEED_REDIS_PREFIX`). */
export function runMetricsKeys(prefix: string): { runs: string; duration: string; items: string } {
  return {
    runs: `${prefix}metrics:job-runs`,
    duration: `${prefix}metrics:job-duration`,
    items: `${prefix}metrics:items`,
  };
}

function field(...labels: string[]): string {
  return JSON.stringify(labels);
}

/** How many items of one channel's run count under each status. */
export function itemCounts(channel: RunRecord["channels"][number]): Record<ItemStatus, number> {
  const publish = channel.publish;
  return {
    accepted: channel.accepted,
    rejected: channel.rejected + (publish?.rejected ?? 0),
    filtered: channel.filtered,
    published: publish ? publish.created + publish.updated + publish.deleted : 0,
    failed: publish?.failed ?? 0,
    deferred: publish?.deferred ?? 0,
  };
}

/**
 * Queues the increments of one finished run on `multi` (the caller's MULTI, which also stores
 * the run): one run of its job, lane and outcome; its duration in the histogram; and per channel
 * its items by status (zeros too, so every series exists from a channel's first run).
 */
export function addRunMetrics(multi: ChainableCommander, prefix: string, run: RunRecord): void {
  const keys = runMetricsKeys(prefix);
  multi.hincrby(keys.runs, field(run.job, run.lane, run.outcome), 1);
  const seconds = Math.max(0, run.durationMs) / 1000;
  for (const le of JOB_DURATION_BUCKETS) {
    if (seconds <= le) multi.hincrby(keys.duration, field("bucket", run.job, run.lane, String(le)), 1);
  }
  multi.hincrbyfloat(keys.duration, field("sum", run.job, run.lane), seconds);
  multi.hincrby(keys.duration, field("count", run.job, run.lane), 1);
  for (const channel of run.channels) {
    for (const [status, count] of Object.entries(itemCounts(channel))) {
      multi.hincrby(keys.items, field(channel.channel, status), count);
    }
  }
}

/** Runs of one job in one lane that ended with one outcome. */
export interface JobRunCount {
  job: string;
  lane: string;
  outcome: string;
  count: number;
}

/** The duration histogram of one job in one lane. */
export interface JobDurations {
  job: string;
  lane: string;
  /** Cumulative: runs that took at most `le` seconds, for each of JOB_DURATION_BUCKETS. */
  buckets: { le: number; count: number }[];
  sumSeconds: number;
  count: number;
}

/** Items of one channel under one status, over all runs. */
export interface ItemCount {
  channel: string;
  status: string;
  count: number;
}

/** What `/metrics` shows of the runs, read back from Redis. */
export interface RunMetrics {
  runs: JobRunCount[];
  durations: JobDurations[];
  items: ItemCount[];
}

const LabelsSchema = z.array(z.string());

/** A field's labels, or `undefined` for a field this version does not know (skipped, not fatal). */
function labelsOf(text: string, length?: number): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = LabelsSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return length === undefined || parsed.data.length === length ? parsed.data : undefined;
}

function numberOf(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
}

/** Reads every run counter, duration histogram and item counter (one HGETALL per hash). */
export async function readRunMetrics(redis: Redis, prefix: string): Promise<RunMetrics> {
  const keys = runMetricsKeys(prefix);
  const [runsHash, durationHash, itemsHash] = await Promise.all([
    redis.hgetall(keys.runs),
    redis.hgetall(keys.duration),
    redis.hgetall(keys.items),
  ]);

  const runs = Object.entries(runsHash).flatMap(([name, value]) => {
    const labels = labelsOf(name, 3);
    if (!labels) return [];
    const [job = "", lane = "", outcome = ""] = labels;
    return [{ job, lane, outcome, count: numberOf(value) }];
  });

  const durations = new Map<string, JobDurations>();
  const durationOf = (job: string, lane: string): JobDurations => {
    const key = field(job, lane);
    let entry = durations.get(key);
    if (!entry) {
      entry = {
        job,
        lane,
        buckets: JOB_DURATION_BUCKETS.map((le) => ({ le, count: 0 })),
        sumSeconds: 0,
        count: 0,
      };
      durations.set(key, entry);
    }
    return entry;
  };
  for (const [name, value] of Object.entries(durationHash)) {
    const labels = labelsOf(name);
    const kind = labels?.[0];
    if (!labels || labels.length !== (kind === "bucket" ? 4 : 3)) continue;
    const [, job = "", lane = "", le] = labels;
    const entry = durationOf(job, lane);
    if (kind === "sum") entry.sumSeconds = numberOf(value);
    else if (kind === "count") entry.count = numberOf(value);
    else if (kind === "bucket") {
      const bucket = entry.buckets.find((candidate) => String(candidate.le) === le);
      if (bucket) bucket.count = numberOf(value);
    }
  }

  const items = Object.entries(itemsHash).flatMap(([name, value]) => {
    const labels = labelsOf(name, 2);
    if (!labels) return [];
    const [channel = "", status = ""] = labels;
    return [{ channel, status, count: numberOf(value) }];
  });

  const byLabels =
    <T>(label: (entry: T) => string) =>
    (a: T, b: T) =>
      label(a).localeCompare(label(b));
  return {
    runs: runs.sort(byLabels((entry) => field(entry.job, entry.lane, entry.outcome))),
    durations: [...durations.values()].sort(byLabels((entry) => field(entry.job, entry.lane))),
    items: items.sort(byLabels((entry) => field(entry.channel, entry.status))),
  };
}
