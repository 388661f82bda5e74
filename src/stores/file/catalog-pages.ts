import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import { catalogFileError } from "../../sources/file-input.js";
import { checkpointOf } from "../../sources/checkpoint.js";
import { detectCatalogFormat, sourceFor } from "../../sources/registry.js";
import type { CatalogSource, Checkpoint, RecordBatch } from "../../sources/source.js";
import type { CatalogPage } from "../store.js";
import type { FileStoreCatalog } from "./config.js";

/**
 * The file store's catalog: the merchant's catalog file read by the file sources, one page per
 * record batch. A checkpoint names how many batches were read, the bytes they ended at, and the
 * file's size and modification time. Resuming re-reads the skipped batches without decoding them
 * (splitting records is the cheap half of a read) and checks the bytes still line up, so a
 * resume of a changed file fails (`conflict`) instead of skipping the wrong products.
 */
const CatalogCheckpointSchema = z.strictObject({
  batches: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
});
type CatalogCheckpoint = z.infer<typeof CatalogCheckpointSchema>;

/** The catalog file opened for reading: its source, checked options and identity. */
export interface OpenedCatalog {
  file: string;
  source: CatalogSource;
  options: unknown;
  encoding?: string | undefined;
  size: number;
  mtimeMs: number;
}

export async function openCatalog(catalog: FileStoreCatalog): Promise<OpenedCatalog> {
  const file = resolve(catalog.file);
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw catalogFileError(file, error);
  }
  const format = catalog.format ?? (await detectCatalogFormat(file, catalog.encoding));
  const source = sourceFor(format);
  const parsed = source.optionsSchema.safeParse(catalog.options ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw new OmnifeedError("config", `file store catalog options for ${format}: ${problems.join("; ")}`, {
      where: file,
    });
  }
  return {
    file,
    source,
    options: parsed.data,
    encoding: catalog.encoding,
    size: info.size,
    mtimeMs: info.mtimeMs,
  };
}

function readCheckpoint(from: Checkpoint, catalog: OpenedCatalog): CatalogCheckpoint {
  const checkpoint = checkpointOf(from, CatalogCheckpointSchema);
  if (checkpoint === undefined) {
    throw new OmnifeedError("config", "not a checkpoint of the file store's catalog; read from the start", {
      where: catalog.file,
    });
  }
  if (checkpoint.size !== catalog.size || checkpoint.mtimeMs !== catalog.mtimeMs) {
    throw changed(catalog);
  }
  return checkpoint;
}

function changed(catalog: OpenedCatalog): OmnifeedError {
  return new OmnifeedError(
    "conflict",
    "the catalog file changed since the checkpoint was taken; read it from the start",
    { where: catalog.file },
  );
}

export interface PageOptions {
  batchSize: number;
  signal?: AbortSignal | undefined;
}

/** The catalog's pages from `from` (or the start); every page but the last carries a checkpoint. */
export async function* catalogPages(
  catalog: OpenedCatalog,
  read: PageOptions,
  from?: Checkpoint,
): AsyncIterable<CatalogPage> {
  const resume = from === undefined ? undefined : readCheckpoint(from, catalog);
  let index = 0;
  // One batch is held back: only the next batch's arrival tells that this one is not the last.
  let held: RecordBatch | undefined;
  const records = catalog.source.records(catalog.file, catalog.options, {
    batchSize: read.batchSize,
    ...(read.signal && { signal: read.signal }),
    encoding: catalog.encoding,
  });
  for await (const batch of records) {
    index += 1;
    if (resume && index <= resume.batches) {
      if (index === resume.batches && batch.bytesRead !== resume.bytes) throw changed(catalog);
      continue;
    }
    if (held) yield page(catalog, held, index - 1);
    held = batch;
  }
  if (resume && index < resume.batches) throw changed(catalog);
  if (held) yield page(catalog, held, undefined);
}

function page(catalog: OpenedCatalog, batch: RecordBatch, batches: number | undefined): CatalogPage {
  const decoded = catalog.source.decode(batch, catalog.options);
  const checkpoint: CatalogCheckpoint | undefined =
    batches === undefined
      ? undefined
      : { batches, bytes: batch.bytesRead, size: catalog.size, mtimeMs: catalog.mtimeMs };
  return {
    entries: decoded.entries,
    issues: [...batch.issues, ...decoded.issues],
    checkpoint: checkpoint && JSON.stringify(checkpoint),
  };
}

/**
 * The SKUs of `wanted` the catalog does not sell. Reads the catalog until every wanted SKU is
 * seen (all of it when one is missing); memory holds the wanted SKUs only.
 */
export async function unsoldSkus(
  catalog: OpenedCatalog,
  wanted: ReadonlySet<string>,
  read: PageOptions,
): Promise<string[]> {
  const missing = new Set(wanted);
  for await (const found of catalogPages(catalog, read)) {
    for (const entry of found.entries) {
      for (const variant of entry.product.variants) missing.delete(variant.sku);
    }
    if (missing.size === 0) break;
  }
  return [...missing];
}
