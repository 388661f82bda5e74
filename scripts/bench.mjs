#!/usr/bin/env node
// The benchmark of docs/performance.md: `npm run bench` (builds first).
//
// For each catalog size it generates one synthetic CSV (`omnifeed dev gen-catalog`, seed 42) and
// times, each in a fresh process under /usr/bin/time (wall time and peak RSS of the whole process,
// worker threads included):
//   - the floor: csv-parse over the file, and plain line reading;
//   - the full export to Google XML + Meta CSV + Amazon JSON_LISTINGS_FEED, with 2, 1 and 0 build
//     workers (0 = everything on the main thread);
//   - each channel alone (2 workers);
//   - the peer, @xcommerceweb/google-merchant-feed, building the Google XML of the same items.
// It prints a table and writes every figure to .bench/results.json.
//
//   node scripts/bench.mjs [--sizes 100000,1000000] [--peer-sizes 100000,1000000] [--peer-timeout 900]
//                          [--runs floor,export-2] (only the runs named; default all)
// then the publishing runs of scripts/bench/publish.mjs (run ids publish-rate, publish-delta), the
// queue overhead per job of scripts/bench/queue-overhead.mjs (queue-overhead; Redis at REDIS_URL or
// 127.0.0.1:6379) and the hosted feed's conditional GETs of scripts/bench/hosted-feed.mjs
// (hosted-feed), and the chunked build of the largest size on 1 and 2 worker processes of
// scripts/bench/chunked-workers.mjs (chunked-workers), and 50,000 variants read from the Shopify
// (bulk) and WooCommerce (pages) simulators of scripts/bench/store-import.mjs (store-import).
// Then the webhook receiver under load of scripts/bench/webhooks.mjs (webhooks: signed Shopify
// deliveries for 20 s, every 2xx's job looked up in Redis afterwards).
// The sale-to-other-channel stock latency of scripts/bench/stock-push.mjs (stock-push).
// `--runs queue-overhead,hosted-feed` runs those two alone, without a catalog.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BENCH = join(ROOT, ".bench");
const BIN = join(ROOT, "bin/omnifeed.js");
const TIME = "/usr/bin/time";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const sizes = flag("sizes", "100000,1000000").split(",").map(Number);
const peerSizes = flag("peer-sizes", "100000,1000000").split(",").map(Number);
const peerTimeout = Number(flag("peer-timeout", "900"));
// Run ids: floor (csv-parse), floor-lines, export-2, export-1, export-0, google-2, google-0, meta-2,
// amazon-2, peer. The first run kept is the floor the ratios are taken against: keep `floor`.
const onlyRuns = flag("runs", "")
  .split(",")
  .filter((id) => id !== "");
const wanted = (id) => onlyRuns.length === 0 || onlyRuns.includes(id);
const SIZE_RUNS = [
  "floor",
  "floor-lines",
  "export-2",
  "export-1",
  "export-0",
  "google-2",
  "google-0",
  "meta-2",
  "amazon-2",
  "peer",
];
const OTHER_RUNS = [
  "publish-rate",
  "publish-delta",
  "queue-overhead",
  "hosted-feed",
  "chunked-workers",
  "store-import",
  "webhooks",
  "stock-push",
];
const unknownRuns = onlyRuns.filter((id) => !SIZE_RUNS.includes(id) && !OTHER_RUNS.includes(id));
if (unknownRuns.length > 0) {
  console.error(
    `--runs: unknown run id ${unknownRuns.join(", ")}; known: ${[...SIZE_RUNS, ...OTHER_RUNS].join(", ")}`,
  );
  process.exit(2);
}
const seed = 42;

if (!existsSync(TIME)) {
  console.error(`${TIME} is needed to measure peak memory (Debian: apt-get install time)`);
  process.exit(2);
}
mkdirSync(BENCH, { recursive: true });

// The demo store's mappings: category lookups, rules and filters, as a merchant would run them.
const config = join(BENCH, "bench.config.yaml");
writeFileSync(
  config,
  [
    "catalog:",
    "  options: { currency: USD, store_url: https://bench.omnifeed.dev }",
    "channels:",
    ...["google", "meta", "amazon"].map(
      (channel) =>
        `  ${channel}: { mapping: ${resolve(ROOT, `channel-mappings/examples/demo/${channel}.yaml`)}` +
        // The Amazon feed needs the seller's account (adr/0009).
        `${channel === "amazon" ? ", account: { seller_id: A1DEMOSELLER00 }" : ""} }`,
    ),
    "",
  ].join("\n"),
);

