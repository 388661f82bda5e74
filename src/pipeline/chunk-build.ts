import type { ResourceLimits } from "node:worker_threads";
import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import type { RecordBatch } from "../sources/source.js";
import type { ChunkPlan } from "./chunk-plan.js";
import { buildFingerprint, checkBuildMatches, checkCatalogUnchanged } from "./chunk-plan.js";
import { SpoolWriter } from "./chunk-spool.js";
import type { PreparedRun } from "./plan.js";
import { buildSpecOf, buildThreadCount, fileCatalogOf } from "./plan.js";
import { buildInOrder } from "./stream-build.js";
import type { BatchRunner } from "./worker-pool.js";
import { inlineRunner, workerRunner } from "./worker-pool.js";

/** What a chunk job reports when its spool is in place. */
export const ChunkSummarySchema = z.object({
  index: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  variants: z.number().int().nonnegative(),
  /** Size of the spool file written. */
  spoolBytes: z.number().int().nonnegative(),
  /** Batches read and passed over before the chunk's first one. */
  skipped: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type ChunkSummary = z.infer<typeof ChunkSummarySchema>;

export interface BuildChunkOptions {
  /** Where the spool goes (`chunkSpoolFile`): a folder every machine of the run shares. */
  spoolFile: string;
  /** The build threads to use (`BuildPools.use`), or `inlineRunner` for this thread. */
  runner: BatchRunner;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: { batches: number; of: number; variants: number }) => void) | undefined;
}

/**
 * Builds chunk `index` of `plan` into its spool: reads the catalog from its start, passes over the
 * batches before the chunk without building them, builds the chunk's batches on `runner` and stops
 * reading after its last one. Outputs are spooled as built: the one-item-per-key rule needs the
 * whole catalog in order and is applied by the assembly. Running it again for the same chunk
 * writes the same spool over the old one.
 *
 * Refused with a `conflict` when the catalog file is not the one planned (its size or modification
 * time moved, before or during the build) or when this run builds differently from the plan's.
 */
export async function buildChunk(
  run: PreparedRun,
  plan: ChunkPlan,
  index: number,
  options: BuildChunkOptions,
): Promise<ChunkSummary> {
  const started = performance.now();
  const chunk = plan.chunks[index];
  if (!chunk)
    throw new OmnifeedError("config", `the plan has no chunk ${index} (it has ${plan.chunks.length})`);
  await checkBuildMatches(run, plan);
  await checkCatalogUnchanged(run.catalog.file, plan.catalog);

  const spool = await SpoolWriter.open(options.spoolFile, plan, chunk);
  const wanted = chunk.toBatch - chunk.fromBatch;
  const range = { seen: 0, built: 0 };
  let variants = 0;
  let records = 0;
  let spoolBytes: number;
  try {
    const catalog = fileCatalogOf(run, "a chunk build");
    const batches = catalog.source.records(catalog.file, catalog.options, {
      batchSize: plan.batchSize,
      encoding: catalog.encoding,
    });
    await buildInOrder(
      batchRange(batches, chunk.fromBatch, chunk.toBatch, range),
      options.runner,
      options.signal,
      async (output) => {
        variants += output.variants;
        records += output.records;
        await spool.write(output);
        options.onProgress?.({ batches: range.built, of: wanted, variants });
      },
    );
    if (range.built !== wanted) {
      throw new OmnifeedError(
        "conflict",
        `the catalog has ${range.seen} batches of ${plan.batchSize} records, not the ${plan.batches} planned: it changed since the chunks were planned`,
        { where: run.catalog.file },
      );
    }
    // A catalog written to while this chunk read it: what was read may not be what was planned.
    await checkCatalogUnchanged(run.catalog.file, plan.catalog);
    spoolBytes = await spool.commit();
  } catch (error) {
    await spool.discard();
    throw error;
  }
  return ChunkSummarySchema.parse({
    index,
    batches: wanted,
    records,
    variants,
    spoolBytes,
    skipped: chunk.fromBatch,
    durationMs: Math.round(performance.now() - started),
  });
}

