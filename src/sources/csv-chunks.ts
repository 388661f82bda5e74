import { parse as parseCsv } from "csv-parse/sync";
import type { CsvError } from "csv-parse";
import type { RowIssue } from "../core/issues.js";
import type { CsvGroup, CsvGrouper, CsvHeader } from "./csv-groups.js";
import { extraValuesIssue, hasValuesBeyond, readCsvGroups } from "./csv-groups.js";
import {
  DEFAULT_MAX_RECORD_SIZE,
  newlinesIn,
  skippedRecordIssue,
  unclosedQuoteIssue,
} from "./csv-records.js";
import { parseCsvFast } from "./csv-fast-parse.js";
import { catalogFileError, openCatalogFile } from "./file-input.js";
import type { ReadOptions, RecordBatch } from "./source.js";

/**
 * Reading a CSV in parallel. The main thread only finds where records and products end (a few
 * `indexOf` calls per record) and hands out slices of raw bytes holding whole products; build
 * workers parse them (`parseCsvChunk`: a fast path for plain RFC 4180, csv-parse otherwise), so
 * parsing, the slowest stage of a CSV export, runs on every core.
 *
 * A slice is cut only where the product key (item_group_id, handle) changes, so it never splits a
 * product. Input the scanner cannot follow with certainty — a quoted value closed in the middle of
 * a value, a quote that never closes, a record whose quoted value swallowed line breaks and left it
 * short, a record over 8 MiB — ends the slicing: from the first line of the product in progress,
 * the rest of the file is read by the sequential reader (`csv-records.ts`), which reports broken
 * quotes and resumes after them. Inline and worker builds read the same slices, so they give the
 * same feeds.
 */
export interface CsvChunk {
  /** Tells a raw slice from parsed groups in a batch. */
  chunk: true;
  header: string[];
  delimiter: string;
  /** Whole records, UTF-8, the first one starting on `line`. */
  bytes: Uint8Array;
  line: number;
}

export type CsvGroupOrChunk = CsvGroup | CsvChunk;

export function isCsvChunk(group: unknown): group is CsvChunk {
  return typeof group === "object" && group !== null && (group as CsvChunk).chunk === true;
}

/** What a format whose products are runs of rows with the same key gives once it has the header. */
export interface ConsecutiveCsvLayout {
  /** The product key of a row; rows with the same non-empty key in a row are one product. */
  keyOf: (row: readonly string[]) => string;
  grouper: () => CsvGrouper;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
/** `recordEnd` results besides an offset. */
const NEED_MORE = -1;
const UNSURE = -2;

/**
 * Streams a consecutive-key CSV as batches of raw slices of about `read.batchSize` records.
 * `prepare` checks the header (throws when a required column is missing, adds header issues).
 */
export async function* readCsvChunks(
  file: string,
  read: ReadOptions,
  delimiter: string,
  prepare: (header: CsvHeader) => ConsecutiveCsvLayout,
): AsyncGenerator<RecordBatch<CsvGroupOrChunk>> {
  const separator = delimiter.charCodeAt(0);
  const input = await openCatalogFile(file, read.encoding);
  const chunks = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const buffer = new SlidingBuffer();
  let bytesRead = 0;
  let eof = false;
  let line = 1;

  /** Reads more of the file; false at its end. Offsets into `buffer` change: keep them relative. */
  const fill = async (): Promise<boolean> => {
    if (eof) return false;
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw catalogFileError(file, error);
    }
    if (next.done) {
      eof = true;
      return false;
    }
    bytesRead += next.value.length;
    buffer.append(next.value);
    return true;
  };

  /** The end of the record starting `offset` bytes after `buffer.start`, reading as needed. */
  const nextRecord = async (offset: number): Promise<number> => {
    for (;;) {
      const end = recordEnd(buffer, buffer.start + offset, separator, eof);
      if (end !== NEED_MORE) return end === UNSURE ? UNSURE : end - buffer.start;
      // At the end of the file the last record may have no line break: look once more.
      if (eof) return NEED_MORE;
      await fill();
    }
  };

