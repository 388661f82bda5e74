import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createCatalogWriter } from "../../src/dev/catalog-writers.js";
import { generateCatalog } from "../../src/dev/gen-catalog.js";
import { connectRedis } from "../../src/infra/redis.js";
import { CHUNKS_DIR } from "../../src/pipeline/chunk-spool.js";
import { ISSUES_FILE } from "../../src/pipeline/export.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed } from "./cli.js";
import {
  REDIS_URL,
  UNDER_CI,
  installationPrefix,
  redisProblem,
  runsOf,
  startWorkerProcess,
  testPrefix,
  writeInstallation,
  type WorkerProcess,
} from "./jobs-support.js";

/**
 * A large catalog's build shared by two worker processes as a BullMQ flow (ADR 18): the parent
 * plans chunks, both workers build them, the parent assembles — and the feeds are those of
 * `omnifeed export`, byte for byte.
 */

const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI)
  console.warn(`[did not run] chunked builds on workers: ${unreachable}`);

/** A generated catalog as JSONL lines, with a SKU repeated in two far-apart chunks. */
async function catalogLines(variants: number): Promise<string[]> {
  const products = [...generateCatalog({ variants, seed: 21 })];
  products[700]!.variants[0]!.sku = products[10]!.variants[0]!.sku;
  products[40]!.variants[0]!.price = "twelve dollars";
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const writer = createCatalogWriter("jsonl", output);
  for (const product of products) await writer.write(product);
  await writer.end();
  return text.trimEnd().split("\n");
}

/** The files of an output folder that must match: feeds and the issues file. */
function feedFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (!/\.(xml|csv|tsv|json|jsonl|txt)$/.test(entry.name) || entry.name.startsWith("omnifeed-report")) {
      continue;
    }
    if (entry.name.startsWith(".") || entry.name === "omnifeed-manifest.json") continue;
    files.set(entry.name, readFileSync(join(dir, entry.name)));
  }
  return files;
}

describe.skipIf(unreachable !== undefined && !UNDER_CI)("chunked builds on workers", () => {
  const prefix = testPrefix();
  const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix };
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((worker) => worker.exited));
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("two worker processes build a chunked catalog together; the feeds are byte-identical to the CLI's", async () => {
    const dir = freshDir("jobs-chunked");
    const lines = await catalogLines(4_000);
    const config = writeInstallation(dir, "chunked", {
      catalogLines: lines,
      channels: {
        google: {},
        meta: {},
        amazon: { seller_id: "A1CHUNKSELLER0", marketplace_id: "ATVPDKIKX0DER" },
      },
      // 50 records a batch, 6 batches a chunk: a dozen chunk jobs for two workers.
      build: { batch_size: 50, chunk_batches: 6, workers: 1 },
    });
    workers.push(await startWorkerProcess(config, env), await startWorkerProcess(config, env));

    const built = await omnifeed(["run", "build-feeds", "--config", config, "--wait"], env);
    const logs = () => workers.map((worker) => worker.log()).join("\n---\n");
    expect(built.code, `${built.stdout}\n${built.stderr}\n${logs()}`).toBe(0);
    const chunks = Number(/(\d+) chunks on 2 workers/.exec(built.stdout)?.[1]);
    expect(chunks, built.stdout).toBeGreaterThanOrEqual(10);
    // Each process built some of the chunks.
    for (const worker of workers) expect(worker.log()).toMatch(/build-chunk\) started/);

    const [run] = await runsOf(installationPrefix(prefix, "chunked"), "build-feeds");
    expect(run?.outcome).toBe("succeeded");
    expect(run?.summary).toContain(`${chunks} chunks on 2 workers`);
    // The spools are gone once assembled.
    const spools = join(dir, "chunked-out", CHUNKS_DIR);
    expect(existsSync(spools) ? readdirSync(spools) : []).toEqual([]);

    const cli = await omnifeed(["export", "--config", config, "--out", join(dir, "cli-out")], env);
    expect(cli.code, cli.stderr).toBe(0);
    const fromWorkers = feedFiles(join(dir, "chunked-out"));
    const fromCli = feedFiles(join(dir, "cli-out"));
    expect([...fromWorkers.keys()].sort()).toEqual([...fromCli.keys()].sort());
    expect(fromCli.has(ISSUES_FILE)).toBe(true);
    expect(fromCli.size).toBeGreaterThanOrEqual(5);
    for (const [name, bytes] of fromCli) {
      expect(fromWorkers.get(name)?.equals(bytes), `${name} differs`).toBe(true);
    }
    // The duplicated SKU and the bad price are reported the same way in both.
    expect(fromCli.get(ISSUES_FILE)!.toString()).toContain("twelve dollars");
  }, 120_000);
});
