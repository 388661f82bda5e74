#!/usr/bin/env node
// Publishing benchmark (issue 7), on the built CLI (`npm run build` first) against the local
// simulators, each run in a fresh process:
//
//   rate  — `omnifeed publish --channel amazon` of a catalog below the Feeds threshold, so every
//           item is one Listings Items call, against a simulator whose quota is --limit calls/s:
//           the sustained rate the simulator saw and the share of calls it answered 429, for one
//           process and for two processes publishing halves of the catalog to the same account at
//           once (Redis state, one token bucket shared through Redis).
//   delta — a catalog of --variants published once to the Meta simulator (seeding the state), then
//           1% of its prices changed: the time `publish --dry-run` takes beyond `validate` (the
//           same build without publishing), and the calls the real publish of the change makes.
//           Both state backends (embedded SQLite; Redis when REDIS_URL or 127.0.0.1:6379 answers).
//
//   node scripts/bench/publish.mjs [--runs rate,delta] [--variants 1000000] [--rate-items 600]
//                                  [--limit 20] [--out .bench/publish.json]
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { performance } from "node:perf_hooks";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH = join(ROOT, ".bench");
const BIN = join(ROOT, "bin/omnifeed.js");
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const runs = flag("runs", "rate,delta").split(",");
const variants = Number(flag("variants", "1000000"));
const rateItems = Number(flag("rate-items", "600"));
const limit = Number(flag("limit", "20"));
const outFile = resolve(flag("out", join(BENCH, "publish.json")));
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
mkdirSync(BENCH, { recursive: true });

const { startAmazonSimulator } = await import(join(ROOT, "dist/dev/simulators/amazon.js"));
const { startMetaSimulator } = await import(join(ROOT, "dist/dev/simulators/meta.js"));

const results = { date: new Date().toISOString(), node: process.version };

/** Runs the CLI; resolves with wall seconds, the exit code and the output. */
function cli(cliArgs, env) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...cliArgs], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) =>
      done({ seconds: (performance.now() - started) / 1000, code, stdout, stderr }),
    );
  });
}

function writeConfig(file, channel, account, catalog, extra = []) {
  const mapping = resolve(ROOT, `channel-mappings/examples/demo/${channel}.yaml`);
  writeFileSync(
    file,
    [
      "catalog:",
      `  file: ${catalog}`,
      "  options: { currency: USD, store_url: https://bench.omnifeed.dev }",
      "channels:",
      `  ${channel}:`,
      `    mapping: ${mapping}`,
      `    account: ${JSON.stringify(account)}`,
      ...extra,
      "",
    ].join("\n"),
  );
}