/** Runs a command under /usr/bin/time; returns wall seconds, peak RSS in MB and how it ended. */
function measure(label, command, commandArgs, { timeoutSeconds } = {}) {
  const stats = join(BENCH, "time.txt");
  rmSync(stats, { force: true });
  process.stderr.write(`  ${label} … `);
  const run = spawnSync(TIME, ["-f", "%e %M %U %S %x", "-o", stats, command, ...commandArgs], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    timeout: timeoutSeconds ? timeoutSeconds * 1000 : undefined,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error?.code === "ETIMEDOUT") {
    process.stderr.write(`killed after ${timeoutSeconds} s\n`);
    return { label, outcome: `killed after ${timeoutSeconds} s` };
  }
  const lines = existsSync(stats) ? readFileSync(stats, "utf8").trim().split("\n") : [];
  const [wall, rssKb, user, system, exit] = (lines.at(-1) ?? "").split(" ").map(Number);
  // GNU time reports a killed command on a line of its own, and its exit status as 0.
  const signal = /terminated by signal (\d+)/.exec(lines.join(" "))?.[1];
  const stderr = run.stderr.toString();
  const outcome =
    exit === 0 && !signal
      ? "ok"
      : /heap out of memory|Allocation failed/i.test(stderr)
        ? `crashed: JavaScript heap out of memory after ${wall} s (${signal ? `signal ${signal}` : `exit ${exit}`})`
        : `failed (${signal ? `signal ${signal}` : `exit ${exit}`}): ${stderr.trim().split("\n").slice(-2).join(" ").slice(0, 200)}`;
  const result = {
    label,
    outcome,
    wallSeconds: wall,
    peakRssMb: Math.round(rssKb / 1024),
    cpuSeconds: user + system,
  };
  process.stderr.write(`${wall} s, ${result.peakRssMb} MB, ${outcome}\n`);
  return result;
}

function exportRun(label, catalog, out, channels, feeds, workers) {
  rmSync(out, { recursive: true, force: true });
  const result = measure(label, process.execPath, [
    BIN,
    "export",
    "--config",
    config,
    "--catalog",
    catalog,
    "--channel",
    channels,
    "--feeds",
    feeds,
    "--out",
    out,
    "--workers",
    String(workers),
    "--quiet",
  ]);
  rmSync(out, { recursive: true, force: true });
  return result;
}

const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  seed,
  sizes: [],
};

// A catalog is generated only for runs that read one (a million variants take minutes to write).
for (const size of SIZE_RUNS.some(wanted) ? sizes : []) {
  const catalog = join(BENCH, `catalog-${size}.csv`);
  if (!existsSync(catalog)) {
    process.stderr.write(`generating ${catalog}\n`);
    execFileSync(
      process.execPath,
      [BIN, "dev", "gen-catalog", "--variants", String(size), "--seed", String(seed), "--out", catalog],
      {
        stdio: "inherit",
      },
    );
  }
  const fileMb = Math.round(Number(execFileSync("stat", ["-c", "%s", catalog]).toString()) / 2 ** 20);
  process.stderr.write(`${size} variants (${fileMb} MB CSV)\n`);
  const out = join(BENCH, "out");
  const runs = [
    [
      "floor",
      () =>
        measure("floor: csv-parse", process.execPath, [
          join(ROOT, "scripts/bench/parse-floor.mjs"),
          "csv-parse",
          catalog,
        ]),
    ],
    [
      "floor-lines",
      () =>
        measure("floor: line reading", process.execPath, [
          join(ROOT, "scripts/bench/parse-floor.mjs"),
          "lines",
          catalog,
        ]),
    ],
    [
      "export-2",
      () =>
        exportRun(
          "export all three, 2 workers",
          catalog,
          out,
          "google,meta,amazon",
          "google-xml,meta-csv,amazon-json",
          2,
        ),
    ],
    [
      "export-1",
      () =>
        exportRun(
          "export all three, 1 worker",
          catalog,
          out,
          "google,meta,amazon",
          "google-xml,meta-csv,amazon-json",
          1,
        ),
    ],
    [
      "export-0",
      () =>
        exportRun(
          "export all three, main thread only",
          catalog,
          out,
          "google,meta,amazon",
          "google-xml,meta-csv,amazon-json",
          0,
        ),
    ],
    ["google-2", () => exportRun("Google XML alone, 2 workers", catalog, out, "google", "google-xml", 2)],
    [
      "google-0",
      () => exportRun("Google XML alone, main thread only", catalog, out, "google", "google-xml", 0),
    ],
    ["meta-2", () => exportRun("Meta CSV alone, 2 workers", catalog, out, "meta", "meta-csv", 2)],
    ["amazon-2", () => exportRun("Amazon JSON alone, 2 workers", catalog, out, "amazon", "amazon-json", 2)],
  ]
    .filter(([id]) => wanted(id))
    .map(([, run]) => run());
  if (peerSizes.includes(size) && wanted("peer")) {
    const peerOut = join(BENCH, "peer-google.xml");
    runs.push(
      measure(
        "peer: google-merchant-feed, Google XML",
        process.execPath,
        [join(ROOT, "scripts/bench/peer-google.mjs"), catalog, peerOut],
        {
          timeoutSeconds: peerTimeout,
        },
      ),
    );
    rmSync(peerOut, { force: true });
  }
  for (const run of runs)
    if (run.outcome === "ok") run.variantsPerSecond = Math.round(size / run.wallSeconds);
  results.sizes.push({ variants: size, fileMb, runs });
}

