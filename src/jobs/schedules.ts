import type { ConfigFile, Schedule } from "../config/config-file.js";
import type { JobQueues } from "./queues.js";
import { jobOptionsOf } from "./queues.js";
import type { Lane } from "./lanes.js";
import { LANES } from "./lanes.js";
import { LANE_OF, PAYLOAD_SCHEMAS } from "./payloads.js";

/** A schedule as BullMQ holds it. */
export interface ScheduleEntry {
  name: string;
  job: string;
  lane: Lane;
  cron: string;
  tz: string | undefined;
  /** Epoch ms of the next run. */
  next: number | undefined;
}

export interface ScheduleSync {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/**
 * Makes the job schedulers in Redis match `schedules:` of the config: each enabled schedule is
 * upserted (idempotent: the same config twice changes nothing), and every scheduler the config no
 * longer has — removed or disabled — is removed. Workers call it at start; `omnifeed schedule
 * sync` calls it after a config change.
 */
export async function syncSchedules(queues: JobQueues, config: ConfigFile): Promise<ScheduleSync> {
  const wanted = new Map(Object.entries(config.schedules ?? {}).filter(([, schedule]) => schedule.enabled));
  const existing = await listSchedules(queues);
  const result: ScheduleSync = { added: [], changed: [], removed: [], unchanged: [] };
  for (const entry of existing) {
    const schedule = wanted.get(entry.name);
    if (!schedule || LANE_OF[schedule.job] !== entry.lane) {
      await queues.byLane[entry.lane].removeJobScheduler(entry.name);
      if (!schedule) result.removed.push(entry.name);
    }
  }
  const options = jobOptionsOf(config);
  for (const [name, schedule] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const lane = LANE_OF[schedule.job];
    const before = existing.find((entry) => entry.name === name);
    const data = PAYLOAD_SCHEMAS[schedule.job].parse(payloadOf(name, schedule));
    const current = before ? await queues.byLane[before.lane].getJobScheduler(name) : undefined;
    const same =
      before !== undefined &&
      before.lane === lane &&
      before.job === schedule.job &&
      before.cron === schedule.cron &&
      before.tz === (schedule.tz ?? "UTC") &&
      JSON.stringify(current?.template?.data ?? null) === JSON.stringify(data);
    if (same) {
      result.unchanged.push(name);
      continue;
    }
    await queues.byLane[lane].upsertJobScheduler(
      name,
      { pattern: schedule.cron, tz: schedule.tz ?? "UTC" },
      { name: schedule.job, data, opts: options },
    );
    (before ? result.changed : result.added).push(name);
  }
  return result;
}

export async function listSchedules(queues: JobQueues): Promise<ScheduleEntry[]> {
  const entries: ScheduleEntry[] = [];
  for (const lane of LANES) {
    for (const scheduler of await queues.byLane[lane].getJobSchedulers(0, -1, true)) {
      entries.push({
        name: scheduler.key,
        job: scheduler.name,
        lane,
        cron: scheduler.pattern ?? "",
        tz: scheduler.tz,
        next: scheduler.next,
      });
    }
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function payloadOf(name: string, schedule: Schedule): Record<string, unknown> {
  return { name, ...(schedule.channels ? { channels: schedule.channels } : {}) };
}
