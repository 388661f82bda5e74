import { stat } from "node:fs/promises";
import { isGzipFile } from "../sources/file-input.js";
import { loadStoreSource } from "../sources/registry.js";
import type { RecordBatch } from "../sources/source.js";
import { catalogBatches } from "./catalog-read.js";
import type { BatchOutput } from "./build.js";
import { oneItemPerKey } from "./duplicate-keys.js";
import type { PreparedRun } from "./plan.js";
import { buildSpecOf, buildThreadCount, defaultWorkerCount } from "./plan.js";
import type { SpoolReport } from "./store-spool.js";
import type { BatchRunner } from "./worker-pool.js";
import { inlineRunner, workerRunner } from "./worker-pool.js";

export interface BuildRunOptions {
  /** 0 = build on this thread; undefined = decide from the catalog size. */
  workers?: number | undefined;
  /** Records per batch. */
  batchSize?: number | undefined;
  withFeeds: boolean;
  /** Yield a publish record per variant and channel (typed values, section hashes). */
  withRecords?: boolean | undefined;
  /** Stock holds to subtract before the channel transform (adr/0028): SKU → units sold. */
  holds?: ReadonlyMap<string, number> | undefined;
  /** Stops reading and building; the run ends with the signal's reason. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
  /** Store catalogs: filled in with what the import spool replayed and what the store sent. */
  spoolReport?: SpoolReport | undefined;
}

export interface Progress {
  bytesRead: number;
  /** Size of the file to read; `undefined` when it is compressed (bytes read count uncompressed). */
  totalBytes: number | undefined;
  variants: number;
}

/**
 * Hands batch outputs to `consume` in catalog order, as they are made or read back; resolves with
 * the build threads it used. Outputs come as built: the one-item-per-key rule is applied after
 * (`oneItemPerKey`), by whoever consumes them.
 */
export type OutputProducer = (
  consume: (output: BatchOutput) => Promise<void>,
) => Promise<{ workers: number }>;

// Small batches keep each worker's live data small, which is what bounds its heap.
export const DEFAULT_BATCH_SIZE = 100;

/**
 * Streams the catalog through the build and hands each batch's output to `consume` in catalog
 * order. Reading waits while `capacity` batches are in flight and while `consume` writes, so
 * memory stays bounded by a few batches whatever the catalog size. Items whose channel key an
 * earlier item has are left out here, in catalog order, whichever thread built them; the
 * `duplicate_key` issues come last, in an output of their own.
 */
export async function streamBuild(
  run: PreparedRun,
  options: BuildRunOptions,
  consume: (output: BatchOutput) => Promise<void>,
): Promise<{ workers: number }> {
  const keyed = oneItemPerKey(run, consume);
  const result = await buildBatches(run, options, keyed.consume);
  await keyed.finish();
  return result;
}

/** `streamBuild` without the one-item-per-key rule: every output as the build made it. */
export async function buildBatches(
  run: PreparedRun,
  options: BuildRunOptions,
  consume: (output: BatchOutput) => Promise<void>,
): Promise<{ workers: number }> {
  const { totalBytes, workers } = await sizeOf(run, options.workers);
  const spec = buildSpecOf(run, {
    withFeeds: options.withFeeds,
    withRecords: options.withRecords,
    holds: options.holds,
  });
  const mappings = new Map(run.channels.map(({ channel, mapping }) => [channel.id, mapping]));
  const onThisThread = () => inlineRunner(spec, mappings, run.catalog.source);
  const runner: BatchRunner =
    workers > 0 ? await workerRunner(spec, workers, { fallback: onThisThread }) : onThisThread();
  let variants = 0;
  try {
    const batches = catalogBatches(run.catalog, {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      signal: options.signal,
      spoolReport: options.spoolReport,
    });
    await buildInOrder(batches, runner, options.signal, async (output) => {
      variants += output.variants;
      await consume(output);
      options.onProgress?.({ bytesRead: output.bytesRead, totalBytes, variants });
    });
  } finally {
    await runner.close();
  }
  return { workers };
}

/**
 * The catalog's size for progress and the thread count. A store's size is not known before it is
 * read: progress counts variants, and its build gets threads unless told otherwise (a store catalog
 * worth an API connector is rarely small, and the threads cost little next to the download).
 */
async function sizeOf(
  run: PreparedRun,
  workers: number | undefined,
): Promise<{ totalBytes: number | undefined; workers: number }> {
  if (run.catalog.kind === "store") {
    // A source given to the run (tests) is not in the registry the build threads look in.
    const registered = run.catalog.source === (await loadStoreSource(run.catalog.format));
    return { totalBytes: undefined, workers: registered ? (workers ?? buildThreadCount()) : 0 };
  }
  const fileBytes = (await stat(run.catalog.file)).size;
  const totalBytes = (await isGzipFile(run.catalog.file)) ? undefined : fileBytes;
  return { totalBytes, workers: workers ?? defaultWorkerCount(fileBytes) };
}

/**
 * Runs each batch through `runner`, keeping up to its capacity in flight, and hands the outputs
 * to `consume` in the order of `batches`. Reading waits for `consume`, so memory stays bounded.
 */
export async function buildInOrder(
  batches: AsyncIterable<RecordBatch>,
  runner: BatchRunner,
  signal: AbortSignal | undefined,
  consume: (output: BatchOutput) => Promise<void>,
): Promise<void> {
  const inFlight: Promise<BatchOutput>[] = [];
  for await (const batch of batches) {
    signal?.throwIfAborted();
    const pending = runner.run(batch);
    // Awaited in order below; this only keeps an early failure (or one left in flight when a
    // later step throws) from being reported as unhandled.
    pending.catch(() => undefined);
    inFlight.push(pending);
    if (inFlight.length >= runner.capacity) await consume(await inFlight.shift()!);
  }
  while (inFlight.length > 0) {
    signal?.throwIfAborted();
    await consume(await inFlight.shift()!);
  }
}
