#!/usr/bin/env node
// Queue overhead per job (issue 8), on the built code (`npm run build` first) and real Redis
// (REDIS_URL or 127.0.0.1:6379): what BullMQ, and omnifeed's job machinery on top of it, cost per
// job when the job itself does nothing. Three setups, each in its own unique key prefix (deleted
// after), all with one shared connection per process as `omnifeed worker` opens it:
//
//   bullmq         — plain BullMQ: Queue.add(name, data) with no options, a Worker with BullMQ's
//                    defaults and an empty processor. The floor any BullMQ-based design pays.
//   omnifeed       — the queues of src/jobs/queues.ts (openQueues: the bulk lane's queue,
//                    jobOptionsOf's attempts, backoff, removeOnComplete/removeOnFail, deduplication
//                    by work id, the payload parsed with its zod schema), and a Worker with the
//                    options of src/jobs/worker.ts (lock and stalled interval, maxStalledCount)
//                    whose processor does what processJob does around the use case: kind check,
//                    payload safeParse, the log lines (into a no-op logger) and the run history's
//                    MULTI (RedisRunHistory.add with its metrics counters; the record names three
//                    channels with zero counts, as a three-channel run's does). Only the use case
//                    is left out: every real job kind reads the config's catalog, so none can run
//                    empty (and processJob is not exported).
//   omnifeedQueues — the same without the run history write, to tell the two costs apart.
//
// Per setup, after a warm-up of 300 jobs:
//   latency    — one job at a time through a waiting worker (concurrency 1): from the enqueue call
//                to the processor's first line (p50/p99/max), and to the `completed` event. The
//                omnifeed setups use JobQueues.enqueue itself (its dedup id is free again once the
//                previous job has finished).
//   throughput — --jobs jobs enqueued one by one (awaited, as enqueue does), then a worker started
//                with concurrency 1 and 4 (the bulk and fast lanes' defaults) drains them: jobs/s,
//                and ms per job (drain time / jobs). The omnifeed setups' backlog gets one dedup id
//                per job (the real id would fold a backlog into one job): same option, same script.
//
// The run history's write alone (`historyAddMs`): RedisRunHistory.add called 2,000 times one after
// the other, with the three-channel record and with no channels, against a PING on the same
// connection.
//
// Then, for scale, the smallest real job (`real`): startWorker (src/jobs/worker.ts, the real
// processJob) on the demo config (fixtures/catalogs/demo, 3 channels), --real-jobs `import` jobs
// one at a time after 10 to warm up, each enqueued with JobQueues.enqueue and awaited as
// `omnifeed run --wait` does: enqueue → start (the run record's startedAt, ms resolution), the use
// case (its durationMs), and enqueue → finished as the caller sees it (through QueueEvents).
//
//   node scripts/bench/queue-overhead.mjs [--jobs 3000] [--latency-jobs 1000] [--concurrency 1,4]
//                                         [--real-jobs 50] [--out .bench/queue-overhead.json]
// Prints the figures as JSON (and writes them to --out when given).
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const jobs = Number(flag("jobs", "3000"));
const latencyJobs = Number(flag("latency-jobs", "1000"));
const concurrencies = flag("concurrency", "1,4").split(",").map(Number);
const realJobs = Number(flag("real-jobs", "50"));
const outFile = flag("out", "");
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const WARM_UP = 300;
const WAIT_MS = 30_000;

const { Job, Queue, Worker } = await import("bullmq");
const { connectRedis, whenRedisReady } = await import(join(ROOT, "dist/infra/redis.js"));
const { openQueues, jobOptionsOf } = await import(join(ROOT, "dist/jobs/queues.js"));
const { bullPrefixOf, installationPrefixOf, queueNameOf } = await import(join(ROOT, "dist/jobs/lanes.js"));
const { LANE_OF, PAYLOAD_SCHEMAS, isJobKind, workIdOf } = await import(join(ROOT, "dist/jobs/payloads.js"));
const { DEFAULT_LOCK_MS, startWorker } = await import(join(ROOT, "dist/jobs/worker.js"));
const { RedisRunHistory } = await import(join(ROOT, "dist/sync/run-history.js"));