  const keyAt = (layout: ConsecutiveCsvLayout, from: number, to: number): string =>
    layout.keyOf(parseRecord(buffer.text(from, to), delimiter));

  try {
    let header: CsvHeader | undefined;
    let layout: ConsecutiveCsvLayout | undefined;
    while (!header) {
      const end = await nextRecord(0);
      if (end < 0) break;
      const names = parseRecord(buffer.text(0, end).replace(/^\uFEFF/, ""), delimiter);
      const startLine = line;
      line += buffer.countNewlines(0, end);
      buffer.consume(end);
      if (names.length === 1 && names[0]!.trim() === "") continue;
      header = { names: names.map((name) => name.trim()), line: startLine, issues: [] };
      layout = prepare(header);
    }
    if (!header || !layout) {
      // Nothing could be sliced: the sequential reader says why (no header, a broken first record).
      input.destroy();
      yield* readCsvGroups(file, read, delimiter, (found) => prepare(found).grouper());
      return;
    }
    const headerIssues = header.issues;
    const width = header.names.length;
    const target = Math.max(1, read.batchSize);

    for (;;) {
      let offset = 0;
      let records = 0;
      let boundaryKey = "";
      let unsure = false;
      // Where each record of the slice starts: if slicing must stop, the product in progress
      // goes back to the sequential reader whole.
      const starts: number[] = [];
      for (;;) {
        const end = await nextRecord(offset);
        if (end === NEED_MORE) break;
        // A record whose quoted value swallowed line breaks and left it short is how a stray quote
        // shows; the sequential reader reports it and reads on from its next line.
        if (
          end === UNSURE ||
          (buffer.spansLines(offset, end) && parseRecord(buffer.text(offset, end), delimiter).length < width)
        ) {
          unsure = true;
          break;
        }
        if (records >= target) {
          const key = keyAt(layout, offset, end);
          if (key === "" || key !== boundaryKey) break;
        }
        starts.push(offset);
        if (!buffer.isBlankLine(offset, end)) records += 1;
        if (records === target) boundaryKey = keyAt(layout, offset, end);
        offset = end;
      }
      if (unsure) offset = startOfLastProduct(starts, offset, (from, to) => keyAt(layout, from, to));
      if (offset > 0) {
        const chunk: CsvChunk = {
          chunk: true,
          header: header.names,
          delimiter,
          bytes: buffer.copy(0, offset),
          line,
        };
        line += buffer.countNewlines(0, offset);
        buffer.consume(offset);
        yield { file, groups: [chunk], records, bytesRead, issues: headerIssues.splice(0) };
      }
      const done = eof && buffer.length === 0;
      if ((unsure || done) && headerIssues.length > 0) {
        yield { file, groups: [], records: 0, bytesRead, issues: headerIssues.splice(0) };
      }
      if (unsure) {
        input.destroy();
        yield* readCsvGroups(file, read, delimiter, () => layout.grouper(), { header, startLine: line });
        return;
      }
      if (done) return;
    }
  } finally {
    input.destroy();
  }
}

/**
 * Where the product the records end with begins (the offset of its first record), so that the
 * bytes before it can still be sliced. `end` is where the last record ends.
 */
function startOfLastProduct(
  starts: readonly number[],
  end: number,
  keyAt: (from: number, to: number) => string,
): number {
  if (starts.length === 0) return 0;
  let first = starts.length - 1;
  const key = keyAt(starts[first]!, end);
  while (first > 0 && key !== "" && keyAt(starts[first - 1]!, starts[first]!) === key) first -= 1;
  return starts[first]!;
}

/**
 * Where the record starting at `from` ends (just past its line break, or at the end of the data
 * at the end of the file). Follows csv-parse's reading with `relax_quotes`: a quote opens a quoted
 * value only at the start of a value; inside one, `""` is a quote and the closing quote is followed
 * by the delimiter or a line break. Anything else is UNSURE.
 */