// Publishing (issue 7): the sustained call rate against a simulator's quota, one and two processes,
// and delta planning over the largest catalog against stored state (scripts/bench/publish.mjs).
const publishRuns = ["rate", "delta"].filter((id) => wanted(`publish-${id}`));
if (publishRuns.length > 0) {
  const publishJson = join(BENCH, "publish.json");
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, "scripts/bench/publish.mjs"),
      "--runs",
      publishRuns.join(","),
      "--variants",
      String(Math.max(...sizes)),
      "--out",
      publishJson,
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  results.publish =
    run.status === 0 ? JSON.parse(readFileSync(publishJson, "utf8")) : { failed: `exit ${run.status}` };
}

// Job machinery (issue 8): what BullMQ and omnifeed's queues add per job, on real Redis.
if (wanted("queue-overhead")) {
  const queueJson = join(BENCH, "queue-overhead.json");
  rmSync(queueJson, { force: true });
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "scripts/bench/queue-overhead.mjs"), "--out", queueJson],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  results.queueOverhead =
    run.status === 0 ? JSON.parse(readFileSync(queueJson, "utf8")) : { failed: `exit ${run.status}` };
}

// Hosted feeds (issue 8): conditional GETs of the demo's Google XML, answered 304, with autocannon.
if (wanted("hosted-feed")) {
  process.stderr.write("  hosted feed, conditional GETs … ");
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/bench/hosted-feed.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  results.hostedFeed =
    run.status === 0
      ? JSON.parse(run.stdout.toString())
      : { failed: `exit ${run.status}: ${run.stderr.toString().trim().split("\n").at(-1)}` };
  process.stderr.write(
    results.hostedFeed.failed ??
      `${results.hostedFeed.requestsPerSecond} req/s, p99 ${results.hostedFeed.latencyMs.p99} ms\n`,
  );
}

// Webhook receivers (issue 10 §5): signed Shopify deliveries through the server into the fast lane.
if (wanted("webhooks")) {
  process.stderr.write("  webhook receiver, signed deliveries … ");
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/bench/webhooks.mjs"), "--seconds", "20"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  results.webhooks =
    run.stdout.length > 0
      ? JSON.parse(run.stdout.toString())
      : { failed: `exit ${run.status}: ${run.stderr.toString().trim().split("\n").at(-1)}` };
  process.stderr.write(
    results.webhooks.failed ??
      `${results.webhooks.acceptedPerSecond} deliveries/s, p99 ${results.webhooks.latencyMs.p99} ms, ` +
        `${results.webhooks.acceptedFoundInRedis} of ${results.webhooks.accepted} accepted found in Redis\n`,
  );
}

// Chunked builds (issue 8): the largest size built by 1 then 2 worker processes, one core each.
if (wanted("chunked-workers")) {
  const largest = Math.max(...sizes);
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "scripts/bench/chunked-workers.mjs"), "--variants", String(largest), "--pin"],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
  results.chunkedWorkers =
    run.status === 0
      ? JSON.parse(readFileSync(join(BENCH, "chunked-workers.json"), "utf8"))
      : { failed: `exit ${run.status}` };
}

// Stock propagation (issue 10 §4): a sale to Google and Meta through their stock path, per sale.
if (wanted("stock-push")) {
  process.stderr.write("  stock push, sale to Google and Meta … ");
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/bench/stock-push.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  results.stockPush =
    run.status === 0
      ? JSON.parse(run.stdout.toString())
      : { failed: `exit ${run.status}: ${run.stderr.toString().trim().split("\n").at(-1)}` };
  process.stderr.write(
    results.stockPush.failed ??
      `p50 ${results.stockPush.latencyMs.p50} ms, p95 ${results.stockPush.latencyMs.p95} ms\n`,
  );
}

// Store catalogs (issue 9): 50,000 variants through Shopify bulk and WooCommerce pages, RSS flat.
if (wanted("store-import")) {
  const storeJson = join(BENCH, "store-import.json");
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "scripts/bench/store-import.mjs"), "--variants", "50000", "--out", storeJson],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  results.storeImport =
    run.status === 0 ? JSON.parse(readFileSync(storeJson, "utf8")) : { failed: `exit ${run.status}` };
}