// The batches `[from, to)` of the catalog; reading stops right after the last one.
async function* batchRange(
  batches: AsyncIterable<RecordBatch>,
  from: number,
  to: number,
  counts: { seen: number; built: number },
): AsyncGenerator<RecordBatch> {
  if (counts.seen >= to) return;
  for await (const batch of batches) {
    counts.seen += 1;
    if (counts.seen > from) {
      counts.built += 1;
      yield batch;
    }
    if (counts.seen >= to) return;
  }
}

export interface BuildPoolsOptions {
  /** Build threads per pool; 0 builds on the calling thread. One per core (up to 4) when absent. */
  workers?: number | undefined;
  /** The compiled worker script (tests run the one in dist/). */
  workerScript?: string | undefined;
  resourceLimits?: ResourceLimits | undefined;
}

interface Pool {
  fingerprint: string;
  runner: Promise<BatchRunner>;
  users: number;
  retired: boolean;
}

/**
 * The build threads of a worker process, shared by the chunk jobs it runs: one process per
 * machine, its threads started once and reused by every chunk of the same build, never a pool per
 * job. The pool of the latest build is kept; a job of another build (other mappings, channels or
 * catalog options) gets a new pool, and the old one closes when its last job is done. A job that
 * fails retires its pool too, so a thread that died takes no later job down with it.
 */
export class BuildPools {
  private current: Pool | undefined;
  private readonly live = new Set<Pool>();
  private closed = false;

  constructor(private readonly options: BuildPoolsOptions = {}) {}

  /** Runs `work` with the build threads for `run`'s build, starting them if needed. */
  async use<T>(run: PreparedRun, work: (runner: BatchRunner) => Promise<T>): Promise<T> {
    if (this.closed) throw new OmnifeedError("transient", "the build threads are closing; no new chunk");
    const pool = await this.acquire(run);
    let failed = false;
    try {
      return await work(await pool.runner);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      pool.users -= 1;
      if (failed) this.retire(pool);
      if (pool.retired && pool.users === 0) await this.closePool(pool);
    }
  }

  /** Closes every pool, waiting for none: call it once no job is running (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.current = undefined;
    await Promise.all([...this.live].map((pool) => this.closePool(pool)));
  }

  private async acquire(run: PreparedRun): Promise<Pool> {
    const fingerprint = await buildFingerprint(run);
    const previous = this.current;
    if (previous?.fingerprint === fingerprint) {
      previous.users += 1;
      return previous;
    }
    const pool: Pool = { fingerprint, runner: this.startRunner(run), users: 1, retired: false };
    // A pool that cannot start is not kept: the next job tries again.
    pool.runner.catch(() => this.retire(pool));
    this.current = pool;
    this.live.add(pool);
    if (previous) {
      this.retire(previous);
      if (previous.users === 0) await this.closePool(previous);
    }
    return pool;
  }

  private startRunner(run: PreparedRun): Promise<BatchRunner> {
    const spec = buildSpecOf(run, { withFeeds: true });
    const mappings = new Map(run.channels.map(({ channel, mapping }) => [channel.id, mapping]));
    const onThisThread = () => inlineRunner(spec, mappings);
    const workers = this.options.workers ?? buildThreadCount();
    if (workers === 0) return Promise.resolve(onThisThread());
    return workerRunner(spec, workers, {
      fallback: onThisThread,
      workerScript: this.options.workerScript,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
    });
  }

  private retire(pool: Pool): void {
    pool.retired = true;
    if (this.current === pool) this.current = undefined;
  }

  private async closePool(pool: Pool): Promise<void> {
    if (!this.live.delete(pool)) return;
    const runner = await pool.runner.catch(() => undefined);
    await runner?.close();
  }
}
