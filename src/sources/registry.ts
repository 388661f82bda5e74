import { OmnifeedError } from "../core/errors.js";
import { csvSource } from "./csv/index.js";
import { readHead } from "./file-input.js";
import { googleXmlSource } from "./google-xml/index.js";
import { jsonlSource, jsonSource } from "./json/index.js";
import { shopifyCsvSource } from "./shopify-csv/index.js";
import { shopifySource } from "./shopify/index.js";
import { wooCommerceSource } from "./woocommerce/index.js";
import type {
  CatalogSource,
  DecodedBatch,
  FileFormat,
  RecordBatch,
  SourceFormat,
  StoreFormat,
  StoreSource,
} from "./source.js";
import { STORE_FORMATS } from "./source.js";
import { wooCommerceCsvSource } from "./woocommerce-csv/index.js";

/**
 * Every catalog file format, by hand. The order is the detection order: the store exports and the
 * structured formats are recognised by their content; the generic CSV takes any delimited file.
 */
export const SOURCES: readonly CatalogSource[] = [
  googleXmlSource,
  jsonlSource,
  jsonSource,
  shopifyCsvSource,
  wooCommerceCsvSource,
  csvSource,
];

/**
 * Every store a catalog can be read from over its API, by hand. The connection of each comes from
 * `stores.<format>` of omnifeed.config.yaml; `--catalog shopify` picks one.
 */
export const STORE_SOURCES: readonly StoreSource[] = [shopifySource, wooCommerceSource];

export function isStoreFormat(text: string): text is StoreFormat {
  return (STORE_FORMATS as readonly string[]).includes(text);
}

export function storeSourceFor(format: StoreFormat): StoreSource {
  const source = STORE_SOURCES.find((candidate) => candidate.format === format);
  if (!source)
    throw new OmnifeedError("config", `the ${format} catalog source is not built into this omnifeed`);
  return source;
}

/** What a build worker needs of a source, file or store: its options schema and its pure decode. */
export interface SourceDecoder {
  optionsSchema: { parse(options: unknown): unknown };
  decode(batch: RecordBatch, options: unknown): DecodedBatch;
}

export function decoderFor(format: SourceFormat): SourceDecoder {
  return isStoreFormat(format) ? storeSourceFor(format) : sourceFor(format);
}

export function sourceFor(format: FileFormat): CatalogSource {
  const source = SOURCES.find((candidate) => candidate.format === format);
  if (!source) throw new OmnifeedError("config", `unknown catalog format "${format}"`);
  return source;
}

/** The format whose `sniff` accepts the start of a file, or `undefined`. */
export function detectFormat(file: string, head: string): FileFormat | undefined {
  const text = head.startsWith("\ufeff") ? head.slice(1) : head;
  return SOURCES.find((source) => source.sniff(text, file))?.format;
}

/** Reads the start of a file (gunzipped when needed) and detects its format; `--format` skips this. */
export async function detectCatalogFormat(file: string, encoding?: string): Promise<FileFormat> {
  const format = detectFormat(file, await readHead(file, undefined, encoding));
  if (!format) {
    throw new OmnifeedError("config", "cannot tell the catalog format from the file; pass --format", {
      where: file,
    });
  }
  return format;
}
