import { OmnifeedError } from "../core/errors.js";
import { csvSource } from "./csv/index.js";
import { readHead } from "./file-input.js";
import { googleXmlSource } from "./google-xml/index.js";
import { jsonlSource, jsonSource } from "./json/index.js";
import { shopifyCsvSource } from "./shopify-csv/index.js";
import type { CatalogSource, FileFormat } from "./source.js";
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