function recordEnd(buffer: SlidingBuffer, from: number, separator: number, eof: boolean): number {
  const { bytes, end: limit } = buffer;
  let position = from;
  for (;;) {
    const newline = buffer.indexOf(NEWLINE, position);
    const quote = buffer.indexOfBefore(QUOTE, position, newline < 0 ? limit : newline);
    if (quote < 0) {
      if (newline >= 0) return newline + 1;
      if (limit - from > DEFAULT_MAX_RECORD_SIZE) return UNSURE;
      return eof && limit > from ? limit : NEED_MORE;
    }
    if (quote !== from && bytes[quote - 1] !== separator) {
      // A quote inside an unquoted value is a character like any other.
      position = quote + 1;
      continue;
    }
    let close = quote + 1;
    for (;;) {
      close = buffer.indexOf(QUOTE, close);
      if (close < 0) return eof || limit - from > DEFAULT_MAX_RECORD_SIZE ? UNSURE : NEED_MORE;
      if (close + 1 >= limit) return eof ? limit : NEED_MORE;
      const after = bytes[close + 1];
      if (after === QUOTE) {
        close += 2;
        continue;
      }
      if (after === separator || after === NEWLINE || after === RETURN) break;
      return UNSURE;
    }
    position = close + 1;
  }
}

/** The values of one record (a header, or the record where a product key is needed). */
function parseRecord(text: string, delimiter: string): string[] {
  const fast = parseCsvFast(text, delimiter);
  if (fast) return fast[0] ?? [""];
  const records: string[][] = parseCsv(text, {
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
  });
  return records[0] ?? [""];
}

/**
 * The rows of a slice with the line each starts on, as the sequential reader would give them
 * (the fast path when the slice is plain RFC 4180, csv-parse otherwise):
 * blank lines skipped, records csv-parse cannot read reported and skipped, values beyond the
 * header reported, and a quoted value that swallowed line breaks and left a short record reported,
 * reading going on after its first line.
 */
export function parseCsvChunk(
  chunk: CsvChunk,
  file: string,
): { rows: string[][]; lines: number[]; issues: RowIssue[] } {
  const bytes = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
  const fast = parseCsvFast(bytes.toString("utf8"), chunk.delimiter);
  if (fast) {
    const read = walkRecords(fast, chunk.line, chunk.header.length, file);
    if (read.broken === undefined) return read;
  }
  return parseCsvChunkSlowly(bytes, chunk, file);
}

/** csv-parse over the slice, going on after each broken record as the sequential reader does. */
function parseCsvChunkSlowly(
  bytes: Buffer,
  chunk: CsvChunk,
  file: string,
): { rows: string[][]; lines: number[]; issues: RowIssue[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  const issues: RowIssue[] = [];
  let rest = bytes;
  let line = chunk.line;
  while (rest.length > 0) {
    const firstLine = line;
    const records: string[][] = parseCsv(rest, {
      delimiter: chunk.delimiter,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        const lines = (error as { lines?: number } | undefined)?.lines ?? 1;
        if (error) issues.push(skippedRecordIssue(file, firstLine + lines - 1, error));
      },
    });
    const read = walkRecords(records, firstLine, chunk.header.length, file);
    rows.push(...read.rows);
    lines.push(...read.lines);
    issues.push(...read.issues);
    if (read.broken === undefined) break;
    issues.push(unclosedQuoteIssue(file, read.broken));
    rest = afterLines(rest, read.broken + 1 - firstLine);
    line = read.broken + 1;
  }
  return { rows, lines, issues };
}

/**
 * Records to rows with the line each starts on: blank lines skipped, values beyond the header
 * reported, and reading stopped at a record a stray quote made swallow line breaks (`broken`).
 */
function walkRecords(
  records: readonly string[][],
  firstLine: number,
  width: number,
  file: string,
): { rows: string[][]; lines: number[]; issues: RowIssue[]; broken?: number } {
  const rows: string[][] = [];
  const lines: number[] = [];
  const issues: RowIssue[] = [];
  let line = firstLine;
  for (const fields of records) {
    const start = line;
    const breaks = newlinesIn(fields);
    line += 1 + breaks;
    if (fields.length === 1 && fields[0]!.trim() === "") continue;
    if (breaks > 0 && fields.length < width) return { rows, lines, issues, broken: start };
    if (fields.length > width && hasValuesBeyond(fields, width)) {
      issues.push(extraValuesIssue(file, start, fields.length, width));
    }
    rows.push(fields);
    lines.push(start);
  }
  return { rows, lines, issues };
}

