import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import { catalogFileError } from "../sources/file-input.js";
import type { PreparedRun } from "./plan.js";
import { buildSpecOf, fileCatalogOf } from "./plan.js";
import { DEFAULT_BATCH_SIZE } from "./stream-build.js";

/** A chunk of a chunked build: batches `[fromBatch, toBatch)` of the catalog, in its order. */
export const ChunkSchema = z.object({
  index: z.number().int().nonnegative(),
  fromBatch: z.number().int().nonnegative(),
  toBatch: z.number().int().positive(),
  /** Records (≈ variants) in the chunk's batches, for progress. */
  records: z.number().int().nonnegative(),
});
export type Chunk = z.infer<typeof ChunkSchema>;

/** The catalog file a plan was made from, as the file system describes it. */
export const CatalogIdentitySchema = z.object({
  file: z.string().min(1),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
});
export type CatalogIdentity = z.infer<typeof CatalogIdentitySchema>;

/**
 * How a catalog is cut into chunks, made once by the run's parent and sent to every chunk job and
 * to the assembly (it travels in job payloads: parse it with this schema at that boundary). Chunks
 * are ranges of batch indexes: the source's reader cuts batches the same way on every machine for
 * the same file and batch size, and never splits a product across batches, so no chunk splits one.
 */
export const ChunkPlanSchema = z
  .object({
    version: z.literal(1),
    catalog: CatalogIdentitySchema,
    /** Fingerprint of what is built (format, options, encoding, channels, mappings, feeds). */
    build: z.string().regex(/^[0-9a-f]{64}$/),
    batchSize: z.number().int().positive(),
    batches: z.number().int().nonnegative(),
    records: z.number().int().nonnegative(),
    chunks: z.array(ChunkSchema),
  })
  .superRefine((plan, context) => {
    let next = 0;
    plan.chunks.forEach((chunk, position) => {
      if (chunk.index !== position || chunk.fromBatch !== next || chunk.toBatch <= chunk.fromBatch) {
        context.addIssue({
          code: "custom",
          path: ["chunks", position],
          message: "chunks must follow each other",
        });
      }
      next = chunk.toBatch;
    });
    if (next !== plan.batches) {
      context.addIssue({ code: "custom", path: ["chunks"], message: "chunks must cover every batch" });
    }
  });
export type ChunkPlan = z.infer<typeof ChunkPlanSchema>;

export interface PlanChunksOptions {
  /** Records per batch; the same for planning and building, so it is kept in the plan. */
  batchSize?: number | undefined;
  /** Batches per chunk; the last chunk takes what is left. */
  chunkBatches: number;
  signal?: AbortSignal | undefined;
}

/**
 * Cuts the run's catalog into chunks of `chunkBatches` batches with one pass of the source's
 * reader: for CSV and Shopify CSV that pass only finds where records end (the parse happens in the
 * build), so it costs a fraction of a build. Every chunk job and the assembly must read the catalog
 * at the same path with the same contents: a shared folder when they run on several machines.
 */
export async function planChunks(run: PreparedRun, options: PlanChunksOptions): Promise<ChunkPlan> {
  if (!Number.isInteger(options.chunkBatches) || options.chunkBatches < 1) {
    throw new OmnifeedError(
      "config",
      `chunk size must be a whole number of batches ≥ 1, not ${options.chunkBatches}`,
    );
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const file = fileCatalogOf(run, "planning chunks");
  const catalog = await catalogIdentity(file.file);
  const chunks: Chunk[] = [];
  let batches = 0;
  let records = 0;
  let chunkRecords = 0;
  const read = file.source.records(file.file, file.options, {
    batchSize,
    encoding: file.encoding,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const batch of read) {
    options.signal?.throwIfAborted();
    batches += 1;
    records += batch.records;
    chunkRecords += batch.records;
    if (batches % options.chunkBatches === 0) {
      chunks.push(chunkOf(chunks.length, batches - options.chunkBatches, batches, chunkRecords));
      chunkRecords = 0;
    }
  }
  const rest = batches % options.chunkBatches;
  if (rest > 0) chunks.push(chunkOf(chunks.length, batches - rest, batches, chunkRecords));
  await checkCatalogUnchanged(run.catalog.file, catalog);
  return ChunkPlanSchema.parse({
    version: 1,
    catalog,
    build: await buildFingerprint(run),
    batchSize,
    batches,
    records,
    chunks,
  });
}

function chunkOf(index: number, fromBatch: number, toBatch: number, records: number): Chunk {
  return { index, fromBatch, toBatch, records };
}

/** The catalog file's path, size and modification time now. */
export async function catalogIdentity(file: string): Promise<CatalogIdentity> {
  try {
    const stats = await stat(file);
    return { file, size: stats.size, mtimeMs: stats.mtimeMs };
  } catch (error) {
    throw catalogFileError(file, error);
  }
}

/**
 * Stops a chunk whose catalog is not the one planned: the file was replaced or written to since
 * (its size or modification time moved), so its batches would not line up with the plan's.
 */
export async function checkCatalogUnchanged(file: string, planned: CatalogIdentity): Promise<void> {
  if (file !== planned.file) {
    throw new OmnifeedError(
      "config",
      `this run reads the catalog at ${file} but the plan was made from ${planned.file}: every worker must see it at the same path`,
    );
  }
  const now = await catalogIdentity(file);
  if (now.size !== planned.size || now.mtimeMs !== planned.mtimeMs) {
    throw new OmnifeedError(
      "conflict",
      `the catalog changed since the chunks were planned (size ${planned.size} → ${now.size}, ` +
        `modified ${new Date(planned.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}); plan the run again`,
      { where: file },
    );
  }
}

/**
 * What decides the bytes a batch builds into, as one hash: the build spec (source format and
 * options, channels, mapping file names, account settings, feeds), the text encoding and the text
 * of every mapping file read (the defaults included, so a machine with other defaults is caught
 * too). A chunk job or an assembly whose run does not match the plan's is refused, not mixed in.
 */
export async function buildFingerprint(run: PreparedRun): Promise<string> {
  const hash = createHash("sha256");
  const spec = buildSpecOf(run, { withFeeds: true });
  hash.update(JSON.stringify({ spec, encoding: run.catalog.encoding ?? null }));
  for (const { mapping } of run.channels) {
    for (const file of mapping.files) hash.update(`\u0000${file}\u0000`).update(await readFile(file));
  }
  return hash.digest("hex");
}

/** Stops a chunk job or an assembly whose run builds differently from the plan's run. */
export async function checkBuildMatches(run: PreparedRun, plan: ChunkPlan): Promise<void> {
  if ((await buildFingerprint(run)) !== plan.build) {
    throw new OmnifeedError(
      "conflict",
      "this run's build settings (format, options, channels, mappings or feeds) differ from those the chunks were planned with",
    );
  }
}
