import { createWriteStream, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { appendFile, rm, truncate, utimes } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/config-file.js";
import { isOmnifeedError } from "../../src/core/errors.js";
import { createCatalogWriter } from "../../src/dev/catalog-writers.js";
import type { GeneratedProduct } from "../../src/dev/gen-catalog.js";
import { generateCatalog } from "../../src/dev/gen-catalog.js";
import { MANIFEST_FILE } from "../../src/feeds/manifest.js";
import type { BatchOutput } from "../../src/pipeline/build.js";
import { assembleChunks, checkChunkSpools } from "../../src/pipeline/chunk-assembly.js";
import { BuildPools, buildChunk } from "../../src/pipeline/chunk-build.js";
import type { ChunkPlan } from "../../src/pipeline/chunk-plan.js";
import { ChunkPlanSchema, planChunks } from "../../src/pipeline/chunk-plan.js";
import {
  CHUNKS_DIR,
  chunkSpoolFiles,
  readSpool,
  removeStaleChunkSpools,
} from "../../src/pipeline/chunk-spool.js";
import type { ExportOptions } from "../../src/pipeline/export.js";
import { ISSUES_FILE, REPORT_FILE, runExport } from "../../src/pipeline/export.js";
import type { PreparedRun } from "../../src/pipeline/plan.js";
import { buildSpecOf, prepareRun } from "../../src/pipeline/plan.js";
import type { BatchRunner } from "../../src/pipeline/worker-pool.js";
import { inlineRunner } from "../../src/pipeline/worker-pool.js";
import type { FileFormat } from "../../src/sources/source.js";
import { DEMO_CONFIG, ROOT } from "../e2e/cli.js";
import { makeTempDir } from "../support/temp-dirs.js";

// Build threads run the compiled worker: `npm test` builds first.
const WORKER_SCRIPT = join(ROOT, "dist/pipeline/build-worker.js");
const ALL_FEEDS = [
  "google-xml",
  "google-tsv",
  "google-local-inventory",
  "meta-csv",
  "meta-xml",
  "amazon-json",
];
const BATCH_SIZE = 40;
const CHUNK_BATCHES = 6;
// The SKU given to two later variants, each in another chunk than the first (product 11's).
const DUPLICATED_SKU = "P0000011-01";

/**
 * A few thousand generated variants, with what makes chunking hard: a key repeated far apart (in
 * other chunks), a product of 400 variants (ten batches' worth, in one batch: a product is never
 * split), rows with errors, and a duplicate inside one batch too.
 */
function catalogProducts(): GeneratedProduct[] {
  const products = [...generateCatalog({ variants: 3000, seed: 8 })];
  const big = products[100]!;
  const model = { ...big.variants[0]! };
  delete model.color;
  big.variants = Array.from({ length: 400 }, (_, index) => ({
    ...model,
    sku: `${big.id}-BIG-${String(index).padStart(3, "0")}`,
    options: [{ name: "Size", value: `S${index}` }],
    size: `S${index}`,
  }));
  products[300]!.variants[0]!.sku = DUPLICATED_SKU;
  products[550]!.variants[0]!.sku = DUPLICATED_SKU;
  const twin = products.find((product, index) => index > 400 && product.variants.length > 1)!;
  twin.variants[1]!.sku = twin.variants[0]!.sku;
  products[50]!.variants[0]!.price = "twelve dollars";
  products[200]!.variants[0]!.price = "-4.00";
  products[500]!.variants[0]!.sku = "";
  return products;
}

async function writeCatalog(format: FileFormat, file: string): Promise<void> {
  const output = createWriteStream(file);
  const writer = createCatalogWriter(format, output, {
    currency: "USD",
    storeUrl: "https://bench.omnifeed.dev",
  });
  for (const product of catalogProducts()) await writer.write(product);
  await writer.end();
  await finished(output);
}

async function runFor(
  catalog: string,
  channels: readonly ("google" | "meta" | "amazon")[] = ["google", "meta", "amazon"],
): Promise<PreparedRun> {
  const config = await loadConfigFile(DEMO_CONFIG);
  return prepareRun(
    { file: catalog, options: config.catalog?.options },
    channels.map((id) => ({
      id,
      mappingFile: config.channels?.[id]?.mapping,
      account: config.channels?.[id]?.account,
    })),
    ALL_FEEDS.filter((feed) => channels.some((channel) => feed.startsWith(channel))),
  );
}

function exportOptions(outDir: string): ExportOptions {
  return {
    outDir,
    workers: 0,
    batchSize: BATCH_SIZE,
    gzip: false,
    maxShrink: 0.2,
    force: false,
    allowEmpty: false,
    strict: false,
  };
}

/** Every file of an output folder but the report and manifest (compared apart), as text. */
function outputFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === REPORT_FILE || entry.name === MANIFEST_FILE) continue;
    files[entry.name] = readFileSync(join(dir, entry.name), "utf8");
  }
  return files;
}

