import { hostname } from "node:os";
import type { Redis } from "ioredis";

/** A worker process as its heartbeat describes it. */
export interface WorkerInfo {
  /** `host:pid`. */
  id: string;
  lanes: string[];
  startedAt: number;
  /** Epoch ms of its last heartbeat. */
  lastSeen: number;
}

/** A worker beats this often; one that missed three beats is no longer counted alive. */
export const HEARTBEAT_MS = 5_000;
export const ALIVE_MS = 3 * HEARTBEAT_MS;

function keys(prefix: string) {
  return { seen: `${prefix}workers`, info: (id: string) => `${prefix}worker:${id}` };
}

export function workerIdOf(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Tells Redis this worker is alive every few seconds (a sorted set scored by the last beat, and a
 * hash of what it runs), so `/readyz` and `omnifeed status` can count the live workers.
 */
export function startHeartbeat(
  redis: Redis,
  prefix: string,
  info: Omit<WorkerInfo, "lastSeen">,
): () => Promise<void> {
  const { seen, info: infoKey } = keys(prefix);
  const beat = async (): Promise<void> => {
    const now = Date.now();
    await redis
      .multi()
      .zadd(seen, now, info.id)
      .hset(infoKey(info.id), { lanes: info.lanes.join(","), startedAt: String(info.startedAt) })
      .pexpire(infoKey(info.id), ALIVE_MS * 4)
      .exec();
  };
  // A missed beat (Redis restarting) is not an error: the next one tells.
  const safeBeat = (): void => void beat().catch(() => undefined);
  safeBeat();
  const timer = setInterval(safeBeat, HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis
      .multi()
      .zrem(seen, info.id)
      .del(infoKey(info.id))
      .exec()
      .catch(() => undefined);
  };
}

/** The workers that beat within the last `ALIVE_MS`; older entries are pruned on the way. */
export async function liveWorkers(redis: Redis, prefix: string, now = Date.now()): Promise<WorkerInfo[]> {
  const { seen, info: infoKey } = keys(prefix);
  await redis.zremrangebyscore(seen, "-inf", now - ALIVE_MS * 20);
  const entries = await redis.zrangebyscore(seen, now - ALIVE_MS, "+inf", "WITHSCORES");
  const workers: WorkerInfo[] = [];
  for (let index = 0; index < entries.length; index += 2) {
    const id = entries[index]!;
    const details = await redis.hgetall(infoKey(id));
    workers.push({
      id,
      lanes: (details.lanes ?? "").split(",").filter((lane) => lane.length > 0),
      startedAt: Number(details.startedAt ?? 0),
      lastSeen: Number(entries[index + 1]),
    });
  }
  return workers;
}
