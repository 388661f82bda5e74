import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";
import { createCatalogWriter } from "./catalog-writers.js";
import type { FileFormat } from "../sources/source.js";
import type { GenCatalogOptions } from "./gen-catalog.js";
import { generateCatalog } from "./gen-catalog.js";

export const GENERATED_FORMATS = ["csv", "jsonl", "shopify-csv"] as const satisfies readonly FileFormat[];
export type GeneratedFormat = (typeof GENERATED_FORMATS)[number];

/** Streams a generated catalog into a file (or stdout) through the format's catalog writer. */
export async function writeGeneratedCatalog(
  options: GenCatalogOptions & { format: GeneratedFormat; out?: string | undefined },
): Promise<{ products: number; variants: number }> {
  const output = options.out ? createWriteStream(options.out, { highWaterMark: 1 << 20 }) : process.stdout;
  const writer = createCatalogWriter(options.format, output, {
    currency: "USD",
    storeUrl: "https://bench.omnifeed.dev",
  });
  let products = 0;
  let variants = 0;
  try {
    for (const product of generateCatalog(options)) {
      await writer.write(product);
      products += 1;
      variants += product.variants.length;
    }
    await writer.end();
    if (output !== process.stdout) await finished(output);
  } catch (error) {
    throw options.out ? writeFailed(options.out, error) : error;
  }
  return { products, variants };
}

function writeFailed(path: string, error: unknown): OmnifeedError {
  const kind = writeErrorKind(error);
  const reason = error instanceof Error ? error.message : String(error);
  const advice =
    kind === "config" ? " (free some space, or fix the path or its permissions, then run again)" : "";
  return new OmnifeedError(kind, `cannot write the catalog: ${reason}${advice}`, {
    where: path,
    cause: error,
  });
}
