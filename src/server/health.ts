import type { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import type { LiveWorker } from "./queues.js";

/** How long readiness waits for Redis's PONG before it calls Redis unreachable. */
export const READINESS_PING_TIMEOUT_MS = 1_000;

export interface ReadinessOptions {
  redis?: Redis | undefined;
  liveWorkers?: (() => Promise<readonly LiveWorker[]>) | undefined;
  pingTimeoutMs?: number | undefined;
}

/** One check of `/readyz`: whether it passed and, when it did not, why. */
export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

/** The body of `/readyz`; a check that does not apply (no Redis configured) is absent. */
export interface Readiness {
  ready: boolean;
  checks: { redis?: ReadinessCheck; workers?: ReadinessCheck };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function redisCheck(redis: Redis, timeoutMs: number): Promise<ReadinessCheck> {
  try {
    await withTimeout(redis.ping(), timeoutMs, "PING");
    return { ok: true, detail: "PONG" };
  } catch (error) {
    // The socket's reason only ("ECONNREFUSED…"); ioredis never puts the password in it.
    return { ok: false, detail: `Redis unreachable: ${(error as Error).message}` };
  }
}

async function workersCheck(
  list: () => Promise<readonly LiveWorker[]>,
  timeoutMs: number,
): Promise<ReadinessCheck> {
  try {
    const workers = await withTimeout(list(), timeoutMs, "worker list");
    if (workers.length === 0) return { ok: false, detail: "no worker alive" };
    return { ok: true, detail: `${workers.length} worker${workers.length === 1 ? "" : "s"} alive` };
  } catch (error) {
    return { ok: false, detail: `workers unknown: ${(error as Error).message}` };
  }
}

/** Runs the checks that apply: Redis answers PING in time; at least one worker is alive. */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const timeoutMs = options.pingTimeoutMs ?? READINESS_PING_TIMEOUT_MS;
  const [redis, workers] = await Promise.all([
    options.redis ? redisCheck(options.redis, timeoutMs) : undefined,
    options.liveWorkers ? workersCheck(options.liveWorkers, timeoutMs) : undefined,
  ]);
  const checks: Readiness["checks"] = {
    ...(redis && { redis }),
    ...(workers && { workers }),
  };
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}

/**
 * `/healthz`: 200 as long as the process serves requests (a liveness probe restarts it when
 * not). `/readyz`: 200 when Redis answers and a worker is alive, else 503 naming the check that
 * failed (a load balancer stops sending traffic until then). Both are open: probes carry no
 * credentials, and the answers name no secret.
 */
export function registerHealth(app: FastifyInstance, options: ReadinessOptions): void {
  app.get("/healthz", (_request, reply) => reply.send({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const readiness = await checkReadiness(options);
    reply.header("cache-control", "no-store");
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}
