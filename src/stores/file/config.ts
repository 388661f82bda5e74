import { z } from "zod";
import { FILE_FORMATS } from "../../sources/source.js";

/**
 * The file store's settings: a folder of its own (outbox, orders.csv, inbox) and the merchant's
 * catalog file, read through the file sources as every export reads it.
 */
export const FileStoreCatalogSchema = z.strictObject({
  /** The catalog file (absolute, or relative to the working folder). */
  file: z.string().min(1),
  /** Detected from the file when absent. */
  format: z.enum(FILE_FORMATS).optional(),
  encoding: z.string().min(1).optional(),
  /** The source's options (currency, store_url, …), checked by the source's own schema. */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type FileStoreCatalog = z.infer<typeof FileStoreCatalogSchema>;

export const FileStoreConfigSchema = z.strictObject({
  /** The store's folder: `outbox/`, `orders.csv` and `inbox/` live in it. */
  dir: z.string().min(1),
  /** Without a catalog the store can take tracking files but cannot read a catalog or check SKUs. */
  catalog: FileStoreCatalogSchema.optional(),
  /** Catalog records (≈ variants) per page of `readCatalog`. */
  batchSize: z.number().int().min(1).max(100_000).default(100),
});
export type FileStoreConfig = z.infer<typeof FileStoreConfigSchema>;
export type FileStoreConfigInput = z.input<typeof FileStoreConfigSchema>;
