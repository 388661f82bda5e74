import type { z } from "zod";
import type { CatalogEntry } from "../core/catalog.js";
import type { RowIssue } from "../core/issues.js";

export const FILE_FORMATS = ["csv", "shopify-csv", "woocommerce-csv", "json", "jsonl", "google-xml"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** Catalogs read from the merchant's store over its API (connection in `stores.<name>` of the config). */
export const STORE_FORMATS = ["shopify", "woocommerce"] as const;
export type StoreFormat = (typeof STORE_FORMATS)[number];

export const SOURCE_FORMATS = [...FILE_FORMATS, ...STORE_FORMATS] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * An opaque resume point a source hands out with a batch: reading again from it yields the
 * batches after that one (a byte offset, a GraphQL cursor, a page number, a bulk operation id
 * plus a line). Plain JSON, so it can sit in the state store between runs.
 */
export type Checkpoint = string;

/**
 * Raw records of a catalog file, grouped so that one group makes one product (a Shopify handle's
 * rows, a WooCommerce parent with its variations, one JSON object). Plain data only: batches are
 * posted to build workers, which decode them.
 */
export interface RecordBatch<Group = unknown> {
  /** The file, or the store's label (`shopify:acme.myshopify.com`) for store sources. */
  file: string;
  groups: Group[];
  /** Records (≈ variants) in the batch; batches are sized by it. */
  records: number;
  /** Bytes of the (uncompressed) file read once this batch is done; for progress and checkpoints. */
  bytesRead: number;
  /** Problems found while splitting records (unbalanced quotes, broken XML), as row issues. */
  issues: RowIssue[];
  /** Store sources: where to resume to read the batches after this one. */
  checkpoint?: Checkpoint | undefined;
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
  kind?: "file";
  format: FileFormat;
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

/** What a source may use besides its options: the outside world, passed in so tests control it. */
export interface SourceContext {
  signal?: AbortSignal | undefined;
  /** Now; a test may fix it. */
  clock: () => Date;
  /** Secret values by the environment variable name the options give (`access_token_env`). */
  secret(name: string): string | undefined;
}

/** The answer of `check()`: who answered and how, or why the connection does not work. */
export interface SourceCheck {
  ok: boolean;
  /** `acme.myshopify.com (Admin API 2026-10)`, `https://shop.example (WooCommerce REST v3)`. */
  target: string;
  /** What was found (`1,204 products`), or the problem (`401 Invalid API key or access token`). */
  detail: string;
}

/**
 * A catalog read from a store's API. Like a file source it is split in two: `records` pages
 * through the store on the main thread and hands out raw store records (plain JSON) with a
 * checkpoint per batch; `decode` turns them into canonical products in build workers. Row
 * issues and origins name the store's own ids instead of lines.
 */
export interface StoreSource<Options = unknown> {
  kind: "store";
  format: StoreFormat;
  description: string;
  optionsSchema: z.ZodType<Options>;
  /** Tests the connection and credentials with one cheap call. */
  check(options: Options, context: SourceContext): Promise<SourceCheck>;
  /** Reads from `read.from` (a checkpoint of an earlier batch) or from the start. */
  records(
    options: Options,
    read: ReadOptions & { from?: Checkpoint | undefined },
    context: SourceContext,
  ): AsyncIterable<RecordBatch>;
  decode(batch: RecordBatch, options: Options): DecodedBatch;
  /** The store's label for messages and origins (`shopify:acme.myshopify.com`). */
  label(options: Options): string;
}

export function defineStoreSource<Options>(source: StoreSource<Options>): StoreSource<Options> {
  return source;
}

export type AnySource = CatalogSource | StoreSource;

export function isStoreSource(source: AnySource): source is StoreSource {
  return source.kind === "store";
}
