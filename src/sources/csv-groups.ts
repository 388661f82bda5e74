import { OmnifeedError } from "../core/errors.js";
import type { RowIssue } from "../core/issues.js";
import { readCsvRows } from "./csv-records.js";
import { detectDelimiter, firstLine } from "./csv-header.js";
import { readHead } from "./file-input.js";
import { createBatchCollector } from "./record-batches.js";
import type { ReadOptions, RecordBatch } from "./source.js";

/**
 * The rows of one product in a CSV file: plain data, posted to build workers as is. Every group
 * of a file shares the same `header` array, so a batch carries it once.
 */
export interface CsvGroup {
  header: string[];
  rows: string[][];
  lines: number[];
}

/** Splits the rows of one CSV format into product groups. */
export interface CsvGrouper {
  /** Takes the next row; calls `emit` for every group it closes. */
  row(row: string[], line: number, emit: (group: CsvGroup) => void): void;
  /** End of file: emits what is still open; returns problems found only now. */
  end(emit: (group: CsvGroup) => void): RowIssue[];
}

export interface CsvHeader {
  names: string[];
  line: number;
  /** Problems with the header itself (unknown columns), reported once. */
  issues: RowIssue[];
}

/**
 * Streams a CSV file as batches of product groups: reads the header, asks the format for its
 * grouper, and cuts batches of about `read.batchSize` rows without splitting a group.
 */
export async function* readCsvGroups(
  file: string,
  read: ReadOptions,
  delimiter: string | undefined,
  startGrouping: (header: CsvHeader) => CsvGrouper,
  /** Go on from this line of a file whose header was read already. */
  resume?: { header: CsvHeader; startLine: number },
): AsyncGenerator<RecordBatch<CsvGroup>> {
  const separator = delimiter ?? detectDelimiter(firstLine(await readHead(file, 16 * 1024, read.encoding)));
  const collector = createBatchCollector<CsvGroup>(file, read.batchSize);
  const emit = (group: CsvGroup) => collector.add(group, group.rows.length);
  let grouper: CsvGrouper | undefined = resume ? startGrouping(resume.header) : undefined;
  let width = resume?.header.names.length ?? 0;
  let bytesRead = 0;
  const rows = readCsvRows(file, {
    delimiter: separator,
    signal: read.signal,
    encoding: read.encoding,
    startLine: resume?.startLine,
    width: resume?.header.names.length,
  });
  for await (const chunk of rows) {
    collector.issue(...chunk.issues);
    bytesRead = chunk.bytesRead;
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i]!;
      const line = chunk.lines[i]!;
      if (!grouper) {
        const header: CsvHeader = { names: row.map((name) => name.trim()), line, issues: [] };
        grouper = startGrouping(header);
        collector.issue(...header.issues);
        width = header.names.length;
        continue;
      }
      if (row.length > width && hasValuesBeyond(row, width)) {
        collector.issue(extraValuesIssue(file, line, row.length, width));
      }
      grouper.row(row, line, emit);
      if (collector.full) yield collector.take(bytesRead);
    }
  }
  if (!grouper) throw new OmnifeedError("config", "the file has no header row", { where: file });
  collector.issue(...grouper.end(emit));
  if (!collector.empty) yield collector.take(bytesRead);
}

export function hasValuesBeyond(row: readonly string[], width: number): boolean {
  for (let i = width; i < row.length; i++) if (row[i]!.trim() !== "") return true;
  return false;
}

export function extraValuesIssue(file: string, line: number, values: number, width: number): RowIssue {
  return {
    file,
    line,
    severity: "warning",
    message: `the row has ${values} values but the header has ${width} columns; the extra values are ignored (check the quoting)`,
  };
}

/** A header without a column the format cannot do without stops the run: no row could be read. */
export function missingColumnError(file: string, line: number, what: string): OmnifeedError {
  return new OmnifeedError("config", `the header has no ${what} column`, { where: `${file}:${line}` });
}

/**
 * Groups consecutive rows with the same non-empty key (a product id, a handle). A key seen again
 * after other rows starts a new group; a row without a key is a group of its own.
 */
export function consecutiveGrouper(header: string[], keyOf: (row: readonly string[]) => string): CsvGrouper {
  let open: CsvGroup | undefined;
  let openKey = "";
  return {
    row(row, line, emit) {
      const key = keyOf(row);
      if (open && key !== "" && key === openKey) {
        open.rows.push(row);
        open.lines.push(line);
        return;
      }
      if (open) emit(open);
      open = { header, rows: [row], lines: [line] };
      openKey = key;
    },
    end(emit) {
      if (open) emit(open);
      open = undefined;
      return [];
    },
  };
}
