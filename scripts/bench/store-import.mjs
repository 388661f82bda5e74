#!/usr/bin/env node
// Store catalog import (issue 9), on the built code (`npm run build` first). Seeds a Shopify and a
// WooCommerce simulator in this process with one generated catalog (`generateStoreCatalog`, seed 9),
// then for each store runs, in a fresh process under /usr/bin/time, the export of Google XML + Meta
// CSV + Amazon JSON from `--catalog shopify` (a bulk operation) and `--catalog woocommerce` (pages
// of 100): wall time, peak RSS of the process, the RSS when 10k, 25k and 50k variants were built
// (to show it is flat), and whether the two stores' feeds are byte-identical. Then a paged Shopify
// import (`mode: paged`) of --paged-variants (default 2,000) against a simulator whose cost bucket
// holds 1,000 points and restores --paged-restore a second (default 1,000, the Plus plan, so the
// full bench stays short; 100 is Standard on shopify.dev, 50 in older docs): the time is what the
// bucket allows (about 19 points a variant at 5 locations).
//
//   node scripts/bench/store-import.mjs [--variants 50000] [--out .bench/store-import.json]
//        [--paged-variants 2000] [--paged-restore 1000] [--paged-only]
//
// The child mode (`--child <json>`) is the measured process: one export through the pipeline, its
// RSS sampled on progress, the figures printed as JSON on stdout.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const MARKS = [10_000, 25_000, 50_000, 100_000];

if (flag("child", undefined) !== undefined) {
  await child(JSON.parse(flag("child", "{}")));
} else {
  await parent();
}

async function child({ store, settings, out, amazonMapping }) {
  const { prepareRun } = await import(join(ROOT, "dist/pipeline/plan.js"));
  const { runExport } = await import(join(ROOT, "dist/pipeline/export.js"));
  const { envValue } = await import(join(ROOT, "dist/config/env.js"));
  const rssAt = {};
  let next = 0;
  const started = performance.now();
  const run = await prepareRun(
    {
      store,
      options: settings,
      spool: { dir: join(out, ".omnifeed-spool"), resume: false },
      context: { clock: () => new Date(), secret: envValue },
    },
    [
      { id: "google" },
      { id: "meta" },
      {
        id: "amazon",
        mappingFile: amazonMapping,
        account: { seller_id: "A1BENCH", marketplace_id: "ATVPDKIKX0DER" },
      },
    ],
  );
  const result = await runExport(run, {
    outDir: out,
    gzip: false,
    maxShrink: 1,
    force: true,
    allowEmpty: true,
    strict: false,
    onProgress: ({ variants }) => {
      while (next < MARKS.length && variants >= MARKS[next]) {
        rssAt[MARKS[next]] = Math.round(process.memoryUsage().rss / 1048576);
        next += 1;
      }
    },
  });
  process.stdout.write(
    `${JSON.stringify({
      variants: result.summary.catalog.variants,
      workers: result.workers,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      rssMbAtVariants: rssAt,
    })}\n`,
  );
}

