import type { Writable } from "node:stream";
import type { CatalogWriter } from "../catalog-writer.js";
import { createTextSink } from "../writable-sink.js";

/** Writes product records as JSON Lines: one record per line, values as given. */
export function createJsonlWriter(output: Writable): CatalogWriter {
  const sink = createTextSink(output);
  return {
    write: (record) => sink.write(`${JSON.stringify(record)}\n`),
    end: () => sink.end(),
  };
}

export interface JsonWriterOptions {
  /** `[...]` (default) or `{ "products": [...] }`. */
  wrap?: "array" | "products";
}

/** Writes product records as one JSON array (or `{ "products": [...] }`), one record per line. */
export function createJsonWriter(output: Writable, options: JsonWriterOptions = {}): CatalogWriter {
  const sink = createTextSink(output);
  const [open, close] = options.wrap === "products" ? ['{"products": [\n', "\n]}\n"] : ["[\n", "\n]\n"];
  let count = 0;
  return {
    async write(record) {
      await sink.write(`${count === 0 ? open : ",\n"}${JSON.stringify(record)}`);
      count++;
    },
    async end() {
      await sink.write(count === 0 ? `${open.trimEnd()}${close.trimStart()}` : close);
      await sink.end();
    },
  };
}
