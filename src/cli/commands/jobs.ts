import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { loadConfigFile } from "../../config/config-file.js";
import { redisPrefixFromEnv, redisUrlFromEnv } from "../../config/env.js";
import { OmnifeedError } from "../../core/errors.js";
import { connectRedis, whenRedisReady } from "../../infra/redis.js";
import type { InstallationStatus } from "../../jobs/status.js";
import type { RunRecord } from "../../sync/run-history.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseChannelList, parseFlags } from "../run-options.js";
import { takeOverSignals } from "../signal-owner.js";

const REDIS_HELP =
  "\nWorkers, schedules and runs live in Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379);\n" +
  "OMNIFEED_REDIS_PREFIX keeps installations sharing one Redis apart (default omnifeed:).\n";

function requireRedisUrl(): string {
  const url = redisUrlFromEnv();
  if (!url)
    throw new OmnifeedError(
      "config",
      "set REDIS_URL (e.g. redis://127.0.0.1:6379): workers and queues live in Redis",
    );
  return url;
}

function requireConfig(config: string | undefined): string {
  if (!config)
    throw new OmnifeedError("config", "--config <file> is required: the installation's omnifeed.config.yaml");
  return resolve(config);
}

const WorkerFlagsSchema = z.object({
  config: z.string().optional(),
  lanes: z.string().default("bulk,fast"),
  concurrency: z.coerce.number().int().min(1).max(64).optional(),
  graceMs: z.coerce.number().int().min(0).default(20_000),
});

const RunFlagsSchema = z.object({
  config: z.string().optional(),
  channel: z.string().optional(),
  wait: z.boolean().default(false),
  timeout: z.coerce.number().positive().default(3600),
  force: z.boolean().default(false),
  fix: z.boolean().default(false),
  json: z.boolean().default(false),
});

const StatusFlagsSchema = z.object({ config: z.string().optional(), json: z.boolean().default(false) });

