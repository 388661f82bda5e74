import type { RecordBatch } from "../sources/source.js";
import type { PreparedCatalog } from "./plan.js";
import type { SpoolReport } from "./store-spool.js";
import { spooledStoreBatches } from "./store-spool.js";

export interface CatalogReadOptions {
  batchSize: number;
  signal?: AbortSignal | undefined;
  /** Store catalogs: filled in with what came from an interrupted run's spool and from the store. */
  spoolReport?: SpoolReport | undefined;
}

/**
 * The raw record batches of a run's catalog, in catalog order: a file through its source's reader;
 * a store through its import spool (resumed from the last checkpoint of an interrupted read).
 */
export function catalogBatches(
  catalog: PreparedCatalog,
  read: CatalogReadOptions,
): AsyncIterable<RecordBatch> {
  if (catalog.kind === "store") {
    return spooledStoreBatches(
      {
        source: catalog.source,
        options: catalog.options,
        label: catalog.file,
        context: catalog.context,
        spool: catalog.spool,
      },
      { batchSize: read.batchSize, signal: read.signal },
      read.spoolReport,
    );
  }
  return catalog.source.records(catalog.file, catalog.options, {
    batchSize: read.batchSize,
    encoding: catalog.encoding,
    ...(read.signal ? { signal: read.signal } : {}),
  });
}