const KIND = "import";
const LANE = LANE_OF[KIND];
// A config without a `jobs:` section: the defaults a merchant gets (5 attempts, 5 s backoff).
const CONFIG = {};
const WORKER_ID = `bench:${process.pid}`;
const CHANNEL_STATS = ["google", "meta", "amazon"].map((channel) => ({
  channel,
  read: 0,
  accepted: 0,
  rejected: 0,
  filtered: 0,
  warned: 0,
  issues: [],
}));

/** The value at quantile `q` of sorted `values` (nearest rank). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const round = (value, digits = 3) => Number(value.toFixed(digits));
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.at(-1)),
  };
}

/** Resolves when `worker` has completed `count` more jobs; rejects on a failed job or after WAIT_MS. */
function completions(worker, count) {
  return new Promise((done, fail) => {
    let seen = 0;
    const timer = setTimeout(() => stop(fail, new Error(`only ${seen} of ${count} jobs done`)), WAIT_MS);
    const onCompleted = () => {
      seen += 1;
      if (seen === count) stop(done);
    };
    const onFailed = (job, error) => stop(fail, new Error(`job ${job?.id} failed: ${error.message}`));
    const stop = (settle, value) => {
      clearTimeout(timer);
      worker.off("completed", onCompleted);
      worker.off("failed", onFailed);
      settle(value);
    };
    worker.on("completed", onCompleted);
    worker.on("failed", onFailed);
  });
}

/**
 * One setup's moving parts under `prefix`: how a job is enqueued (one at a time, and as one of a
 * backlog), and the worker's processor and options.
 */
function bullmqSetup(connection, prefix) {
  const queue = new Queue("bench", { connection, prefix });
  return {
    enqueueOne: () => queue.add("noop", { name: "noop" }),
    enqueueInBacklog: () => queue.add("noop", { name: "noop" }),
    startWorker: (concurrency, processorStarted) =>
      new Worker(
        "bench",
        async () => {
          processorStarted();
        },
        { connection, prefix, concurrency, autorun: false },
      ),
    close: () => queue.close(),
  };
}

function omnifeedSetup(connection, basePrefix, { withHistory }) {
  const prefix = installationPrefixOf(basePrefix, undefined);
  const queues = openQueues(connection, prefix, CONFIG);
  const queue = queues.byLane[LANE];
  const options = jobOptionsOf(CONFIG);
  const history = new RedisRunHistory(connection, prefix, 50);
  const log = () => undefined;
  let backlogIndex = 0;
  // processJob of src/jobs/worker.ts around a use case that does nothing (see the header).
  const processor = async (job, processorStarted) => {
    processorStarted();
    const startedAt = Date.now();
    const attempt = job.attemptsMade + 1;
    const kind = job.name;
    if (!isJobKind(kind)) throw new Error(`unknown job kind "${kind}"`);
    const parsed = PAYLOAD_SCHEMAS[kind].safeParse(job.data);
    if (!parsed.success) throw new Error(`job ${job.id}: bad payload`);
    const jobName = parsed.data.name;
    log(`${jobName} (${kind}) started: job ${job.id}, attempt ${attempt} of ${job.opts.attempts ?? 1}`);
    const report = { outcome: "succeeded", summary: "nothing done", channels: CHANNEL_STATS };
    const finishedAt = Date.now();
    if (withHistory) {
      await history.add({
        id: `${job.id}#${attempt}`,
        job: jobName,
        kind,
        lane: LANE,
        startedAt,
        finishedAt,
        durationMs: finishedAt - startedAt,
        attempt,
        outcome: report.outcome,
        summary: report.summary,
        channels: report.channels,
        worker: WORKER_ID,
      });
    }
    log(
      `${jobName} ${report.outcome} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${report.summary}`,
    );
    return report.summary;
  };
  return {
    enqueueOne: () => queues.enqueue(KIND, { name: KIND }),
    enqueueInBacklog: () => {
      const data = PAYLOAD_SCHEMAS[KIND].parse({ name: KIND });
      backlogIndex += 1;
      return queue.add(KIND, data, {
        ...options,
        deduplication: { id: `${workIdOf(KIND, undefined)}#${backlogIndex}` },
      });
    },
    startWorker: (concurrency, processorStarted) =>
      new Worker(queueNameOf(LANE), (job) => processor(job, processorStarted), {
        connection,
        prefix: bullPrefixOf(prefix),
        concurrency,
        lockDuration: DEFAULT_LOCK_MS,
        stalledInterval: DEFAULT_LOCK_MS,
        maxStalledCount: 2,
        autorun: false,
      }),
    close: () => queues.close(),
  };
}

