// Time and peak memory of the two state stores at 1,000,000 items (adr/0011): puts, gets and a
// full scan, in batches of 1,000 as the publish executor and the delta planner use them.
// Run after `npm run build`:
//   node scripts/bench/state-store.mjs [--items 1000000] [--backend embedded|redis|both] [--redis URL]
// Each backend runs in its own process, so its peak RSS is its own. The embedded file goes to a
// temp folder that is removed after; Redis keys go under a unique prefix that is deleted after.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectRedis } from "../../dist/infra/redis.js";
import { openStateStore } from "../../dist/sync/state-open.js";
import { EMBEDDED_STATE_FILE } from "../../dist/sync/state-sqlite.js";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "1000000" },
    backend: { type: "string", default: "both" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const ITEMS = Number(values.items);
const BATCH = 1_000;
const SCOPE = "bench/google/account-1";

if (values.backend === "both") {
  for (const backend of ["embedded", "redis"]) {
    const run = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        "--items",
        String(ITEMS),
        "--backend",
        backend,
        "--redis",
        values.redis,
      ],
      {
        stdio: "inherit",
      },
    );
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
  process.exit(0);
}
if (values.backend !== "embedded" && values.backend !== "redis") {
  console.error(`--backend must be embedded, redis or both (got ${values.backend})`);
  process.exit(2);
}

/** A state as a published, accepted item leaves it: three section hashes, an outcome, a remote id. */
function stateOf(index) {
  const key = `SKU-${String(index).padStart(7, "0")}`;
  const hash = (salt) => Buffer.from(`${salt}${index}`.padEnd(16, "x")).toString("base64url").slice(0, 22);
  return {
    key,
    hashes: { content: hash("c"), price: hash("p"), inventory: hash("i") },
    publishedAt: 1_760_000_000_000 + index,
    outcome: { status: "accepted", issues: [], at: 1_760_000_000_000 + index },
    remoteId: `online:en:US:${key}`,
    budget: { windowStart: 1_760_000_000_000, count: 1 },
  };
}

const dir = values.backend === "embedded" ? mkdtempSync(join(tmpdir(), "omnifeed-bench-state-")) : undefined;
const prefix = `omnifeed-bench:${randomUUID()}:`;
const store = await openStateStore(
  values.backend === "embedded"
    ? { backend: "embedded", file: join(dir, EMBEDDED_STATE_FILE) }
    : { backend: "redis", url: values.redis, prefix },
);

try {
  let started = performance.now();
  for (let start = 0; start < ITEMS; start += BATCH) {
    const batch = [];
    for (let index = start; index < Math.min(ITEMS, start + BATCH); index += 1) batch.push(stateOf(index));
    await store.put(SCOPE, batch);
  }
  const putSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  let found = 0;
  for (let start = 0; start < ITEMS; start += BATCH) {
    const keys = [];
    for (let index = start; index < Math.min(ITEMS, start + BATCH); index += 1) keys.push(stateOf(index).key);
    for (const state of await store.get(SCOPE, keys)) if (state !== undefined) found += 1;
  }
  const getSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  let scanned = 0;
  for await (const page of store.scan(SCOPE, BATCH)) scanned += page.length;
  const scanSeconds = (performance.now() - started) / 1000;

  const count = await store.count(SCOPE);
  if (found !== ITEMS || scanned !== ITEMS || count !== ITEMS) {
    throw new Error(`expected ${ITEMS} states, found ${found} by get, ${scanned} by scan, ${count} by count`);
  }
  const result = {
    backend: values.backend,
    items: ITEMS,
    putSeconds: Number(putSeconds.toFixed(2)),
    getSeconds: Number(getSeconds.toFixed(2)),
    scanSeconds: Number(scanSeconds.toFixed(2)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (dir !== undefined) result.fileMiB = Math.round(statSync(join(dir, EMBEDDED_STATE_FILE)).size / 2 ** 20);
  console.log(JSON.stringify(result));
} finally {
  await store.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  else {
    const redis = connectRedis(values.redis, { name: "omnifeed-bench-cleanup" });
    await redis.unlink(`${prefix}state:${SCOPE}`, `${prefix}lock:${SCOPE}`);
    await redis.quit();
  }
}
