#!/usr/bin/env node
// A chunked build on 1 vs 2 worker processes (issue 8), on the built code and real Redis
// (REDIS_URL, default redis://127.0.0.1:6379; keys under a fresh prefix, deleted afterwards).
//
// For each worker count it starts that many `omnifeed worker` processes, each under /usr/bin/time
// (peak RSS of the whole process, build threads included) and, with --pin, each pinned to its own
// core with taskset — one core per worker stands for one machine per worker, which is what scaling
// out means; unpinned on a 2-core machine, two processes only share the same two cores. Then it
// times `omnifeed run build-feeds --wait` (plan + chunk jobs + assembly), stops the workers with
// SIGTERM and reads their figures. The catalog is the bench's synthetic CSV (seed 42), generated
// into .bench/ when missing. Prints a table and writes .bench/chunked-workers.json.
//
//   node scripts/bench/chunked-workers.mjs [--variants 1000000] [--workers 1,2] [--pin]
//                                         [--chunk-batches 500] [--threads 1]
/* global setTimeout, performance */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH = join(ROOT, ".bench");
const BIN = join(ROOT, "bin/omnifeed.js");
const TIME = "/usr/bin/time";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const variants = Number(flag("variants", "1000000"));
const workerCounts = flag("workers", "1,2").split(",").map(Number);
const pin = args.includes("--pin");
const chunkBatches = Number(flag("chunk-batches", "500"));
const threads = Number(flag("threads", "1"));
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

if (!existsSync(TIME)) {
  console.error(`${TIME} is needed to measure peak memory (Debian: apt-get install time)`);
  process.exit(2);
}
mkdirSync(BENCH, { recursive: true });
const catalog = join(BENCH, `catalog-${variants}.csv`);
if (!existsSync(catalog)) {
  process.stderr.write(`generating ${catalog} … `);
  execFileSync(process.execPath, [
    BIN,
    "dev",
    "gen-catalog",
    "--variants",
    String(variants),
    "--seed",
    "42",
    "--out",
    catalog,
  ]);
  process.stderr.write("done\n");
}

const prefix = `omnifeed-bench:${randomUUID()}:`;
const out = join(BENCH, "chunked-out");
const configFile = join(BENCH, "chunked.config.yaml");
writeFileSync(
  configFile,
  [
    "catalog:",
    `  file: ${catalog}`,
    "  options: { currency: USD, store_url: https://bench.omnifeed.dev }",
    "channels:",
    ...["google", "meta", "amazon"].map(
      (channel) =>
        `  ${channel}: { mapping: ${resolve(ROOT, `channel-mappings/examples/demo/${channel}.yaml`)}` +
        `${channel === "amazon" ? ", account: { seller_id: A1DEMOSELLER00 }" : ""} }`,
    ),
    `output: { dir: ${out} }`,
    "state: { workspace: chunked }",
    `build: { workers: ${threads}, batch_size: 100, chunk_batches: ${chunkBatches} }`,
    // Chunk jobs of a million variants run for many seconds on a loaded core.
    "jobs: { lock_ms: 60000 }",
    "",
  ].join("\n"),
);
const env = { ...process.env, REDIS_URL: redisUrl, OMNIFEED_REDIS_PREFIX: prefix };

function startWorker(index) {
  const stats = join(BENCH, `chunked-worker-${index}.time`);
  rmSync(stats, { force: true });
  const node = [process.execPath, BIN, "worker", "--config", configFile, "--grace-ms", "1000"];
  const command = pin ? ["taskset", "-c", String(index % cpus().length), ...node] : node;
  const child = spawn(TIME, ["-f", "%e %M %U %S", "-o", stats, ...command], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (data) => (log += data));
  child.stderr.on("data", (data) => (log += data));
  const exited = new Promise((done) => child.on("exit", done));
  return { child, stats, exited, log: () => log };
}

async function until(check, timeoutMs, why) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${why()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

function runCommand(commandArgs) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, commandArgs, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => (stdout += data));
    child.stderr.on("data", (data) => (stderr += data));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

// The node process under /usr/bin/time (and taskset, which execs it): SIGTERM goes to it, since
// time does not pass signals on.
function nodePidOf(timePid) {
  const found = spawnSync("pgrep", ["-P", String(timePid)], { encoding: "utf8" }).stdout.trim();
  return Number(found.split("\n")[0]);
}

const results = [];
for (const count of workerCounts) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`${count} worker${count === 1 ? "" : "s"}${pin ? " (one core each)" : ""} … `);
  const workers = Array.from({ length: count }, (_, index) => startWorker(index));
  try {
    for (const worker of workers)
      await until(() => worker.log().includes("serving lanes"), 30_000, worker.log);
    const started = performance.now();
    // Not spawnSync: the workers' output must keep flowing while the build runs.
    const run = await runCommand([BIN, "run", "build-feeds", "--config", configFile, "--wait"]);
    const wallSeconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`build failed (${run.status}):\n${run.stdout}${run.stderr}`);
    const chunks = /(\d+) chunks on (\d+) workers?/.exec(run.stdout);
    const logs = workers.map((worker) => worker.log());
    results.push({
      workers: count,
      pinned: pin,
      wallSeconds: Number(wallSeconds.toFixed(1)),
      chunks: Number(chunks?.[1] ?? 0),
      workersUsed: Number(chunks?.[2] ?? 0),
      chunkJobsPerWorker: logs.map((log) => (log.match(/\(build-chunk\) started/g) ?? []).length),
      workerStats: [],
    });
    process.stderr.write(`${wallSeconds.toFixed(1)} s\n`);
  } finally {
    for (const worker of workers) {
      const pid = nodePidOf(worker.child.pid);
      if (pid) process.kill(pid, "SIGTERM");
    }
    await Promise.all(workers.map((worker) => worker.exited));
  }
  const last = results.at(-1);
  if (last?.workers === count) {
    last.workerStats = workers.map((worker) => {
      const [wall, rssKb, user, system] = readFileSync(worker.stats, "utf8")
        .trim()
        .split("\n")
        .at(-1)
        .split(" ");
      return {
        peakRssMb: Math.round(Number(rssKb) / 1024),
        cpuSeconds: Number((Number(user) + Number(system)).toFixed(1)),
        upSeconds: Number(wall),
      };
    });
  }
}

// Clean up the bench's keys.
const { Redis } = await import("ioredis");
const redis = new Redis(redisUrl, { lazyConnect: true });
await redis.connect();
let cursor = "0";
do {
  const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
  if (keys.length > 0) await redis.unlink(...keys);
  cursor = next;
} while (cursor !== "0");
await redis.quit();
rmSync(out, { recursive: true, force: true });

console.log(
  `chunked build of ${variants.toLocaleString("en-US")} variants, ${threads} build thread(s) per worker`,
);
console.log("workers  wall s  chunks  chunk jobs each   peak RSS MB each   CPU s each");
for (const result of results) {
  console.log(
    [
      String(result.workers).padEnd(8),
      String(result.wallSeconds).padStart(6),
      String(result.chunks).padStart(7),
      result.chunkJobsPerWorker.join(" / ").padStart(16),
      result.workerStats
        .map((stats) => stats.peakRssMb)
        .join(" / ")
        .padStart(18),
      result.workerStats
        .map((stats) => stats.cpuSeconds)
        .join(" / ")
        .padStart(12),
    ].join(" "),
  );
}
writeFileSync(
  join(BENCH, "chunked-workers.json"),
  JSON.stringify({ variants, threads, chunkBatches, pinned: pin, cores: cpus().length, results }, null, 2),
);
