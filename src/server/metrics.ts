import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { collectDefaultMetrics, Counter, Gauge, Registry, type Histogram } from "prom-client";
import { webhookDeadLetterKeyOf, webhookInboxKeyOf } from "../jobs/webhook-inbox.js";
import { readRunMetrics, type RunMetrics } from "../sync/run-metrics.js";
import type { BoardQueue } from "./queues.js";

/**
 * The Prometheus metrics of `/metrics`, on a registry of the server's own (never prom-client's
 * global one, so two servers in one process, or a test, never share series). Job and item
 * figures come from worker processes through Redis (`sync/run-metrics.ts`) and queue depths from
 * the queues themselves, all read at scrape time: the server keeps no copy that could go stale.
 *
 * The metrics, for docs/operations.md:
 * - default process metrics of prom-client (`process_cpu_seconds_total`,
 *   `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, heap and GC figures…) of the
 *   server process itself;
 * - `omnifeed_queue_jobs{lane,state}` (gauge): jobs in each lane's queue by BullMQ state
 *   (waiting, active, delayed, prioritized, waiting-children, paused, completed, failed) at
 *   scrape time; completed and failed count the jobs BullMQ still keeps;
 * - `omnifeed_job_runs_total{job,lane,outcome}` (counter): finished job runs (each attempt is a
 *   run) by outcome: succeeded, held (the shrink guard held a feed or deletes), incomplete (some
 *   changes failed and go again next run), retrying (failed, another attempt follows), failed;
 * - `omnifeed_job_duration_seconds{job,lane}` (histogram): how long job runs took, start to end;
 * - `omnifeed_items_total{channel,status}` (counter): items per channel over all runs, by status:
 *   accepted, rejected (by validation or by the channel), filtered (left out by the mapping's
 *   filters), published (changes the channel's API took), failed (changes not answered, sent
 *   again next run), deferred (put off by the channel's update budget);
 * - `omnifeed_metrics_redis_up` (gauge): 1 when the last scrape could read the counters in Redis,
 *   0 when it could not (the job and item series are then missing from that scrape);
 * - `omnifeed_webhook_deliveries_total{source,outcome}` (counter): webhook deliveries this server
 *   process answered, by receiver and outcome: accepted (queued), duplicate (seen within the
 *   dedupe window, not queued again), ignored (a ping or a topic omnifeed does not read),
 *   rejected (bad signature, unreadable or oversized body: 4xx), failed (could not be stored: 5xx);
 * - `omnifeed_webhook_inbox_backlog` (gauge): accepted deliveries in the installation's inbox
 *   stream that no worker has relayed into the fast lane yet (grows while no fast-lane worker runs);
 * - `omnifeed_webhook_dead_letters` (gauge): inbox entries a relay could not read, kept for a person.
 */

export interface MetricsOptions {
  redis?: Redis | undefined;
  prefix: string;
  queues?: readonly BoardQueue[] | undefined;
  logger: Logger;
}

/** The outcomes a webhook delivery can have, as `omnifeed_webhook_deliveries_total` counts them. */
export type WebhookOutcome = "accepted" | "duplicate" | "ignored" | "rejected" | "failed";

/** The webhook delivery counter on `registry` (kept in the server process; each server counts its own). */
export function webhookDeliveriesCounter(registry: Registry): Counter<"source" | "outcome"> {
  return new Counter({
    name: "omnifeed_webhook_deliveries_total",
    help: "Webhook deliveries answered, by receiver and outcome: accepted, duplicate, ignored, rejected, failed.",
    labelNames: ["source", "outcome"] as const,
    registers: [registry],
  });
}