// The report without what may differ between two runs of the same catalog: time and threads.
function reportFigures(dir: string): unknown {
  const { durationMs, workers, ...figures } = JSON.parse(
    readFileSync(join(dir, REPORT_FILE), "utf8"),
  ) as Record<string, unknown>;
  expect(durationMs).toEqual(expect.any(Number));
  expect(workers).toEqual(expect.any(Number));
  return figures;
}

function manifestFeeds(dir: string): unknown {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as {
    feeds: Record<string, { publishedAt?: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.feeds).map(([feed, entry]) => [feed, { ...entry, publishedAt: "(time)" }]),
  );
}

async function spooled(plan: ChunkPlan, files: readonly string[]): Promise<BatchOutput[][]> {
  const chunks: BatchOutput[][] = [];
  for (const chunk of plan.chunks) {
    const outputs: BatchOutput[] = [];
    for await (const output of readSpool(plan, chunk, files[chunk.index]!)) outputs.push(output);
    chunks.push(outputs);
  }
  return chunks;
}

/** Builds every chunk in reverse order, each twice (a retried job), with `runner`. */
async function buildAllChunks(
  run: PreparedRun,
  plan: ChunkPlan,
  files: readonly string[],
  runner: BatchRunner,
) {
  for (const chunk of [...plan.chunks].reverse()) {
    for (let time = 0; time < 2; time += 1) {
      const summary = await buildChunk(run, plan, chunk.index, { spoolFile: files[chunk.index]!, runner });
      expect(summary).toMatchObject({
        index: chunk.index,
        batches: chunk.toBatch - chunk.fromBatch,
        records: chunk.records,
      });
    }
  }
}

async function preparedCatalog(format: FileFormat): Promise<{ dir: string; run: PreparedRun }> {
  const dir = makeTempDir(`chunks-${format}`);
  const catalog = join(dir, `catalog.${format === "json" ? "json" : "csv"}`);
  await writeCatalog(format, catalog);
  return { dir, run: await runFor(catalog) };
}

const cases: { format: FileFormat; threads: boolean }[] = [
  { format: "csv", threads: false },
  { format: "csv", threads: true },
  { format: "json", threads: false },
];

