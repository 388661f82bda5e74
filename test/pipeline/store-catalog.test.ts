import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainSku } from "../../src/pipeline/explain.js";
import { ISSUES_FILE, runExport } from "../../src/pipeline/export.js";
import type { PreparedRun } from "../../src/pipeline/plan.js";
import { prepareRun } from "../../src/pipeline/plan.js";
import { SPOOL_DIR_NAME, spoolFiles } from "../../src/pipeline/store-spool.js";
import type { SpoolReport } from "../../src/pipeline/store-spool.js";
import type { SourceContext } from "../../src/sources/source.js";
import { freshDir } from "../e2e/cli.js";
import { memoryProducts, memoryStore, type MemoryStore } from "../support/memory-store-source.js";

const PRODUCTS = 95;
const PAGE = 10;
// 95 products in pages of 10: 10 pages with products, the last one short (so no empty page after).
const PAGES = Math.ceil(PRODUCTS / PAGE);

function context(
  now = new Date("2026-12-06T00:00:00Z"),
  secrets: Record<string, string> = {},
): SourceContext {
  return { clock: () => now, secret: (name) => secrets[name] };
}

async function storeRun(
  store: MemoryStore,
  out: string,
  options: { resume?: boolean; clock?: Date; pageSize?: number } = {},
): Promise<PreparedRun> {
  return prepareRun(
    {
      store: "shopify",
      options: { store_url: "https://acme.example", page_size: options.pageSize ?? PAGE },
      spool: { dir: join(out, SPOOL_DIR_NAME), resume: options.resume ?? true },
      source: store.source,
      context: context(options.clock),
    },
    [{ id: "google" }, { id: "meta" }],
  );
}

async function exportStore(
  run: PreparedRun,
  out: string,
  extra: { signal?: AbortSignal; onVariants?: (variants: number) => void; spoolReport?: SpoolReport } = {},
) {
  return runExport(run, {
    outDir: out,
    gzip: false,
    maxShrink: 1,
    force: true,
    allowEmpty: false,
    strict: false,
    workers: 0,
    batchSize: 25,
    signal: extra.signal,
    spoolReport: extra.spoolReport,
    onProgress: (progress) => extra.onVariants?.(progress.variants),
  });
}

async function feedsOf(out: string): Promise<Record<string, string>> {
  const files = (await readdir(out)).filter((name) => /^(google|meta)\.(xml|tsv|csv)$/.test(name)).sort();
  const feeds: Record<string, string> = {};
  for (const name of files) feeds[name] = await readFile(join(out, name), "utf8");
  return feeds;
}

/** The feeds of an uninterrupted export of the same store, for comparison. */
async function referenceFeeds(): Promise<Record<string, string>> {
  const out = freshDir("store-ref");
  const store = memoryStore(memoryProducts(PRODUCTS));
  const result = await exportStore(await storeRun(store, out), out);
  expect(result.summary.catalog.records).toBeGreaterThan(0);
  const feeds = await feedsOf(out);
  expect(Object.keys(feeds).sort()).toEqual(["google.xml", "meta.csv"]);
  return feeds;
}

