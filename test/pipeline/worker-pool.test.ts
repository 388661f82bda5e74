import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BatchOutput } from "../../src/pipeline/build.js";
import { buildSpecOf, fileCatalogOf, prepareRun } from "../../src/pipeline/plan.js";
import { inlineRunner, workerRunner, type BatchRunner } from "../../src/pipeline/worker-pool.js";
import type { RecordBatch } from "../../src/sources/source.js";
import { DEMO, DEMO_CONFIG, ROOT, freshDir } from "../e2e/cli.js";
import { loadConfigFile } from "../../src/config/config-file.js";

// Workers run the built code: `npm test` builds first.
const WORKER_SCRIPT = join(ROOT, "dist/pipeline/build-worker.js");

async function demoRun(catalog: string) {
  const config = await loadConfigFile(DEMO_CONFIG);
  return prepareRun(
    { file: catalog, options: config.catalog?.options },
    (["google", "meta", "amazon"] as const).map((id) => ({
      id,
      mappingFile: config.channels?.[id]?.mapping,
    })),
  );
}

async function buildAll(runner: BatchRunner, batches: RecordBatch[]): Promise<BatchOutput[]> {
  try {
    return await Promise.all(batches.map((batch) => runner.run(batch)));
  } finally {
    await runner.close();
  }
}

function feedBytes(outputs: BatchOutput[]): Record<string, string> {
  const feeds: Record<string, string> = {};
  for (const output of outputs) {
    for (const channel of Object.values(output.channels)) {
      for (const [feed, encoded] of Object.entries(channel?.feeds ?? {})) {
        feeds[feed] = (feeds[feed] ?? "") + Buffer.from(encoded.bytes).toString("utf8");
      }
    }
  }
  return feeds;
}

async function batchesOf(
  run: Awaited<ReturnType<typeof demoRun>>,
  batchSize: number,
): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  const catalog = fileCatalogOf(run, "this test");
  for await (const batch of catalog.source.records(catalog.file, catalog.options, { batchSize })) {
    batches.push(batch);
  }
  return batches;
}

describe("the build on worker threads", () => {
  it("gives the same entries and counts as the build on this thread", async () => {
    const run = await demoRun(join(DEMO, "catalog.csv"));
    const spec = buildSpecOf(run, { withFeeds: true });
    const batches = await batchesOf(run, 7);
    const inline = await buildAll(inlineRunner(spec), batches);
    const threads = await buildAll(await workerRunner(spec, 2, { workerScript: WORKER_SCRIPT }), batches);
    expect(feedBytes(threads)).toEqual(feedBytes(inline));
    expect(threads.map((output) => output.variants)).toEqual(inline.map((output) => output.variants));
  });

  it("builds on this thread what a worker has no memory for, in catalog order", async () => {
    // Between two ordinary products, one with 6,000 variants and long descriptions: far more than
    // a 32 MB heap holds (and a worker needs about 16 MB to start).
    const header = "item_group_id,sku,title,description,brand,link,image_link,gtin,price,quantity\n";
    const description = `"${"<p>Long description, with HTML &amp; more.</p>".repeat(60)}"`;
    const row = (group: string, sku: string) =>
      `${group},${sku},Product ${group},${description},Acme,https://shop.example.com/p/${group},https://shop.example.com/i/${group}.jpg,,19.99,3\n`;
    let text = header;
    for (let index = 0; index < 50; index += 1) text += row(`SMALL-${index}`, `S-${index}`);
    for (let index = 0; index < 6000; index += 1) text += row("BIG", `BIG-${index}`);
    for (let index = 50; index < 100; index += 1) text += row(`SMALL-${index}`, `S-${index}`);
    const catalog = join(freshDir("oom"), "big.csv");
    writeFileSync(catalog, text);
    const run = await demoRun(catalog);
    const spec = buildSpecOf(run, { withFeeds: true });
    const batches = await batchesOf(run, 20);
    expect(batches.length).toBeGreaterThan(4);
    const inline = await buildAll(inlineRunner(spec), batches);
    const limited = await workerRunner(spec, 1, {
      workerScript: WORKER_SCRIPT,
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    const threads = await buildAll(limited, batches);
    expect(limited.workersLost).toBeGreaterThanOrEqual(1);
    expect(threads.map((output) => output.variants)).toEqual(inline.map((output) => output.variants));
    expect(feedBytes(threads)).toEqual(feedBytes(inline));
  });
});