/** One job at a time: enqueue call → processor start, and → `completed`, in ms. */
async function latency(setup, count) {
  let started = 0;
  const worker = setup.startWorker(1, () => (started = performance.now()));
  await worker.waitUntilReady();
  void worker.run();
  const toStart = [];
  const toCompleted = [];
  let previous;
  try {
    for (let index = 0; index < count; index += 1) {
      const done = completions(worker, 1);
      const sent = performance.now();
      const job = await setup.enqueueOne();
      if (job.id === previous) throw new Error(`enqueue returned the previous job ${job.id} (deduplicated)`);
      previous = job.id;
      await done;
      toStart.push(started - sent);
      toCompleted.push(performance.now() - sent);
    }
  } finally {
    await worker.close();
  }
  return { toStart, toCompleted };
}

/** A backlog of `count` jobs enqueued one by one, then drained by a worker of `concurrency`. */
async function throughput(setup, count, concurrency) {
  const enqueueStarted = performance.now();
  for (let index = 0; index < count; index += 1) await setup.enqueueInBacklog();
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
  const worker = setup.startWorker(concurrency, () => undefined);
  await worker.waitUntilReady();
  const done = completions(worker, count);
  const drainStarted = performance.now();
  void worker.run();
  try {
    await done;
  } finally {
    await worker.close();
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  return {
    concurrency,
    jobsPerSecond: Math.round(count / drainSeconds),
    msPerJob: round((drainSeconds * 1000) / count),
    enqueuePerSecond: Math.round(count / enqueueSeconds),
  };
}

async function deleteKeys(connection, prefix) {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await connection.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await connection.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

async function measureSetup(name, makeSetup) {
  const prefix = `omnifeed-bench-queue-${randomBytes(4).toString("hex")}:`;
  const connection = connectRedis(redisUrl, { name: "omnifeed-bench", forQueues: true });
  await whenRedisReady(connection, 5_000);
  const setup = makeSetup(connection, prefix);
  process.stderr.write(`  queue overhead, ${name} … `);
  try {
    await latency(setup, WARM_UP);
    await throughput(setup, WARM_UP, 1);
    const { toStart, toCompleted } = await latency(setup, latencyJobs);
    const runs = [];
    for (const concurrency of concurrencies) runs.push(await throughput(setup, jobs, concurrency));
    const result = {
      latencyMs: { toStart: summary(toStart), toCompleted: summary(toCompleted) },
      throughput: runs,
    };
    process.stderr.write(
      `start p50 ${result.latencyMs.toStart.p50} ms, ${runs.map((run) => `${run.jobsPerSecond} jobs/s at ${run.concurrency}`).join(", ")}\n`,
    );
    return result;
  } finally {
    await setup.close();
    await deleteKeys(connection, prefix);
    await connection.quit();
  }
}

/** ms per RedisRunHistory.add, one call after the other, and per PING for comparison. */
async function historyAdds(count) {
  const prefix = `omnifeed-bench-queue-${randomBytes(4).toString("hex")}:`;
  const connection = connectRedis(redisUrl, { name: "omnifeed-bench", forQueues: true });
  await whenRedisReady(connection, 5_000);
  const history = new RedisRunHistory(connection, prefix, 50);
  const timed = async (call) => {
    for (let index = 0; index < WARM_UP; index += 1) await call(index);
    const started = performance.now();
    for (let index = 0; index < count; index += 1) await call(index);
    return round((performance.now() - started) / count);
  };
  const record = (index, channels) => ({
    id: `${index}#1`,
    job: KIND,
    kind: KIND,
    lane: LANE,
    startedAt: Date.now(),
    finishedAt: Date.now(),
    durationMs: 0,
    attempt: 1,
    outcome: "succeeded",
    summary: "nothing done",
    channels,
  });
  try {
    return {
      threeChannels: await timed((index) => history.add(record(index, CHANNEL_STATS))),
      noChannels: await timed((index) => history.add(record(index, []))),
      ping: await timed(() => connection.ping()),
    };
  } finally {
    await deleteKeys(connection, prefix);
    await connection.quit();
  }
}

/** `import` jobs of the demo catalog through the real worker, one at a time. */
async function realJobsRun(count) {
  const redisPrefix = `omnifeed-bench-queue-${randomBytes(4).toString("hex")}:`;
  process.stderr.write(`  queue overhead, real import jobs of the demo catalog … `);
  const worker = await startWorker({
    configFile: join(ROOT, "fixtures/catalogs/demo/omnifeed.config.yaml"),
    redisUrl,
    redisPrefix,
    lanes: [LANE],
    log: () => undefined,
  });
  const cleaner = connectRedis(redisUrl, { name: "omnifeed-bench" });
  const toStart = [];
  const useCase = [];
  const toFinished = [];
  try {
    const events = worker.queues.events(LANE);
    await events.waitUntilReady();
    const warmUp = Math.min(10, count);
    for (let index = 0; index < warmUp + count; index += 1) {
      const sentAt = Date.now();
      const sent = performance.now();
      const { id } = await worker.queues.enqueue(KIND, { name: KIND });
      const job = await Job.fromId(worker.queues.byLane[LANE], id);
      await job.waitUntilFinished(events, WAIT_MS);
      const finished = performance.now() - sent;
      const [run] = await worker.history.recent({ job: KIND, limit: 1 });
      if (run?.id !== `${id}#1` || run.outcome !== "succeeded") {
        throw new Error(`job ${id}: expected one successful run, the history has ${JSON.stringify(run)}`);
      }
      if (index < warmUp) continue;
      toStart.push(run.startedAt - sentAt);
      useCase.push(run.durationMs);
      toFinished.push(finished);
    }
  } finally {
    await worker.close();
    await deleteKeys(cleaner, redisPrefix);
    await cleaner.quit();
  }
  const result = {
    jobs: count,
    latencyMs: { toStart: summary(toStart), useCase: summary(useCase), toFinished: summary(toFinished) },
  };
  process.stderr.write(
    `start p50 ${result.latencyMs.toStart.p50} ms, use case p50 ${result.latencyMs.useCase.p50} ms, finished p50 ${result.latencyMs.toFinished.p50} ms\n`,
  );
  return result;
}

const redisInfo = connectRedis(redisUrl, { name: "omnifeed-bench" });
await whenRedisReady(redisInfo, 5_000);
const redisVersion = /redis_version:(\S+)/.exec(await redisInfo.info("server"))?.[1];
await redisInfo.quit();

const bullmq = await measureSetup("plain BullMQ", bullmqSetup);
const omnifeedQueues = await measureSetup("omnifeed's queues, no run history", (connection, prefix) =>
  omnifeedSetup(connection, prefix, { withHistory: false }),
);
const omnifeed = await measureSetup("omnifeed's queues and processJob", (connection, prefix) =>
  omnifeedSetup(connection, prefix, { withHistory: true }),
);
const historyAddMs = await historyAdds(2_000);
const real = realJobs > 0 ? await realJobsRun(realJobs) : undefined;
const addedAt = (concurrency) => {
  const plain = bullmq.throughput.find((run) => run.concurrency === concurrency);
  const ours = omnifeed.throughput.find((run) => run.concurrency === concurrency);
  return plain && ours ? round(ours.msPerJob - plain.msPerJob) : undefined;
};
const results = {
  bench: "queue overhead per job (no-op jobs, real Redis)",
  date: new Date().toISOString(),
  node: process.version,
  redis: redisVersion,
  jobs,
  latencyJobs,
  bullmq,
  omnifeedQueues,
  omnifeed,
  historyAddMs,
  real,
  omnifeedAddsMsPerJob: Object.fromEntries(concurrencies.map((c) => [`concurrency${c}`, addedAt(c)])),
};
const text = `${JSON.stringify(results, null, 2)}\n`;
if (outFile !== "") {
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  writeFileSync(resolve(outFile), text);
}
process.stdout.write(text);