describe("a store catalog through the pipeline", () => {
  it("exports feeds whose items carry the store's products, read once page by page", async () => {
    const out = freshDir("store-export");
    const store = memoryStore(memoryProducts(PRODUCTS));
    const report: SpoolReport = { resumedBatches: 0, resumedRecords: 0, fetchedBatches: 0 };
    const result = await exportStore(await storeRun(store, out), out, { spoolReport: report });
    expect(result.status).toBe("published");
    expect(store.pages).toBe(PAGES);
    expect(report).toEqual({ resumedBatches: 0, resumedRecords: 0, fetchedBatches: PAGES });
    const feeds = await feedsOf(out);
    expect(Object.keys(feeds)).toEqual(expect.arrayContaining(["google.xml", "meta.csv"]));
    expect(feeds["google.xml"]).toContain("<g:id>SKU-95-2</g:id>");
    expect(feeds["google.xml"]).toContain("https://acme.example/products/product-7");
    expect(result.summary.catalog.file).toBe("memory:https://acme.example");
    // The finished spool says so: the next run reads the store again from the start.
    const state = JSON.parse(
      await readFile(spoolFiles(join(out, SPOOL_DIR_NAME), "shopify").state, "utf8"),
    ) as unknown;
    expect(state).toMatchObject({ complete: true, batches: PAGES });
  });

  it("resumes an import that failed mid-way from its checkpoint: only the rest is fetched, the feeds are the same", async () => {
    const reference = await referenceFeeds();
    const out = freshDir("store-resume");
    const store = memoryStore(memoryProducts(PRODUCTS));
    store.failAtPage = 4;
    await expect(exportStore(await storeRun(store, out), out)).rejects.toThrow("connection reset");
    expect(store.pages).toBe(3);
    // Nothing was published by the failed run.
    expect(await feedsOf(out)).toEqual({});

    store.failAtPage = undefined;
    store.pages = 0;
    const report: SpoolReport = { resumedBatches: 0, resumedRecords: 0, fetchedBatches: 0 };
    const result = await exportStore(await storeRun(store, out), out, { spoolReport: report });
    expect(result.status).toBe("published");
    expect(store.pages).toBe(PAGES - 3);
    expect(report.resumedBatches).toBe(3);
    expect(report.fetchedBatches).toBe(PAGES - 3);
    expect(await feedsOf(out)).toEqual(reference);
  });

  it("resumes an import aborted after some batches (a stopped job), and a third run starts over", async () => {
    const reference = await referenceFeeds();
    const out = freshDir("store-abort");
    const store = memoryStore(memoryProducts(PRODUCTS));
    const controller = new AbortController();
    const stopped = exportStore(await storeRun(store, out), out, {
      signal: controller.signal,
      onVariants: (variants) => {
        if (variants >= 60) controller.abort(new Error("worker shutting down"));
      },
    });
    await expect(stopped).rejects.toThrow("worker shutting down");
    const fetchedBefore = store.pages;
    expect(fetchedBefore).toBeGreaterThan(0);
    expect(fetchedBefore).toBeLessThan(PAGES);

    store.pages = 0;
    await exportStore(await storeRun(store, out), out);
    expect(store.pages).toBe(PAGES - fetchedBefore);
    expect(await feedsOf(out)).toEqual(reference);

    // The read finished: the next run reads the whole store again (it may have changed).
    store.pages = 0;
    await exportStore(await storeRun(store, out), out);
    expect(store.pages).toBe(PAGES);
  });

  it("starts over instead of resuming when asked, when the spool is stale, or when it belongs to other options", async () => {
    const cases: { name: string; second: { resume?: boolean; clock?: Date; pageSize?: number } }[] = [
      { name: "--from-start", second: { resume: false } },
      { name: "older than a day", second: { clock: new Date("2026-12-07T00:00:01Z") } },
      { name: "other options", second: { pageSize: 7 } },
    ];
    for (const { name, second } of cases) {
      const out = freshDir("store-fresh");
      const store = memoryStore(memoryProducts(PRODUCTS));
      store.failAtPage = 3;
      await expect(exportStore(await storeRun(store, out), out)).rejects.toThrow("connection reset");
      store.failAtPage = undefined;
      store.pages = 0;
      await exportStore(await storeRun(store, out, second), out);
      const pageSize = second.pageSize ?? PAGE;
      expect(store.pages, name).toBe(Math.ceil(PRODUCTS / pageSize) + (PRODUCTS % pageSize === 0 ? 1 : 0));
    }
  });

  it("drops a half-written batch a killed run left after its last checkpoint", async () => {
    const reference = await referenceFeeds();
    const out = freshDir("store-torn");
    const store = memoryStore(memoryProducts(PRODUCTS));
    store.failAtPage = 5;
    await expect(exportStore(await storeRun(store, out), out)).rejects.toThrow("connection reset");
    const files = spoolFiles(join(out, SPOOL_DIR_NAME), "shopify");
    // A kill between the write of a line and its checkpoint: the line is there, cut short.
    await writeFile(files.data, '{"groups":[{"product":{"id":41', { flag: "a" });
    store.failAtPage = undefined;
    store.pages = 0;
    await exportStore(await storeRun(store, out), out);
    expect(store.pages).toBe(PAGES - 4);
    expect(await feedsOf(out)).toEqual(reference);
  });

  it("refuses a second run on the same spool while the first holds it", async () => {
    const out = freshDir("store-lock");
    const files = spoolFiles(join(out, SPOOL_DIR_NAME), "shopify");
    const store = memoryStore(memoryProducts(PRODUCTS));
    const run = await storeRun(store, out);
    let second: Promise<unknown> | undefined;
    await exportStore(run, out, {
      onVariants: () => {
        second ??= exportStore(run, out).then(
          () => "finished",
          (error: unknown) => error,
        );
      },
    });
    const refused = (await second) as { kind?: string; message?: string };
    expect(refused.kind).toBe("conflict");
    expect(refused.message).toMatch(/another run \(pid \d+\) is reading memory:https:\/\/acme.example/);
    expect(existsSync(files.lock)).toBe(false);
  });

  it("names the store's ids in row issues and item issues, in the issues file too", async () => {
    const out = freshDir("store-issues");
    const products = memoryProducts(12);
    products[4]!.title = " ";
    products[6]!.variants[0]!.price = "0.00";
    const store = memoryStore(products);
    const result = await exportStore(await storeRun(store, out), out);
    expect(result.summary.catalog.rowErrors).toBe(1);
    const lines = (await readFile(join(out, ISSUES_FILE), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        kind: "row",
        file: "memory:https://acme.example",
        ref: "product 5",
        line: 5,
      }),
    );
    expect(lines.filter((line) => line.kind === "item" && line.sku === "SKU-7-0")).not.toEqual([]);
    for (const line of lines.filter((entry) => entry.kind === "item" && entry.sku === "SKU-7-0")) {
      expect(line.ref).toBe("7/70");
    }
  });

  it("explains a SKU with the store's record of its product instead of a file line", async () => {
    const out = freshDir("store-explain");
    const store = memoryStore(memoryProducts(30));
    const result = await explainSku(await storeRun(store, out), "SKU-14-1");
    expect(result.found).toBe(true);
    expect(result.source).toMatchObject({
      file: "memory:https://acme.example",
      format: "shopify",
      line: 14,
      ref: "14/141",
    });
    expect(JSON.parse(result.source!.text)).toMatchObject({ product: { id: 14, handle: "product-14" } });
    // It stopped reading once found: the rest is fetched by the next run that needs it.
    expect(store.pages).toBe(2);
  });
});
