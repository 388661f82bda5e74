import { stat } from "node:fs/promises";
import { isGzipFile } from "../sources/file-input.js";
import type { BatchOutput, ChannelBatchOutput, ReportedItemIssue } from "./build.js";
import { emptyChannelOutput } from "./build.js";
import { DuplicateKeys } from "./duplicate-keys.js";
import type { PreparedRun } from "./plan.js";
import { buildSpecOf, defaultWorkerCount } from "./plan.js";
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
  /** Stops reading and building; the run ends with the signal's reason. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
}

export interface Progress {
  bytesRead: number;
  /** Size of the file to read; `undefined` when it is compressed (bytes read count uncompressed). */
  totalBytes: number | undefined;
  variants: number;
}

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
  const fileBytes = (await stat(run.catalog.file)).size;
  const totalBytes = (await isGzipFile(run.catalog.file)) ? undefined : fileBytes;
  const workers = options.workers ?? defaultWorkerCount(fileBytes);
  const spec = buildSpecOf(run, { withFeeds: options.withFeeds, withRecords: options.withRecords });
  const mappings = new Map(run.channels.map(({ channel, mapping }) => [channel.id, mapping]));
  const onThisThread = () => inlineRunner(spec, mappings);
  const runner: BatchRunner =
    workers > 0 ? await workerRunner(spec, workers, { fallback: onThisThread }) : onThisThread();
  const inFlight: Promise<BatchOutput>[] = [];
  const duplicates = new DuplicateKeys(
    run.channels.map(({ channel }) => ({ id: channel.id, keyField: channel.keyField })),
  );
  let variants = 0;

  const settleOldest = async (): Promise<void> => {
    const output = await inFlight.shift()!;
    duplicates.exclude(output, run.catalog.file);
    variants += output.variants;
    await consume(output);
    options.onProgress?.({ bytesRead: output.bytesRead, totalBytes, variants });
  };

  try {
    const batches = run.catalog.source.records(run.catalog.file, run.catalog.options, {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      encoding: run.catalog.encoding,
    });
    for await (const batch of batches) {
      options.signal?.throwIfAborted();
      const pending = runner.run(batch);
      // Awaited in order below; this only keeps an early failure from being reported as unhandled.
      pending.catch(() => undefined);
      inFlight.push(pending);
      if (inFlight.length >= runner.capacity) await settleOldest();
    }
    while (inFlight.length > 0) {
      options.signal?.throwIfAborted();
      await settleOldest();
    }
    const issues = duplicates.issues();
    if (issues.length > 0) await consume(duplicateIssuesOutput(issues));
  } finally {
    await runner.close();
  }
  return { workers };
}

// An output that only carries the duplicate-key issues, each under its channel.
function duplicateIssuesOutput(issues: readonly ReportedItemIssue[]): BatchOutput {
  const output: BatchOutput = {
    records: 0,
    bytesRead: 0,
    products: 0,
    variants: 0,
    rowIssues: [],
    channels: {},
  };
  for (const issue of issues) {
    const channel: ChannelBatchOutput = (output.channels[issue.channel] ??= emptyChannelOutput());
    channel.issues.push(issue);
  }
  return output;
}
