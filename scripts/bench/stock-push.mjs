#!/usr/bin/env node
// Sale-to-other-channel stock latency (issue 10 §4), on the built code (`npm run build` first).
// Starts the Google and Meta simulators in this process (Meta's default 50 ms batch processing),
// publishes the demo catalog (every variant given 1 unit) into a temp embedded state, then
// propagates `--sales` sales, one order of 1 unit each, round robin over the SKUs, from Amazon:
// the first sale of a SKU empties it, so Google gets an availability patch and Meta a stock
// update. Times each `propagateSale` from the call to both channels' answers. Prints p50/p95/max
// in ms, as JSON.
//
//   node scripts/bench/stock-push.mjs [--sales 100]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--sales");
const sales = at >= 0 ? Number(args[at + 1]) : 100;

const load = (path) => import(join(ROOT, "dist", path));
const { startGoogleSimulator } = await load("dev/simulators/google.js");
const { startMetaSimulator } = await load("dev/simulators/meta.js");
const { prepareRun } = await load("pipeline/plan.js");
const { openPublishEnvironment } = await load("pipeline/publish-environment.js");
const { runPublish } = await load("pipeline/publish.js");
const { propagateSale } = await load("pipeline/stock-publish.js");

const dir = mkdtempSync(join(tmpdir(), "omnifeed-bench-stock-"));
const google = await startGoogleSimulator({ port: 0 });
const meta = await startMetaSimulator({ port: 0 });
// The simulators' test credentials, where the account settings look for them.
Object.assign(process.env, google.env, meta.env);
let environment;
try {
  const skus = [];
  const lines = readFileSync(join(ROOT, "fixtures/catalogs/demo/catalog.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => {
      const product = JSON.parse(line);
      for (const variant of product.variants) {
        variant.quantity = 1;
        skus.push(variant.sku);
      }
      return JSON.stringify(product);
    });
  const catalog = join(dir, "catalog.jsonl");
  writeFileSync(catalog, `${lines.join("\n")}\n`);
  const fast = { rate_limit_per_second: 1000, rate_limit_burst: 100 };
  const run = await prepareRun(
    { file: catalog, options: { currency: "USD", store_url: "https://demo.omnifeed.dev" } },
    [
      // Each SKU is sold several times here: lift Google's two-updates-a-day budget.
      { id: "google", account: { ...google.accountSettings, ...fast, daily_updates_per_item: 1_000_000 } },
      { id: "meta", account: { ...meta.accountSettings, ...fast } },
    ],
  );
  environment = await openPublishEnvironment({
    backend: "embedded",
    file: join(dir, "state.sqlite"),
    workspace: "bench",
    lock: { ttlMs: 30_000, waitMs: 30_000 },
  });
  const use = {
    store: environment.store,
    stockHolds: environment.stockHolds,
    workspace: "bench",
    limiterFor: environment.limiterFor,
  };
  await runPublish(run, { ...use, dryRun: false, force: false, maxShrink: 0.2, workers: 0 });

  const timings = [];
  let sent = 0;
  for (let index = 0; index < sales; index += 1) {
    const sku = skus[index % skus.length];
    const started = performance.now();
    const result = await propagateSale(
      run,
      { sold: [{ sku, quantity: 1 }], orderKey: `bench/${index}`, fromChannel: "amazon" },
      use,
    );
    timings.push(performance.now() - started);
    sent += result.channels.reduce((sum, channel) => sum + channel.execution.outcomes.update.accepted, 0);
  }
  timings.sort((a, b) => a - b);
  const pick = (share) =>
    Math.round(timings[Math.min(timings.length - 1, Math.floor(timings.length * share))]);
  process.stdout.write(
    `${JSON.stringify({ sales, variants: skus.length, updatesAccepted: sent, latencyMs: { p50: pick(0.5), p95: pick(0.95), max: Math.round(timings.at(-1)) } })}\n`,
  );
} finally {
  await environment?.close();
  await google.close();
  await meta.close();
  rmSync(dir, { recursive: true, force: true });
}