/** A registry holding every omnifeed metric, filled at each scrape (`registry.metrics()`). */
export function createMetricsRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { redis, prefix, queues = [], logger } = options;

  new Gauge({
    name: "omnifeed_queue_jobs",
    help: "Jobs in each lane's queue by state, at scrape time.",
    labelNames: ["lane", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const counts = await queue.getJobCounts();
            for (const [state, count] of Object.entries(counts)) this.set({ lane: queue.name, state }, count);
          } catch (error) {
            logger.warn({ err: error, lane: queue.name }, "queue counts unreadable for /metrics");
          }
        }),
      );
    },
  });

  if (redis === undefined) return registry;

  // The three run metrics are read in one go per scrape: prom-client asks each metric in the same
  // tick, and they share the pending read.
  let pending: Promise<RunMetrics | undefined> | undefined;
  const snapshot = (): Promise<RunMetrics | undefined> => {
    pending ??= readRunMetrics(redis, prefix)
      .catch((error: unknown) => {
        logger.warn({ err: error }, "run counters unreadable for /metrics");
        return undefined;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  new Gauge({
    name: "omnifeed_webhook_inbox_backlog",
    help: "Accepted webhook deliveries waiting in the inbox stream for a worker's relay, at scrape time.",
    registers: [registry],
    async collect() {
      try {
        this.set(await redis.xlen(webhookInboxKeyOf(prefix)));
      } catch (error) {
        logger.warn({ err: error }, "webhook inbox unreadable for /metrics");
      }
    },
  });

  new Gauge({
    name: "omnifeed_webhook_dead_letters",
    help: "Webhook inbox entries a relay could not read, kept for a person.",
    registers: [registry],
    async collect() {
      try {
        this.set(await redis.llen(webhookDeadLetterKeyOf(prefix)));
      } catch (error) {
        logger.warn({ err: error }, "webhook dead letters unreadable for /metrics");
      }
    },
  });

  new Gauge({
    name: "omnifeed_metrics_redis_up",
    help: "1 when this scrape read the job and item counters from Redis, 0 when it could not.",
    registers: [registry],
    async collect() {
      this.set((await snapshot()) === undefined ? 0 : 1);
    },
  });

  new Counter({
    name: "omnifeed_job_runs_total",
    help: "Finished job runs (each attempt is one) by job, lane and outcome.",
    labelNames: ["job", "lane", "outcome"] as const,
    registers: [registry],
    async collect() {
      const metrics = await snapshot();
      this.reset();
      for (const run of metrics?.runs ?? []) {
        this.inc({ job: run.job, lane: run.lane, outcome: run.outcome }, run.count);
      }
    },
  });

  new Counter({
    name: "omnifeed_items_total",
    help: "Items per channel over all runs, by status: accepted, rejected, filtered, published, failed, deferred.",
    labelNames: ["channel", "status"] as const,
    registers: [registry],
    async collect() {
      const metrics = await snapshot();
      this.reset();
      for (const item of metrics?.items ?? []) {
        this.inc({ channel: item.channel, status: item.status }, item.count);
      }
    },
  });

  // prom-client's Histogram can only observe values one by one, while these buckets come
  // ready-counted from Redis: this metric object gives the registry the series as they are.
  const durationName = "omnifeed_job_duration_seconds";
  const durationHelp = "How long job runs took, start to end, by job and lane.";
  const duration = {
    name: durationName,
    help: durationHelp,
    type: "histogram" as const,
    aggregator: "sum" as const,
    reset: () => undefined,
    get: async () => {
      const metrics = await snapshot();
      const values = (metrics?.durations ?? []).flatMap((entry) => {
        const labels = { job: entry.job, lane: entry.lane };
        return [
          ...entry.buckets.map((bucket) => ({
            metricName: `${durationName}_bucket`,
            labels: { ...labels, le: bucket.le },
            value: bucket.count,
          })),
          { metricName: `${durationName}_bucket`, labels: { ...labels, le: "+Inf" }, value: entry.count },
          { metricName: `${durationName}_sum`, labels, value: entry.sumSeconds },
          { metricName: `${durationName}_count`, labels, value: entry.count },
        ];
      });
      return { name: durationName, help: durationHelp, type: "histogram", aggregator: "sum", values };
    },
  };
  // The registry reads only name, type, get() and reset() of a metric.
  registry.registerMetric(duration as unknown as Histogram);

  return registry;
}
