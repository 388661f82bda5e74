import { OmnifeedError } from "../core/errors.js";
import { readHead } from "./file-input.js";
import type { CatalogSource, FileFormat, StoreFormat, StoreSource } from "./source.js";
import { SOURCES } from "./file-sources.js";

export { isStoreFormat, decoderFor, type SourceDecoder } from "./decoders.js";
export { SOURCES };

/**
 * The store a catalog can be read from over its API (`stores.<format>` of omnifeed.config.yaml;
 * `--catalog shopify` picks one), loaded when a run asks for it: a file export never loads a store
 * client (axios and the rest, about 20 MB of a process; `src/sources/decoders.ts`).
 */
export async function loadStoreSource(format: StoreFormat): Promise<StoreSource> {
  switch (format) {
    case "shopify":
      return (await import("./shopify/index.js")).shopifySource;
    case "woocommerce":
      return (await import("./woocommerce/index.js")).wooCommerceSource;
  }
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
