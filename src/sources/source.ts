import type { z } from "zod";
import type { CatalogEntry } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";

export const SOURCE_FORMATS = [
  "csv",
  "shopify-csv",
  "woocommerce-csv",
  "json",
  "jsonl",
  "google-xml",
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * Raw records of a catalog file, grouped so that one group makes one product (a Shopify handle's
 * rows, a WooCommerce parent with its variations, one JSON object). Plain data only: batches are
 * posted to build workers, which decode them.
 */
export interface RecordBatch<Group = unknown> {
  file: string;
  groups: Group[];
  /** Records (≈ variants) in the batch; batches are sized by it. */
  records: number;
  /** Bytes of the (uncompressed) file read once this batch is done; for progress and checkpoints. */
  bytesRead: number;
  /** Problems found while splitting records (unbalanced quotes, broken XML), as row issues. */
  issues: RowIssue[];
}

export interface DecodedBatch {
  entries: CatalogEntry[];
  issues: RowIssue[];
}

export interface ReadOptions {
  /** Target records per batch; a group is never split. */
  batchSize: number;
  signal?: AbortSignal;
  /** The file's text encoding (`--encoding`); UTF-8, or UTF-16 by its byte order mark, when absent. */
  encoding?: string | undefined;
}

/**
 * A catalog file format. Reading is split in two so it can run in two places: `records` streams
 * and groups raw records on the main thread (cheap, bounded memory), `decode` turns a batch into
 * canonical products with row issues as data (pure; runs in build workers).
 */
export interface CatalogSource<Options = unknown> {
  format: SourceFormat;
  description: string;
  optionsSchema: z.ZodType<Options>;
  /** True when the start of the file (decompressed, ≤ 64 KiB) looks like this format. */
  sniff(head: string, fileName: string): boolean;
  records(file: string, options: Options, read: ReadOptions): AsyncIterable<RecordBatch>;
  decode(batch: RecordBatch, options: Options): DecodedBatch;
}

export function defineSource<Options>(source: CatalogSource<Options>): CatalogSource<Options> {
  return source;
}

/** Both halves in one place: the streaming `read` of the architecture, used by the single-thread path. */
export async function* readCatalog<Options>(
  source: CatalogSource<Options>,
  file: string,
  options: Options,
  read: ReadOptions,
): AsyncIterable<DecodedBatch & { bytesRead: number }> {
  for await (const batch of source.records(file, options, read)) {
    const decoded = source.decode(batch, options);
    yield {
      entries: decoded.entries,
      issues: [...batch.issues, ...decoded.issues],
      bytesRead: batch.bytesRead,
    };
  }
}