function generate(count, file) {
  if (existsSync(file)) return;
  const run = spawnSync(
    process.execPath,
    [BIN, "dev", "gen-catalog", "--variants", String(count), "--seed", "42", "--out", file],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (run.status !== 0) throw new Error(`gen-catalog ${count} failed`);
}

function redisAnswers() {
  const probe = spawnSync(process.execPath, [
    "-e",
    `const s=require("net").connect(${new URL(redisUrl).port || 6379},"${new URL(redisUrl).hostname}");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));`,
  ]);
  return probe.status === 0;
}

/** The rate the simulator saw: allowed calls per second over the span of allowed calls. */
function rateOf(stats) {
  const span = ((stats.lastAt ?? 0) - (stats.firstAt ?? 0)) / 1000;
  const allowed = stats.allowed;
  const total = allowed + stats.refused;
  return {
    calls: total,
    answered429: stats.refused,
    share429: total ? stats.refused / total : 0,
    achievedPerSecond: span > 0 ? (allowed - 1) / span : 0,
  };
}

async function rateBench() {
  const catalog = join(BENCH, `catalog-${rateItems}.csv`);
  generate(rateItems, catalog);
  results.rate = [];
  for (const processes of [1, 2]) {
    const simulator = await startAmazonSimulator({ port: 0, rateLimit: { perSecond: limit, burst: 5 } });
    const dir = join(BENCH, `publish-rate-${processes}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const account = {
      ...simulator.accountSettings,
      rate_limit_per_second: limit,
      rate_limit_burst: 5,
      feed_threshold: 100000,
    };
    // Two processes: two workspaces (each its own items), one Amazon account, one shared bucket.
    const halves = processes === 1 ? [catalog] : await splitCatalog(catalog, dir);
    const children = halves.map((half, index) => {
      const config = join(dir, `config-${index}.yaml`);
      writeConfig(config, "amazon", account, half);
      return cli(
        [
          "publish",
          "--config",
          config,
          "--channel",
          "amazon",
          "--quiet",
          "--json",
          "--workers",
          "0",
          ...(processes === 1
            ? ["--state-file", join(dir, "state.sqlite")]
            : ["--state", "redis", "--workspace", `bench-rate-${Date.now()}-${index}`]),
        ],
        { ...simulator.env, REDIS_URL: redisUrl },
      );
    });
    const done = await Promise.all(children);
    const failed = done.find((run) => run.code !== 0);
    const figures = {
      processes,
      limitPerSecond: limit,
      ...rateOf(simulator.quota.stats),
      held: simulator.items().size,
    };
    figures.shareOfLimit = figures.achievedPerSecond / limit;
    if (failed) figures.failure = `exit ${failed.code}: ${failed.stderr.slice(-300)}`;
    results.rate.push(figures);
    process.stderr.write(`rate ${JSON.stringify(figures)}\n`);
    await simulator.close();
  }
}

/** Splits a CSV catalog in two by product (item_group_id), keeping the header in both. */
async function splitCatalog(file, dir) {
  const outputs = [join(dir, "half-0.csv"), join(dir, "half-1.csv")];
  const streams = outputs.map((path) => createWriteStream(path));
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header;
  let record = "";
  let quotes = 0;
  let products = 0;
  let current = "";
  for await (const line of lines) {
    if (header === undefined) {
      header = line;
      for (const stream of streams) stream.write(`${line}\n`);
      continue;
    }
    record = record ? `${record}\n${line}` : line;
    quotes += (line.match(/"/g) ?? []).length;
    if (quotes % 2 !== 0) continue;
    const group = record.split(",", 1)[0];
    if (group !== current) {
      current = group;
      products += 1;
    }
    streams[products % 2].write(`${record}\n`);
    record = "";
    quotes = 0;
  }
  for (const stream of streams) {
    stream.end();
    await once(stream, "close");
  }
  return outputs;
}

/** A copy of the catalog with the price of every 100th variant raised by 1.00. */
async function withChangedPrices(file, out) {
  const output = createWriteStream(out);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header;
  let priceAt = -1;
  let record = "";
  let quotes = 0;
  let index = 0;
  let changed = 0;
  for await (const line of lines) {
    if (header === undefined) {
      header = line.split(",");
      priceAt = header.indexOf("price");
      output.write(`${line}\n`);
      continue;
    }
    record = record ? `${record}\n${line}` : line;
    quotes += (line.match(/"/g) ?? []).length;
    if (quotes % 2 !== 0) continue;
    index += 1;
    if (index % 100 === 0) {
      const next = changePrice(record, priceAt);
      if (next !== record) changed += 1;
      record = next;
    }
    output.write(`${record}\n`);
    record = "";
    quotes = 0;
  }
  output.end();
  await once(output, "close");
  return changed;
}

// The price column of a CSV record; fields before it may be quoted (commas inside quotes).
function changePrice(record, priceAt) {
  const fields = [];
  let field = "";
  let quoted = false;
  for (let at = 0; at < record.length; at += 1) {
    const char = record[at];
    if (char === '"') quoted = !quoted;
    if (char === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += char;
  }
  fields.push(field);
  const price = Number(fields[priceAt]);
  if (!Number.isFinite(price) || fields[priceAt] === "") return record;
  fields[priceAt] = (price + 1).toFixed(2);
  return fields.join(",");
}

async function deltaBench() {
  const catalog = join(BENCH, `catalog-${variants}.csv`);
  generate(variants, catalog);
  const changedCatalog = join(BENCH, `catalog-${variants}-1pct.csv`);
  rmSync(changedCatalog, { force: true });
  const changedVariants = await withChangedPrices(catalog, changedCatalog);
  results.delta = [];
  const backends = ["embedded", ...(redisAnswers() ? ["redis"] : [])];
  for (const backend of backends) {
    const simulator = await startMetaSimulator({ port: 0, rateLimit: undefined, processingDelayMs: 0 });
    const dir = join(BENCH, `publish-delta-${backend}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "config.yaml");
    // No quota here: the delta run measures planning, not Meta's (very low) call budget.
    writeConfig(
      config,
      "meta",
      {
        ...simulator.accountSettings,
        poll_interval_ms: 100,
        rate_limit_per_second: 1000,
        rate_limit_burst: 100,
      },
      catalog,
    );
    const state =
      backend === "embedded"
        ? ["--state-file", join(dir, "state.sqlite")]
        : ["--state", "redis", "--workspace", `bench-delta-${Date.now()}`];
    const env = { ...simulator.env, REDIS_URL: redisUrl };
    const publish = (extra) =>
      cli(["publish", "--config", config, "--channel", "meta", "--quiet", "--json", ...state, ...extra], env);
    const seed = await publish([]);
    const validate = await cli(
      ["validate", "--config", config, "--channel", "meta", "--catalog", changedCatalog, "--quiet"],
      env,
    );
    const dry = await publish(["--catalog", changedCatalog, "--dry-run"]);
    simulator.resetCalls();
    const real = await publish(["--catalog", changedCatalog]);
    const writeCalls = simulator.calls.filter(
      (call) => call.method === "POST" && call.path.includes("items_batch"),
    );
    const planned = dry.code === 0 ? JSON.parse(dry.stdout).channels[0] : undefined;
    const plan = planned?.counts;
    const figures = {
      backend,
      variants,
      changedVariants,
      seedSeconds: seed.seconds,
      seedExit: seed.code,
      validateSeconds: validate.seconds,
      dryRunSeconds: dry.seconds,
      planningBeyondBuildSeconds: dry.seconds - validate.seconds,
      // Of that, the plan itself on the main thread (state reads, hash comparison, deletes); the
      // rest is the build making records (typed values and section hashes) in its threads.
      planningMainThreadSeconds: planned ? planned.planningMs / 1000 : undefined,
      plannedUpdates: plan?.updates,
      plannedUnchanged: plan?.unchanged,
      publishSeconds: real.seconds,
      publishExit: real.code,
      itemsBatchCalls: writeCalls.length,
      itemsSent: writeCalls.reduce((sum, call) => sum + (call.body?.requests?.length ?? 0), 0),
    };
    if (seed.code !== 0 || dry.code !== 0 || real.code !== 0) {
      figures.failure = [seed, dry, real].map((run) => run.stderr.slice(-300)).join(" | ");
    }
    results.delta.push(figures);
    process.stderr.write(`delta ${JSON.stringify(figures)}\n`);
    await simulator.close();
  }
}

if (runs.includes("rate")) await rateBench();
if (runs.includes("delta")) await deltaBench();
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
