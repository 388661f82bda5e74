import { Job } from "bullmq";
import { OmnifeedError } from "../core/errors.js";
import type { RunHistory, RunRecord } from "../sync/run-history.js";
import type { Lane } from "./lanes.js";
import type { JobQueues } from "./queues.js";

/**
 * Waits until a queued job has finished (or failed for good) and returns its last run record:
 * what `omnifeed run --wait` prints. Gives up after `timeoutMs` with a `transient` error; the job
 * itself goes on.
 */
export async function waitForRun(
  queues: JobQueues,
  history: RunHistory,
  queued: { id: string; lane: Lane },
  timeoutMs: number,
): Promise<RunRecord> {
  const queue = queues.byLane[queued.lane];
  const events = queues.events(queued.lane);
  await events.waitUntilReady();
  const job = await Job.fromId(queue, queued.id);
  if (!job) throw new OmnifeedError("not_found", `job ${queued.id} is no longer in the queue`);
  try {
    await job.waitUntilFinished(events, timeoutMs);
  } catch (error) {
    // A failed job rejects here; its run record says why. Only a timeout is an error of waiting.
    if (/timed out/i.test((error as Error).message)) {
      throw new OmnifeedError(
        "transient",
        `job ${queued.id} has not finished within ${Math.round(timeoutMs / 1000)} s; it goes on`,
      );
    }
  }
  const name = (job.data as { name?: string }).name ?? job.name;
  const runs = await history.recent({ job: name, limit: 50 });
  const run = runs.find((entry) => entry.id.startsWith(`${queued.id}#`));
  if (!run) throw new OmnifeedError("not_found", `job ${queued.id} finished but left no run record`);
  return run;
}
