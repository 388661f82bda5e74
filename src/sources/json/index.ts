import { defineSource } from "../source.js";
import { JsonOptionsSchema, type JsonOptions } from "./config.js";
import { decodeJsonBatch } from "./decode.js";
import { readJsonBatches, readJsonlBatches } from "./records.js";

const JSONL_NAME = /\.(jsonl|ndjson)(\.gz)?$/i;
const JSON_NAME = /\.json(\.gz)?$/i;

/** A JSON catalog: an array of product records, or `{ "products": [...] }`. */
export const jsonSource = defineSource<JsonOptions>({
  format: "json",
  description: "JSON array of product records (or { products: [...] })",
  optionsSchema: JsonOptionsSchema,
  sniff(head, fileName) {
    if (JSONL_NAME.test(fileName)) return false;
    const text = head.trimStart();
    if (text.startsWith("[")) return true;
    return text.startsWith("{") && (JSON_NAME.test(fileName) || !looksLikeJsonLines(text));
  },
  records: readJsonBatches,
  decode: decodeJsonBatch,
});

/** A JSON Lines catalog: one product record per line. */
export const jsonlSource = defineSource<JsonOptions>({
  format: "jsonl",
  description: "JSON Lines, one product record per line",
  optionsSchema: JsonOptionsSchema,
  sniff(head, fileName) {
    if (JSONL_NAME.test(fileName)) return true;
    if (JSON_NAME.test(fileName)) return false;
    return looksLikeJsonLines(head.trimStart());
  },
  records: readJsonlBatches,
  decode: decodeJsonBatch,
});

/** The first line is a whole JSON object by itself. */
function looksLikeJsonLines(text: string): boolean {
  if (!text.startsWith("{")) return false;
  const end = text.indexOf("\n");
  if (end === -1) return false;
  try {
    JSON.parse(text.slice(0, end));
    return true;
  } catch {
    return false;
  }
}