describe("a chunked build", () => {
  for (const { format, threads } of cases) {
    it(`gives the plain export's feeds, issues and figures (${format}, ${threads ? "build threads" : "this thread"})`, async () => {
      const { dir, run } = await preparedCatalog(format);
      const plain = join(dir, "plain");
      const chunked = join(dir, "chunked");
      const exported = await runExport(run, exportOptions(plain));
      expect(exported.status).toBe("published");

      const plan = await planChunks(run, { batchSize: BATCH_SIZE, chunkBatches: CHUNK_BATCHES });
      // It travels in job payloads as JSON.
      expect(ChunkPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
      expect(plan.chunks.length).toBeGreaterThanOrEqual(8);
      expect(plan.records).toBe(exported.summary.catalog.records);

      const files = chunkSpoolFiles(chunked, "run-1", plan);
      const pools = new BuildPools({ workers: 2, workerScript: WORKER_SCRIPT });
      try {
        if (threads) await pools.use(run, (runner) => buildAllChunks(run, plan, files, runner));
        else await buildAllChunks(run, plan, files, inlineRunner(buildSpecOf(run, { withFeeds: true })));
      } finally {
        await pools.close();
      }

      // What makes the case hard is really there: the duplicated key is in three chunks, and every
      // product is in one chunk only (the chunks hold as many products as the catalog).
      const outputs = await spooled(plan, files);
      const chunksWithKey = outputs
        .map((chunk, index) =>
          chunk.some((output) => output.channels.google?.acceptedKeys.keys.includes(DUPLICATED_SKU))
            ? index
            : -1,
        )
        .filter((index) => index >= 0);
      expect(chunksWithKey.length).toBe(3);
      const products = outputs.flat().reduce((sum, output) => sum + output.products, 0);
      expect(products).toBe(exported.summary.catalog.products);
      expect(outputs.flat().some((output) => output.variants >= 400)).toBe(true);
      const productChunks = new Map<string, Set<number>>();
      outputs.forEach((chunk, index) => {
        for (const output of chunk) {
          for (const sku of output.channels.google?.acceptedKeys.keys ?? []) {
            const product = sku.slice(0, 8);
            productChunks.set(product, (productChunks.get(product) ?? new Set()).add(index));
          }
        }
      });
      const split = [...productChunks].filter(
        ([product, chunks]) => chunks.size > 1 && product !== DUPLICATED_SKU.slice(0, 8),
      );
      expect(split).toEqual([]);

      const assembled = await assembleChunks(run, plan, files, exportOptions(chunked));
      expect(assembled.status).toBe("published");
      const plainFiles = outputFiles(plain);
      expect(Object.keys(plainFiles).sort()).toEqual(
        [
          ISSUES_FILE,
          "amazon-listings-0001.json",
          "google-local-inventory.tsv",
          "google.tsv",
          "google.xml",
          "meta.csv",
          "meta.xml",
        ].sort(),
      );
      const chunkedFiles = outputFiles(chunked);
      expect(Object.keys(chunkedFiles).sort()).toEqual(Object.keys(plainFiles).sort());
      for (const name of Object.keys(plainFiles))
        expect(chunkedFiles[name] === plainFiles[name], name).toBe(true);
      expect(reportFigures(chunked)).toEqual(reportFigures(plain));
      expect(manifestFeeds(chunked)).toEqual(manifestFeeds(plain));

      const google = assembled.summary.channels.find((channel) => channel.channel === "google")!;
      expect(google.duplicates).toBeGreaterThanOrEqual(3);
      expect(assembled.summary.catalog.rowErrors).toBeGreaterThan(0);
      expect(plainFiles[ISSUES_FILE]).toContain(`id \\"${DUPLICATED_SKU}\\" appears 3 times`);
      // The spools are gone once assembled.
      expect(existsSync(join(chunked, CHUNKS_DIR))).toBe(false);
    });
  }

  it("spreads chunks of one build over the same threads, and starts new ones for another build", async () => {
    const { run } = await preparedCatalog("csv");
    const other = await runFor(run.catalog.file, ["google"]);
    const pools = new BuildPools({ workers: 0 });
    try {
      const first = await pools.use(run, (runner) => Promise.resolve(runner));
      const again = await pools.use(run, (runner) => Promise.resolve(runner));
      const switched = await pools.use(other, (runner) => Promise.resolve(runner));
      expect(again).toBe(first);
      expect(switched).not.toBe(first);
      const back = await pools.use(run, (runner) => Promise.resolve(runner));
      expect(back).not.toBe(first);
    } finally {
      await pools.close();
    }
  });
});

describe("a chunked build refuses", () => {
  async function planned() {
    const { dir, run } = await preparedCatalog("csv");
    const plan = await planChunks(run, { batchSize: BATCH_SIZE, chunkBatches: CHUNK_BATCHES });
    const out = join(dir, "out");
    return { dir, run, plan, out, files: chunkSpoolFiles(out, "run-2", plan) };
  }
  const runnerOf = (run: PreparedRun) => inlineRunner(buildSpecOf(run, { withFeeds: true }));

  it("a chunk of a catalog that changed after planning (conflict), and leaves no spool", async () => {
    const { run, plan, files } = await planned();
    await appendFile(run.catalog.file, "\n");
    const built = buildChunk(run, plan, 1, { spoolFile: files[1]!, runner: runnerOf(run) });
    await expect(built).rejects.toSatisfy((error) => isOmnifeedError(error, "conflict"));
    await expect(built).rejects.toThrow(/catalog changed since the chunks were planned/);
    expect(existsSync(files[1]!)).toBe(false);
  });

  it("a chunk of a run built differently from the plan's (conflict)", async () => {
    const { run, plan, files } = await planned();
    const other = await runFor(run.catalog.file, ["google"]);
    const built = buildChunk(other, plan, 0, { spoolFile: files[0]!, runner: runnerOf(other) });
    await expect(built).rejects.toSatisfy((error) => isOmnifeedError(error, "conflict"));
  });

  it("to assemble with a spool missing or cut short, naming the chunks, and publishes nothing", async () => {
    const { run, plan, out, files } = await planned();
    for (const chunk of plan.chunks)
      await buildChunk(run, plan, chunk.index, { spoolFile: files[chunk.index]!, runner: runnerOf(run) });
    await rm(files[2]!);
    const missing = assembleChunks(run, plan, files, exportOptions(out));
    await expect(missing).rejects.toSatisfy((error) => isOmnifeedError(error, "not_found"));
    await expect(missing).rejects.toThrow(`chunk 2 (${files[2]}): missing`);

    await buildChunk(run, plan, 2, { spoolFile: files[2]!, runner: runnerOf(run) });
    const size = readFileSync(files[4]!).length;
    await truncate(files[4]!, size - 100);
    writeFileSync(files[5]!, "not a spool");
    expect(await checkChunkSpools(plan, files)).toEqual([
      { index: 4, file: files[4], problem: "truncated" },
      { index: 5, file: files[5], problem: "damaged" },
    ]);
    const cut = assembleChunks(run, plan, files, exportOptions(out));
    await expect(cut).rejects.toSatisfy((error) => isOmnifeedError(error, "conflict"));
    await expect(cut).rejects.toThrow(/chunk 4 .*: truncated; chunk 5 .*: damaged/);
    expect(readdirSync(out).filter((name) => !name.startsWith("."))).toEqual([]);

    // A spool of another chunk put in its place is caught too.
    await buildChunk(run, plan, 4, { spoolFile: files[4]!, runner: runnerOf(run) });
    await buildChunk(run, plan, 3, { spoolFile: files[5]!, runner: runnerOf(run) });
    expect(await checkChunkSpools(plan, files)).toEqual([
      { index: 5, file: files[5], problem: "another plan's" },
    ]);
  });

  it("nothing it should keep when clearing stale spools: only run folders untouched for a day go", async () => {
    const { run, plan, out } = await planned();
    const old = chunkSpoolFiles(out, "old-run", plan);
    const fresh = chunkSpoolFiles(out, "fresh:run", plan);
    await buildChunk(run, plan, 0, { spoolFile: old[0]!, runner: runnerOf(run) });
    await buildChunk(run, plan, 0, { spoolFile: fresh[0]!, runner: runnerOf(run) });
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(old[0]!, twoDaysAgo, twoDaysAgo);
    await utimes(join(out, CHUNKS_DIR, "old-run"), twoDaysAgo, twoDaysAgo);
    expect(await removeStaleChunkSpools(out)).toEqual(["old-run"]);
    expect(readdirSync(join(out, CHUNKS_DIR))).toEqual(["fresh_run"]);
  });
});
