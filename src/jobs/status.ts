import type { Redis } from "ioredis";
import type { RunHistory, RunRecord } from "../sync/run-history.js";
import type { WorkerInfo } from "./heartbeats.js";
import { liveWorkers } from "./heartbeats.js";
import type { Lane } from "./lanes.js";
import { LANES } from "./lanes.js";
import type { JobQueues } from "./queues.js";
import type { ScheduleEntry } from "./schedules.js";
import { listSchedules } from "./schedules.js";

/** What `omnifeed status` shows: the queues, the workers, the last run of each job, what failed. */
export interface InstallationStatus {
  lanes: { lane: Lane; counts: Record<string, number> }[];
  workers: WorkerInfo[];
  schedules: ScheduleEntry[];
  /** The last run of every job that ran, by job name. */
  lastRuns: RunRecord[];
  /** Recent failed or retried runs, newest first, with their reasons. */
  failures: RunRecord[];
  /** Per channel, items the last publish of it put off because of the update budget. */
  deferred: { channel: string; job: string; items: number; at: number }[];
}

const FAILURES_SHOWN = 10;

export async function collectStatus(
  queues: JobQueues,
  history: RunHistory,
  redis: Redis,
  redisPrefix: string,
): Promise<InstallationStatus> {
  const lanes = await Promise.all(
    LANES.map(async (lane) => ({
      lane,
      counts: await queues.byLane[lane].getJobCounts(
        "active",
        "waiting",
        "delayed",
        "prioritized",
        "waiting-children",
        "completed",
        "failed",
      ),
    })),
  );
  const jobs = await history.jobs();
  const lastRuns = (await Promise.all(jobs.map((job) => history.recent({ job, limit: 1 })))).flat();
  const failures = (await history.recent({ limit: 200 }))
    .filter((run) => run.outcome === "failed" || run.outcome === "retrying")
    .slice(0, FAILURES_SHOWN);
  const deferred = new Map<string, InstallationStatus["deferred"][number]>();
  for (const run of [...lastRuns].sort((a, b) => b.finishedAt - a.finishedAt)) {
    for (const channel of run.channels) {
      if (!channel.publish || deferred.has(channel.channel)) continue;
      deferred.set(channel.channel, {
        channel: channel.channel,
        job: run.job,
        items: channel.publish.deferred,
        at: run.finishedAt,
      });
    }
  }
  return {
    lanes,
    workers: await liveWorkers(redis, redisPrefix),
    schedules: await listSchedules(queues),
    lastRuns: lastRuns.sort((a, b) => a.job.localeCompare(b.job)),
    failures,
    deferred: [...deferred.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
  };
}