/** The bytes after their first `count` lines. */
function afterLines(bytes: Buffer, count: number): Buffer {
  let index = 0;
  for (let skipped = 0; skipped < count; skipped += 1) {
    const newline = bytes.indexOf(NEWLINE, index);
    if (newline < 0) return bytes.subarray(bytes.length);
    index = newline + 1;
  }
  return bytes.subarray(index);
}

/** Expands the raw slices of a batch into product groups with the format's grouper. */
export function expandCsvChunks(
  groups: readonly CsvGroupOrChunk[],
  file: string,
  issues: RowIssue[],
  grouperFor: (header: string[]) => CsvGrouper,
): CsvGroup[] {
  const out: CsvGroup[] = [];
  for (const group of groups) {
    if (!isCsvChunk(group)) {
      out.push(group);
      continue;
    }
    const parsed = parseCsvChunk(group, file);
    issues.push(...parsed.issues);
    const grouper = grouperFor(group.header);
    const emit = (found: CsvGroup): void => {
      out.push(found);
    };
    parsed.rows.forEach((row, index) => grouper.row(row, parsed.lines[index]!, emit));
    issues.push(...grouper.end(emit));
  }
  return out;
}

/**
 * The unsent bytes of the file: appended as they are read, consumed from the front as slices are
 * sent, compacted when the free room at the end runs out.
 */
class SlidingBuffer {
  bytes: Buffer = Buffer.allocUnsafeSlow(4 << 20);
  start = 0;
  end = 0;
  /** `bytes` up to `end`: searches must not run into stale bytes after the data. */
  private view: Buffer = this.bytes.subarray(0, 0);

  get length(): number {
    return this.end - this.start;
  }

  append(data: Buffer): void {
    if (this.end + data.length > this.bytes.length) {
      const used = this.length;
      const size = Math.max(this.bytes.length, (used + data.length) * 2);
      const target = size > this.bytes.length ? Buffer.allocUnsafeSlow(size) : this.bytes;
      this.bytes.copy(target, 0, this.start, this.end);
      this.bytes = target;
      this.start = 0;
      this.end = used;
    }
    data.copy(this.bytes, this.end);
    this.end += data.length;
    this.view = this.bytes.subarray(0, this.end);
  }

  indexOf(byte: number, from: number): number {
    return this.view.indexOf(byte, from);
  }

  /** Whether the record `[start + from, start + to)` holds a line break before its own. */
  spansLines(from: number, to: number): boolean {
    return this.indexOfBefore(NEWLINE, this.start + from, this.start + to - 1) >= 0;
  }

  /** Whether the record `[start + from, start + to)` is an empty line. */
  isBlankLine(from: number, to: number): boolean {
    const length = to - from;
    return length === 1 || (length === 2 && this.bytes[this.start + from] === RETURN);
  }

  /** The first `byte` in `[from, to)`, or −1. */
  indexOfBefore(byte: number, from: number, to: number): number {
    const found = this.bytes.subarray(from, to).indexOf(byte);
    return found < 0 ? -1 : from + found;
  }

  /** Text of `[start + from, start + to)`. */
  text(from: number, to: number): string {
    return this.bytes.toString("utf8", this.start + from, this.start + to);
  }

  countNewlines(from: number, to: number): number {
    const range = this.bytes.subarray(this.start + from, this.start + to);
    let count = 0;
    for (let at = range.indexOf(NEWLINE); at >= 0; at = range.indexOf(NEWLINE, at + 1)) count += 1;
    return count;
  }

  /** A copy of `[start + from, start + to)` in memory of its own, to be transferred to a worker. */
  copy(from: number, to: number): Uint8Array {
    const copy = Buffer.allocUnsafeSlow(to - from);
    this.bytes.copy(copy, 0, this.start + from, this.start + to);
    return copy;
  }

  consume(count: number): void {
    this.start += count;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.view = this.bytes.subarray(0, 0);
    }
  }
}
