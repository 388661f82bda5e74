import { detectDelimiter, firstLine, splitHeaderLine } from "../csv-header.js";
import { defineSource } from "../source.js";
import { CsvOptionsSchema, type CsvOptions } from "./config.js";
import { decodeCsvBatch } from "./decode.js";
import { readCsvBatches } from "./records.js";

const TABULAR_NAME = /\.(csv|tsv|txt)(\.gz)?$/i;

/** A generic catalog CSV or TSV: one row per variant, canonical column names or a column map. */
export const csvSource = defineSource<CsvOptions>({
  format: "csv",
  description: "Generic CSV/TSV, one row per variant (canonical columns, or a column_map)",
  optionsSchema: CsvOptionsSchema,
  sniff(head, fileName) {
    const line = firstLine(head);
    if (line.trimStart().startsWith("<") || /^\s*[[{]/.test(line)) return false;
    const names = splitHeaderLine(line, detectDelimiter(line));
    return names.length > 1 || TABULAR_NAME.test(fileName);
  },
  records: readCsvBatches,
  decode: decodeCsvBatch,
});