async function parent() {
  const variants = Number(flag("variants", "50000"));
  const outFile = flag("out", join(ROOT, ".bench/store-import.json"));
  const { generateStoreCatalog } = await import(join(ROOT, "dist/dev/simulators/store-catalog.js"));
  const { startShopifySimulator } = await import(join(ROOT, "dist/dev/simulators/shopify.js"));
  const { startWooCommerceSimulator } = await import(join(ROOT, "dist/dev/simulators/woocommerce.js"));
  const { storeBlockOf } = await import(join(ROOT, "dist/dev/simulators/run-simulators.js"));
  const pagedOnly = args.includes("--paged-only");
  // --paged-only leaves the large stores empty (seeding 50,000 variants takes a while).
  const catalog = pagedOnly ? [] : generateStoreCatalog({ variants, seed: 9 });
  const shopify = await startShopifySimulator({ port: 0, catalog, processingDelayMs: 200 });
  const woo = await startWooCommerceSimulator({ port: 0, catalog });
  const dir = mkdtempSync(join(tmpdir(), "omnifeed-bench-store-"));
  const amazonMapping = join(dir, "amazon.yaml");
  writeFileSync(
    amazonMapping,
    "version: 1\nchannel: amazon\nextends: default\nfields:\n  product_type: { value: HOME }\n",
  );
  const results = { variants, runs: {} };
  try {
    for (const [name, simulator, extra] of pagedOnly
      ? []
      : [
          ["shopify-bulk", shopify, { mode: "bulk", bulk_poll_ms: 100 }],
          ["woocommerce-paged", woo, {}],
        ]) {
      const out = join(dir, name);
      mkdirSync(out);
      process.stderr.write(`  ${name}, ${variants} variants … `);
      const run = await measuredExport(
        simulator,
        { ...storeBlockOf(simulator), ...extra },
        out,
        amazonMapping,
      );
      results.runs[name] = run;
      if (run.failed) continue;
      process.stderr.write(
        `${run.wallSeconds} s, peak ${run.peakRssMb} MB, RSS at marks ${JSON.stringify(run.rssMbAtVariants)}\n`,
      );
    }
    results.runs["shopify-paged"] = await pagedRun(dir, amazonMapping);
    if (pagedOnly) {
      process.stdout.write(`${JSON.stringify(results.runs["shopify-paged"])}\n`);
      return;
    }
    const feeds = (name) =>
      readdirSync(join(dir, name))
        .filter((file) => /^(google\.xml|meta\.csv|amazon-listings-\d+\.json)$/.test(file))
        .sort();
    const names = feeds("shopify-bulk");
    results.identicalFeeds =
      names.length > 0 &&
      names.join() === feeds("woocommerce-paged").join() &&
      names.every((file) =>
        readFileSync(join(dir, "shopify-bulk", file)).equals(
          readFileSync(join(dir, "woocommerce-paged", file)),
        ),
      );
    results.feeds = names;
    process.stderr.write(`  feeds byte-identical: ${results.identicalFeeds} (${names.join(", ")})\n`);
  } finally {
    await shopify.close();
    await woo.close();
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(outFile, ".."), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

/** The paged Shopify import: a small shop read page by page under the cost bucket. */
async function pagedRun(dir, amazonMapping) {
  const variants = Number(flag("paged-variants", "2000"));
  const restoreRate = Number(flag("paged-restore", "1000"));
  const { generateStoreCatalog } = await import(join(ROOT, "dist/dev/simulators/store-catalog.js"));
  const { startShopifySimulator } = await import(join(ROOT, "dist/dev/simulators/shopify.js"));
  const { storeBlockOf } = await import(join(ROOT, "dist/dev/simulators/run-simulators.js"));
  const simulator = await startShopifySimulator({
    port: 0,
    catalog: generateStoreCatalog({ variants, seed: 9 }),
    throttle: { maximumAvailable: 1000, restoreRate },
  });
  const out = join(dir, "shopify-paged");
  mkdirSync(out);
  process.stderr.write(`  shopify-paged, ${variants} variants, restore ${restoreRate}/s … `);
  try {
    const run = await measuredExport(
      simulator,
      { ...storeBlockOf(simulator), mode: "paged" },
      out,
      amazonMapping,
    );
    if (run.failed) return run;
    const calls = simulator.calls.filter((call) => call.path.endsWith("/graphql.json")).length;
    process.stderr.write(`${run.wallSeconds} s, ${calls} calls\n`);
    return { ...run, restoreRate, calls };
  } finally {
    await simulator.close();
  }
}

/**
 * One export from `simulator`'s store in a fresh process under /usr/bin/time: the child's figures
 * with its wall time and peak RSS, or `{ failed }` with the end of its stderr.
 */
async function measuredExport(simulator, settings, out, amazonMapping) {
  // Not spawnSync: the simulators answer from this process's event loop.
  const run = await spawnAsync(
    "/usr/bin/time",
    [
      "-f",
      "%e %M",
      process.execPath,
      fileURLToPath(import.meta.url),
      "--child",
      JSON.stringify({ store: simulator.channel, settings, out, amazonMapping }),
    ],
    { cwd: ROOT, env: { ...process.env, ...simulator.env } },
  );
  const [wall, peakKb] = (run.stderr.toString().trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  if (run.status !== 0) {
    const failed = `exit ${run.status}: ${run.stderr.toString().trim().split("\n").slice(-3).join(" ")}`;
    process.stderr.write(`${failed}\n`);
    return { failed };
  }
  const figures = JSON.parse(run.stdout.toString().trim().split("\n").at(-1));
  return { ...figures, wallSeconds: wall, peakRssMb: Math.round(peakKb / 1024) };
}

function spawnAsync(command, commandArgs, options) {
  return new Promise((resolve, reject) => {
    const running = spawn(command, commandArgs, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    running.stdout.on("data", (chunk) => stdout.push(chunk));
    running.stderr.on("data", (chunk) => stderr.push(chunk));
    running.on("error", reject);
    running.on("close", (status) =>
      resolve({ status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }),
    );
  });
}
