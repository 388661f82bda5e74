import type { RowIssue } from "../../core/issues.js";
import { readTextChunks } from "../file-input.js";
import { createBatchCollector } from "../record-batches.js";
import type { ReadOptions, RecordBatch } from "../source.js";
import type { JsonOptions } from "./config.js";
import { createJsonElementSplitter, type JsonElement } from "./json-elements.js";

/** One product record as raw JSON text, parsed when the batch is decoded (in a build worker). */
export type JsonGroup = JsonElement;

/** Streams the product elements of a JSON catalog (`[...]` or `{ "products": [...] }`). */
export async function* readJsonBatches(
  file: string,
  _options: JsonOptions,
  read: ReadOptions,
): AsyncGenerator<RecordBatch<JsonGroup>> {
  const collector = createBatchCollector<JsonGroup>(file, read.batchSize);
  // Batches filled while one chunk of text is split, handed out once the chunk is done.
  const ready: RecordBatch<JsonGroup>[] = [];
  let bytesRead = 0;
  const splitter = createJsonElementSplitter(
    (element) => {
      collector.add(element, variantCount(element.text));
      if (collector.full) ready.push(collector.take(bytesRead));
    },
    (problem) => collector.issue(problemIssue(file, problem.line, problem.message)),
  );
  for await (const chunk of readTextChunks(file, read.signal, read.encoding)) {
    bytesRead = chunk.bytesRead;
    splitter.push(chunk.text);
    yield* ready.splice(0);
  }
  splitter.end();
  yield* ready.splice(0);
  if (!collector.empty) yield collector.take(bytesRead);
}

/** Streams a JSON Lines catalog: one product per non-blank line. */
export async function* readJsonlBatches(
  file: string,
  _options: JsonOptions,
  read: ReadOptions,
): AsyncGenerator<RecordBatch<JsonGroup>> {
  const collector = createBatchCollector<JsonGroup>(file, read.batchSize);
  let rest = "";
  let line = 1;
  let bytesRead = 0;
  const take = (text: string) => {
    if (text.trim() !== "") collector.add({ text, line }, variantCount(text));
    line++;
  };
  for await (const chunk of readTextChunks(file, read.signal, read.encoding)) {
    bytesRead = chunk.bytesRead;
    const text = rest + chunk.text;
    let from = 0;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      take(text.slice(from, newline));
      if (collector.full) yield collector.take(bytesRead);
      from = newline + 1;
      newline = text.indexOf("\n", from);
    }
    rest = text.slice(from);
  }
  if (rest !== "") take(rest);
  if (!collector.empty) yield collector.take(bytesRead);
}

/** Batches are sized by variants; a record's SKU keys are a cheap count of them. */
function variantCount(text: string): number {
  let count = 0;
  let at = text.indexOf('"sku"');
  while (at !== -1) {
    count++;
    at = text.indexOf('"sku"', at + 5);
  }
  return Math.max(1, count);
}

function problemIssue(file: string, line: number, message: string): RowIssue {
  return { file, line, severity: "error", message };
}