/** Opens what the queue commands need: the config, Redis, the lanes' queues and the run history. */
async function openInstallation(configOption: string | undefined) {
  const configFile = requireConfig(configOption);
  const config = await loadConfigFile(configFile);
  const url = requireRedisUrl();
  const { installationPrefixOf } = await import("../../jobs/lanes.js");
  const prefix = installationPrefixOf(redisPrefixFromEnv(), config.state?.workspace);
  const redis = connectRedis(url, { name: "omnifeed-cli", forQueues: true });
  try {
    await whenRedisReady(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const { openQueues } = await import("../../jobs/queues.js");
  const { RedisRunHistory } = await import("../../sync/run-history.js");
  const queues = openQueues(redis, prefix, config);
  const history = new RedisRunHistory(redis, prefix, config.jobs?.keep_runs ?? 50);
  return {
    configFile,
    config,
    redis,
    prefix,
    queues,
    history,
    close: async () => {
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function registerJobs(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("worker")
    .description(
      "run scheduled and queued jobs (import, build-feeds, publish, reconcile, orders-pull, order-sync, tracking-push, stock, and the webhook events omnifeed serve took) from Redis until stopped",
    )
    .option("--config <file>", "the installation's omnifeed.config.yaml")
    .option(
      "--lanes <list>",
      "lanes this process serves: bulk (catalog work), fast (orders, stock, and relaying the webhook inbox)",
      "bulk,fast",
    )
    .option(
      "--concurrency <n>",
      "jobs per lane at once (default: lanes.<lane>.concurrency, else bulk 1, fast 4)",
    )
    .option(
      "--grace-ms <ms>",
      "on SIGTERM, how long jobs in flight may finish before they are handed back",
      "20000",
    )
    .addHelpText(
      "after",
      REDIS_HELP +
        "Start one worker process per machine; each uses worker threads for builds. SIGTERM or Ctrl-C\n" +
        "stops taking jobs, lets those in flight finish within --grace-ms and hands the rest back.\n",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(WorkerFlagsSchema, raw);
      const { isLane } = await import("../../jobs/lanes.js");
      const lanes = flags.lanes.split(",").map((lane) => lane.trim());
      for (const lane of lanes) {
        if (!isLane(lane))
          throw new OmnifeedError("config", `--lanes: unknown lane "${lane}" (known: bulk, fast)`);
      }
      const { startWorker } = await import("../../jobs/worker.js");
      const worker = await startWorker({
        configFile: requireConfig(flags.config),
        redisUrl: requireRedisUrl(),
        redisPrefix: redisPrefixFromEnv(),
        lanes: lanes.filter(isLane),
        concurrency: flags.concurrency,
        graceMs: flags.graceMs,
        log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
      });
      process.stderr.write(`omnifeed worker ${worker.id} serving lanes ${lanes.join(", ")}\n`);
      await new Promise<void>((done) => {
        const release = takeOverSignals((signal) => {
          process.stderr.write(`omnifeed worker: ${signal}: finishing the jobs in flight\n`);
          release();
          worker.close().then(done, done);
        });
      });
      process.stderr.write("omnifeed worker stopped\n");
      setExit(EXIT.ok);
    });

  const schedule = program
    .command("schedule")
    .description("the jobs workers run on their own (schedules: in the config)");
  schedule
    .command("list")
    .description("the schedules in Redis, with their next run")
    .option("--config <file>", "the installation's omnifeed.config.yaml")
    .option("--json", "print JSON", false)
    .action(async (raw: unknown) => {
      const flags = parseFlags(StatusFlagsSchema, raw);
      const installation = await openInstallation(flags.config);
      try {
        const { listSchedules } = await import("../../jobs/schedules.js");
        const entries = await listSchedules(installation.queues);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        } else if (entries.length === 0) {
          process.stdout.write(
            "no schedules (add schedules: to the config, then `omnifeed schedule sync`)\n",
          );
        } else {
          for (const entry of entries) {
            const next = entry.next ? new Date(entry.next).toISOString() : "—";
            process.stdout.write(
              `${entry.name}  ${entry.job}  "${entry.cron}" ${entry.tz ?? "UTC"}  next ${next}\n`,
            );
          }
        }
      } finally {
        await installation.close();
      }
    });
  schedule
    .command("sync")
    .description("make the schedules in Redis match the config: add, change, remove")
    .option("--config <file>", "the installation's omnifeed.config.yaml")
    .option("--json", "print JSON", false)
    .action(async (raw: unknown) => {
      const flags = parseFlags(StatusFlagsSchema, raw);
      const installation = await openInstallation(flags.config);
      try {
        const { syncSchedules } = await import("../../jobs/schedules.js");
        const result = await syncSchedules(installation.queues, installation.config);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `schedules: ${list("added", result.added)}, ${list("changed", result.changed)}, ${list("removed", result.removed)}, ${result.unchanged.length} unchanged\n`,
        );
      } finally {
        await installation.close();
      }
    });

  program
    .command("run <job>")
    .description(
      "queue a job now: import, build-feeds, publish, reconcile, orders-pull, tracking-push, or a schedule's name",
    )
    .option("--config <file>", "the installation's omnifeed.config.yaml")
    .option(
      "--channel <list>",
      "the channels it covers (default: the schedule's, else every enabled channel)",
    )
    .option("--wait", "wait for it to finish and exit with its outcome", false)
    .option("--timeout <seconds>", "with --wait: give up waiting after this long", "3600")
    .option("--force", "build-feeds/publish: publish past the shrink guard", false)
    .option("--fix", "reconcile: send the differences found", false)
    .option("--json", "print JSON", false)
    .addHelpText(
      "after",
      REDIS_HELP +
        "The same job over the same channels is queued once: while one waits or runs, `run` returns it.\n" +
        "With --wait the exit code follows the run: 0 succeeded, 4 held, 5 incomplete, 1 failed.\n",
    )
    .action(async (job: string, raw: unknown) => {
      const flags = parseFlags(RunFlagsSchema, raw);
      const installation = await openInstallation(flags.config);
      try {
        const { isJobKind } = await import("../../jobs/payloads.js");
        const scheduled = installation.config.schedules?.[job];
        const kind = scheduled?.job ?? job;
        if (kind === "stock") {
          throw new OmnifeedError(
            "config",
            "a stock job carries a sale (queued by the order pipeline): push stock by hand with `omnifeed stock push --sku SKU[:sold]`",
          );
        }
        // build-chunk belongs to a build; webhook-event and order-sync are queued by the receivers.
        if (!isJobKind(kind) || kind === "build-chunk" || kind === "webhook-event" || kind === "order-sync") {
          const names = Object.keys(installation.config.schedules ?? {});
          throw new OmnifeedError(
            "config",
            `unknown job "${job}": name import, build-feeds, publish, reconcile, orders-pull, tracking-push${names.length > 0 ? ` or a schedule (${names.join(", ")})` : ""}`,
          );
        }
        const channels = flags.channel ? parseChannelList(flags.channel) : scheduled?.channels;
        const payload = {
          name: scheduled ? job : kind,
          ...(channels ? { channels } : {}),
          force: flags.force,
          fix: flags.fix,
        };
        const queued = await installation.queues.enqueue(kind, payload);
        if (!flags.wait) {
          process.stdout.write(
            flags.json
              ? `${JSON.stringify(queued)}\n`
              : `queued ${payload.name} as job ${queued.id} (lane ${queued.lane})\n`,
          );
          return;
        }
        const { waitForRun } = await import("../../jobs/wait.js");
        const run = await waitForRun(installation.queues, installation.history, queued, flags.timeout * 1000);
        process.stdout.write(flags.json ? `${JSON.stringify(run, null, 2)}\n` : `${formatRun(run)}\n`);
        setExit(exitOf(run));
      } finally {
        await installation.close();
      }
    });

  program
    .command("status")
    .description(
      "queue depths, live workers, schedules, the last run of each job, failures, deferred items, and orders (waiting, unmatched, tracking overdue)",
    )
    .option("--config <file>", "the installation's omnifeed.config.yaml")
    .option("--json", "print JSON", false)
    .addHelpText("after", REDIS_HELP)
    .action(async (raw: unknown) => {
      const flags = parseFlags(StatusFlagsSchema, raw);
      const installation = await openInstallation(flags.config);
      try {
        const { collectStatus } = await import("../../jobs/status.js");
        const status = await collectStatus(
          installation.queues,
          installation.history,
          installation.redis,
          installation.prefix,
        );
        // The workers' order ledger shares the installation's Redis and prefix.
        const { RedisOrderLedger } = await import("../../orders/ledger-redis.js");
        const { collectOrderStatus, formatOrderStatus } = await import("../../orders/order-status.js");
        const orders = await collectOrderStatus(
          new RedisOrderLedger({ redis: installation.redis, prefix: installation.prefix }),
          new Date(),
        );
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...status, orders }, null, 2)}\n`
            : `${formatStatus(status)}\n${formatOrderStatus(orders)}\n`,
        );
      } finally {
        await installation.close();
      }
    });
}

function list(label: string, names: readonly string[]): string {
  return names.length === 0 ? `0 ${label}` : `${names.length} ${label} (${names.join(", ")})`;
}

function exitOf(run: RunRecord): ExitCode {
  switch (run.outcome) {
    case "succeeded":
      return EXIT.ok;
    case "held":
      return EXIT.held;
    case "incomplete":
      return EXIT.incomplete;
    default:
      return EXIT.failure;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatRun(run: RunRecord): string {
  const failure = run.failure ? ` — ${run.failure.kind}: ${run.failure.message}` : "";
  return `${run.job} (${run.kind}) ${run.outcome} in ${seconds(run.durationMs)}, attempt ${run.attempt}${failure}\n  ${run.summary}`;
}

export function formatStatus(status: InstallationStatus): string {
  const lines: string[] = ["queues"];
  for (const { lane, counts } of status.lanes) {
    const parts = ["waiting", "active", "delayed", "waiting-children", "failed"].map(
      (state) => `${counts[state] ?? 0} ${state}`,
    );
    lines.push(`  ${lane.padEnd(5)} ${parts.join(", ")}`);
  }
  lines.push(`workers alive: ${status.workers.length}`);
  for (const worker of status.workers) {
    lines.push(
      `  ${worker.id} lanes ${worker.lanes.join(",")}, last seen ${new Date(worker.lastSeen).toISOString()}`,
    );
  }
  lines.push(`schedules: ${status.schedules.length}`);
  for (const entry of status.schedules) {
    lines.push(
      `  ${entry.name} (${entry.job}) "${entry.cron}" next ${entry.next ? new Date(entry.next).toISOString() : "—"}`,
    );
  }
  lines.push("last runs");
  if (status.lastRuns.length === 0) lines.push("  none yet");
  for (const run of status.lastRuns) {
    lines.push(
      `  ${run.job}: ${run.outcome}, ${new Date(run.finishedAt).toISOString()}, ${seconds(run.durationMs)}${run.failure ? ` — ${run.failure.message}` : ""}`,
    );
    if (run.summary) lines.push(`    ${run.summary}`);
  }
  if (status.failures.length > 0) {
    lines.push("failures");
    for (const run of status.failures) {
      lines.push(
        `  ${new Date(run.finishedAt).toISOString()} ${run.job} attempt ${run.attempt} ${run.outcome}: ${run.failure?.kind ?? "?"}: ${run.failure?.message ?? ""}`,
      );
    }
  }
  const deferred = status.deferred.filter((entry) => entry.items > 0);
  if (deferred.length > 0) {
    lines.push("deferred by budget");
    for (const entry of deferred) lines.push(`  ${entry.channel}: ${entry.items} items (last ${entry.job})`);
  }
  return lines.join("\n");
}
