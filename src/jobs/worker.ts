import type { Job } from "bullmq";
import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, Worker } from "bullmq";
import type { ConfigFile } from "../config/config-file.js";
import { loadConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import { connectRedis, whenRedisReady } from "../infra/redis.js";
import type { RunHistory, RunOutcome, RunRecord } from "../sync/run-history.js";
import { RedisRunHistory } from "../sync/run-history.js";
import { startHeartbeat, workerIdOf } from "./heartbeats.js";
import type { Lane } from "./lanes.js";
import { DEFAULT_LANE_CONCURRENCY, bullPrefixOf, installationPrefixOf, queueNameOf } from "./lanes.js";
import type { JobKind } from "./payloads.js";
import { LANE_OF, PAYLOAD_SCHEMAS, isJobKind } from "./payloads.js";
import { pullOrdersJob, pushTrackingJob, syncOrderJob } from "./order-processors.js";
import type { ProcessorContext } from "./processors.js";
import { importCatalog, publishChannels, pushSaleStock, reconcileChannels } from "./processors.js";
import type { JobQueues } from "./queues.js";
import { jobOptionsOf, openQueues } from "./queues.js";
import { errorKindOf, retryDecisionFor } from "./retry-policy.js";
import type { JobReport } from "./run-record.js";
import { syncSchedules } from "./schedules.js";
import type { ChunkedBuilds } from "./chunked-builds.js";
import { openChunkedBuilds } from "./chunked-builds.js";
import type { WebhookEventHandler } from "./webhook-events.js";
import { processWebhookEvent } from "./webhook-events.js";
import type { RunningRelay } from "./webhook-inbox.js";
import { startWebhookRelay } from "./webhook-inbox.js";
import { orderEventHandler } from "./order-events.js";

export interface WorkerOptions {
  configFile: string;
  redisUrl: string;
  /** `OMNIFEED_REDIS_PREFIX`; the installation's keys are under it and the config's workspace. */
  redisPrefix: string;
  lanes: readonly Lane[];
  /** Jobs per lane at once; `lanes.<lane>.concurrency` of the config, else the lane's default. */
  concurrency?: number | undefined;
  /**
   * On SIGTERM, how long jobs in flight may take to finish before they are stopped and handed
   * back to the queue for another worker (default 20 s).
   */
  graceMs?: number | undefined;
  /** One line per event a person may want to see (job started, finished, failed). */
  log?: ((line: string) => void) | undefined;
  /**
   * Where `webhook-event` jobs go; the order pipeline's handler (`orderEventHandler`,
   * jobs/order-events.ts) unless another is given (tests).
   */
  webhookHandler?: WebhookEventHandler | undefined;
}

/** A running worker process's queues. */
export interface RunningWorker {
  readonly id: string;
  readonly queues: JobQueues;
  readonly history: RunHistory;
  /** The installation's Redis prefix (base prefix + workspace). */
  readonly prefix: string;
  /** Stops taking jobs, lets those in flight finish within the grace time, hands back the rest. */
  close(): Promise<void>;
}

/** How long a job's lock lasts without renewal: a worker killed mid-job loses it after this. */
export const DEFAULT_LOCK_MS = 30_000;

/**
 * Starts the workers of one process: one BullMQ Worker per lane, the schedules of the config
 * synced, a heartbeat, and the run history written after every attempt. A SIGKILLed worker's
 * jobs are picked up by another worker once their lock expires (BullMQ's stalled-job check).
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const config = await loadConfigFile(options.configFile);
  const connection = connectRedis(options.redisUrl, { name: "omnifeed-worker", forQueues: true });
  try {
    await whenRedisReady(connection, 5_000);
  } catch (error) {
    connection.disconnect();
    throw error;
  }
  const id = workerIdOf();
  const log = options.log ?? (() => undefined);
  const prefix = installationPrefixOf(options.redisPrefix, config.state?.workspace);
  const queues = openQueues(connection, prefix, config);
  const history = new RedisRunHistory(connection, prefix, config.jobs?.keep_runs ?? 50);
  const shutdown = new AbortController();
  const context: ProcessorContext = { configFile: options.configFile, signal: shutdown.signal, queues };
  // The order pipeline takes the server's verified deliveries unless the caller wires its own.
  const webhookHandler =
    options.webhookHandler ?? orderEventHandler({ configFile: options.configFile, queues });
  const chunked = openChunkedBuilds({ queues, config, context });
  const sync = await syncSchedules(queues, config);
  if (sync.added.length + sync.changed.length + sync.removed.length > 0) {
    log(
      `schedules: ${sync.added.length} added, ${sync.changed.length} changed, ${sync.removed.length} removed, ${sync.unchanged.length} unchanged`,
    );
  }

  const workers: Worker[] = [];
  for (const lane of options.lanes) {
    const concurrency =
      options.concurrency ?? config.lanes?.[lane]?.concurrency ?? DEFAULT_LANE_CONCURRENCY[lane];
    const worker: Worker = new Worker(
      queueNameOf(lane),
      (job, token) =>
        processJob(job, token, {
          worker,
          lane,
          id,
          config,
          history,
          chunked,
          log,
          context,
          webhookHandler,
        }),
      {
        // Named so a job's `processedBy` tells which process ran it.
        name: id,
        connection,
        prefix: bullPrefixOf(prefix),
        concurrency,
        lockDuration: config.jobs?.lock_ms ?? DEFAULT_LOCK_MS,
        stalledInterval: config.jobs?.lock_ms ?? DEFAULT_LOCK_MS,
        // A job whose worker died twice in a row is failed, not retried for ever.
        maxStalledCount: 2,
      },
    );
    // Connection errors are retried by ioredis; the worker goes on once Redis is back.
    worker.on("error", (error) => log(`worker ${lane}: ${error.message}`));
    workers.push(worker);
  }
  // A worker of the fast lane also moves the server's stored webhook deliveries into it.
  let relay: RunningRelay | undefined;
  if (options.lanes.includes("fast")) {
    relay = await startWebhookRelay({
      connection: connectRedis(options.redisUrl, { name: "omnifeed-webhook-relay", forQueues: true }),
      installationPrefix: prefix,
      queue: queues.byLane.fast,
      jobOptions: jobOptionsOf(config),
      consumer: id,
      log,
    });
  }
  const stopHeartbeat = startHeartbeat(connection, prefix, {
    id,
    lanes: [...options.lanes],
    startedAt: Date.now(),
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const graceMs = options.graceMs ?? 20_000;
    // Relay nothing more; take no new job; wait for those in flight, then stop them: they hand
    // themselves back.
    await relay?.close();
    const drained = Promise.all(workers.map((worker) => worker.close()));
    const timer = setTimeout(
      () => shutdown.abort(new OmnifeedError("transient", "worker shutting down")),
      graceMs,
    );
    await drained;
    clearTimeout(timer);
    await stopHeartbeat();
    await chunked.close();
    await queues.close();
    await connection.quit().catch(() => connection.disconnect());
  };
  return {
    id,
    queues,
    history,
    prefix,
    close: () => (closing ??= close()),
  };
}

interface JobEnvironment {
  worker: Worker;
  lane: Lane;
  id: string;
  config: ConfigFile;
  history: RunHistory;
  chunked: ChunkedBuilds;
  log: (line: string) => void;
  context: ProcessorContext;
  webhookHandler: WebhookEventHandler | undefined;
}

/**
 * One attempt of one job: payload checked, use case run, run recorded, and on failure the retry
 * decided from the error's kind — backoff for transient errors, a lane pause for rate limits, no
 * retry for the rest. A job stopped by shutdown is handed back at once, without using an attempt.
 */
async function processJob(job: Job, token: string | undefined, environment: JobEnvironment): Promise<string> {
  let startedAt = Date.now();
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const kind = job.name;
  let jobName = kind;
  const record = async (outcome: RunOutcome, report: Partial<JobReport>, failure?: RunRecord["failure"]) => {
    const finishedAt = Date.now();
    await environment.history
      .add({
        id: `${job.id ?? "?"}#${attempt}`,
        job: jobName,
        kind,
        lane: environment.lane,
        startedAt,
        finishedAt,
        durationMs: finishedAt - startedAt,
        attempt,
        outcome,
        ...(failure ? { failure } : {}),
        summary: report.summary ?? failure?.message ?? "",
        channels: report.channels ?? [],
        worker: environment.id,
      })
      .catch((error: unknown) => environment.log(`run history not written: ${(error as Error).message}`));
  };

  try {
    if (!isJobKind(kind)) throw new OmnifeedError("config", `unknown job kind "${kind}"`);
    const parsed = PAYLOAD_SCHEMAS[kind].safeParse(job.data);
    if (!parsed.success) {
      throw new OmnifeedError(
        "config",
        `job ${job.id ?? "?"}: bad payload: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    }
    jobName = parsed.data.name;
    // A chunked build resumes for its assembly: its run began when it planned the chunks.
    if ("startedAt" in parsed.data && typeof parsed.data.startedAt === "number")
      startedAt = parsed.data.startedAt;
    // Webhook events come by the thousand: only their failures reach the run history and the log.
    const quiet = kind === "build-chunk" || kind === "webhook-event";
    if (kind !== "webhook-event") {
      environment.log(
        `${jobName} (${kind}) started: job ${job.id ?? "?"}, attempt ${attempt} of ${attempts}`,
      );
    }
    const report = await runKind(kind, parsed.data, job, token, environment);
    // A chunk job is part of its build's run, not a run of its own.
    if (!quiet) await record(report.outcome, report);
    if (kind !== "webhook-event") {
      environment.log(
        `${jobName} ${report.outcome} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${report.summary}`,
      );
    }
    return report.summary;
  } catch (error) {
    if (
      error instanceof WaitingChildrenError ||
      error instanceof DelayedError ||
      error instanceof RateLimitError
    ) {
      throw error;
    }
    if (environment.context.signal.aborted && token !== undefined) {
      // Shutting down: hand the job back now rather than wait for its lock to expire.
      await job.moveToDelayed(Date.now(), token);
      environment.log(`${jobName} handed back to the queue (worker shutting down)`);
      throw new DelayedError();
    }
    const message = error instanceof Error ? error.message : String(error);
    const failure = { kind: errorKindOf(error), message };
    const decision = retryDecisionFor(error);
    const last = decision.action === "give_up" || attempt >= attempts;
    if ((kind !== "build-chunk" && kind !== "webhook-event") || last) {
      await record(last ? "failed" : "retrying", {}, failure);
    }
    environment.log(`${jobName} ${last ? "failed" : "will be retried"}: ${failure.kind}: ${message}`);
    if (decision.action === "give_up") throw new UnrecoverableError(message);
    if (decision.action === "wait") {
      // The lane waits as the channel said; the job goes back without using an attempt.
      await environment.worker.rateLimit(decision.waitMs);
      throw new RateLimitError();
    }
    throw error instanceof Error ? error : new Error(message);
  }
}

function runKind(
  kind: JobKind,
  payload: unknown,
  job: Job,
  token: string | undefined,
  environment: JobEnvironment,
): Promise<JobReport> {
  const { context } = environment;
  switch (kind) {
    case "import":
      return importCatalog(PAYLOAD_SCHEMAS.import.parse(payload), context);
    case "build-feeds": {
      const data = PAYLOAD_SCHEMAS["build-feeds"].parse(payload);
      return environment.chunked.build(job, token, data);
    }
    case "build-chunk":
      return environment.chunked.buildChunk(PAYLOAD_SCHEMAS["build-chunk"].parse(payload), environment.id);
    case "publish":
      return publishChannels(PAYLOAD_SCHEMAS.publish.parse(payload), context);
    case "reconcile":
      return reconcileChannels(PAYLOAD_SCHEMAS.reconcile.parse(payload), context);
    case "webhook-event":
      return processWebhookEvent(
        PAYLOAD_SCHEMAS["webhook-event"].parse(payload),
        environment.webhookHandler,
        context,
      );
    case "stock":
      return pushSaleStock(PAYLOAD_SCHEMAS.stock.parse(payload), context);
    case "orders-pull":
      return pullOrdersJob(PAYLOAD_SCHEMAS["orders-pull"].parse(payload), context);
    case "order-sync":
      return syncOrderJob(PAYLOAD_SCHEMAS["order-sync"].parse(payload), context);
    case "tracking-push":
      return pushTrackingJob(PAYLOAD_SCHEMAS["tracking-push"].parse(payload), context);
  }
}

/** Which lane each job kind runs in, for `omnifeed run`. */
export function laneOf(kind: JobKind): Lane {
  return LANE_OF[kind];
}