const json = join(BENCH, "results.json");
writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);

// The table, in Markdown, for docs/performance.md.
const lines = [
  `Machine: ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.memoryGb} GB, Node ${results.machine.node}.`,
];
if (results.sizes.length > 0) {
  lines.push(
    "",
    "| variants | run | wall s | variants/s | peak RSS MB | × floor | outcome |",
    "|---:|---|---:|---:|---:|---:|---|",
  );
}
for (const { variants, runs } of results.sizes) {
  const floor = runs[0]?.wallSeconds;
  for (const run of runs) {
    const ratio = run.wallSeconds && floor ? (run.wallSeconds / floor).toFixed(2) : "";
    lines.push(
      `| ${variants.toLocaleString("en")} | ${run.label} | ${run.wallSeconds ?? ""} | ${run.variantsPerSecond?.toLocaleString("en") ?? ""} | ${run.peakRssMb ?? ""} | ${ratio} | ${run.outcome} |`,
    );
  }
}
for (const rate of results.publish?.rate ?? []) {
  lines.push(
    "",
    `publish rate, ${rate.processes} process(es), limit ${rate.limitPerSecond}/s: ${rate.achievedPerSecond.toFixed(2)}/s ` +
      `(${(rate.shareOfLimit * 100).toFixed(1)}% of the limit), ${rate.answered429} of ${rate.calls} calls answered 429 ` +
      `(${(rate.share429 * 100).toFixed(2)}%)${rate.failure ? `; ${rate.failure}` : ""}`,
  );
}
for (const delta of results.publish?.delta ?? []) {
  lines.push(
    "",
    `delta planning, ${delta.backend}, ${delta.variants.toLocaleString("en")} variants, ${delta.changedVariants} prices changed: ` +
      `validate ${delta.validateSeconds.toFixed(1)} s, publish --dry-run ${delta.dryRunSeconds.toFixed(1)} s ` +
      `(+${delta.planningBeyondBuildSeconds.toFixed(1)} s, of which the plan on the main thread ${delta.planningMainThreadSeconds?.toFixed(1)} s), ` +
      `${delta.plannedUpdates} updates planned, ` +
      `${delta.itemsSent} items sent in ${delta.itemsBatchCalls} items_batch calls${delta.failure ? `; ${delta.failure}` : ""}`,
  );
}
const queue = results.queueOverhead;
if (queue?.failed) lines.push("", `queue overhead: failed (${queue.failed})`);
else if (queue) {
  for (const [label, setup] of [
    ["plain BullMQ", queue.bullmq],
    ["omnifeed queues, no run history", queue.omnifeedQueues],
    ["omnifeed queues + processJob (no-op use case)", queue.omnifeed],
  ]) {
    const start = setup.latencyMs.toStart;
    lines.push(
      "",
      `queue overhead, ${label}: enqueue → start p50 ${start.p50} ms, p99 ${start.p99} ms; ` +
        setup.throughput
          .map(
            (run) => `concurrency ${run.concurrency}: ${run.jobsPerSecond} jobs/s (${run.msPerJob} ms/job)`,
          )
          .join("; "),
    );
  }
  lines.push(
    "",
    `omnifeed adds per job: ${Object.entries(queue.omnifeedAddsMsPerJob)
      .map(([at, ms]) => `${ms} ms (${at.replace("concurrency", "concurrency ")})`)
      .join(", ")}`,
  );
  const adds = queue.historyAddMs;
  lines.push(
    "",
    `run history write alone: ${adds.threeChannels} ms (three channels), ${adds.noChannels} ms (none), PING ${adds.ping} ms`,
  );
  if (queue.real) {
    const { toStart, useCase, toFinished } = queue.real.latencyMs;
    lines.push(
      "",
      `real import jobs of the demo catalog, one at a time: enqueue → start p50 ${toStart.p50} ms, ` +
        `use case p50 ${useCase.p50} ms, enqueue → finished p50 ${toFinished.p50} ms (p99 ${toFinished.p99} ms)`,
    );
  }
}
const feed = results.hostedFeed;
if (feed?.failed) lines.push("", `hosted feed: failed (${feed.failed})`);
else if (feed) {
  lines.push(
    "",
    `hosted feed, conditional GET of ${feed.file} (${feed.connections} connections, ${feed.seconds} s): ` +
      `${feed.requestsPerSecond} req/s, p50 ${feed.latencyMs.p50} ms, p99 ${feed.latencyMs.p99} ms, ` +
      `${(feed.share304 * 100).toFixed(1)}% answered 304, ${feed.errors} errors`,
  );
}
process.stdout.write(`${lines.join("\n")}\n\nfigures: ${json}\n`);
