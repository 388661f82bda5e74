import { Transform, type TransformCallback } from "node:stream";
import { parse, type CsvError } from "csv-parse";
import type { RowIssue } from "../core/issues.js";
import { catalogFileError, openCatalogFile } from "./file-input.js";

/** Rows of a CSV file, read in small chunks so the consumer pays the async overhead once per chunk. */
export interface CsvRowChunk {
  rows: string[][];
  /** Line where each row starts (1-based; quoted newlines count), index-aligned with `rows`. */
  lines: number[];
  /** Broken records found while reading this chunk. */
  issues: RowIssue[];
  /** Decompressed bytes consumed so far. */
  bytesRead: number;
}

export interface CsvReadOptions {
  delimiter: string;
  /** Rows per chunk. */
  chunkSize?: number;
  /** Line to start reading on (the header is then not among the rows)… */
  startLine?: number;
  /** …and the header's number of values, to tell a broken record. */
  width?: number;
  /** A record larger than this is reported as broken (an unclosed quote would swallow the file). */
  maxRecordSize?: number;
  signal?: AbortSignal;
  encoding?: string | undefined;
}

const DEFAULT_CHUNK_SIZE = 256;
/** Larger records are broken input (an unclosed quote would swallow the file); both CSV readers agree on it. */
export const DEFAULT_MAX_RECORD_SIZE = 8 * 1024 * 1024;
const MAX_RESUMES = 1000;
/** csv-parse errors after which the parser cannot go on: the record never ends. */
const FATAL_CODES = new Set(["CSV_QUOTE_NOT_CLOSED", "CSV_MAX_RECORD_SIZE"]);

/**
 * Streams the rows of a CSV/TSV file with csv-parse, skipping blank lines, with the line each row
 * starts on. A stray opening quote makes a value that runs over the following lines: either it
 * never ends, or it ends at some later quote and leaves a record shorter than the header. Both
 * are reported as a row issue and reading resumes on the line after the one where the record
 * started, so one bad quote does not lose the rest of the file. Memory is bounded by the chunk
 * size and `maxRecordSize`.
 */
export async function* readCsvRows(file: string, options: CsvReadOptions): AsyncGenerator<CsvRowChunk> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let resumeLine = options.startLine ?? 1;
  // Values in the header row; a shorter record with a line break inside a value is a broken quote.
  let width = options.width ?? 0;
  for (let resumes = 0; ; resumes++) {
    const input = await openCatalogFile(file, options.encoding);
    const skipper = resumeLine > 1 ? new LineSkipper(resumeLine - 1) : undefined;
    const source = skipper ? input.pipe(skipper) : input;
    const parser = parse({
      delimiter: options.delimiter,
      bom: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_error: true,
      max_record_size: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
    });
    let neverEnds = false;
    const skipped: RowIssue[] = [];
    parser.on("skip", (error: CsvError) => {
      if (!FATAL_CODES.has(error.code)) {
        skipped.push(skippedRecordIssue(file, parser.info.lines, error));
      } else if (!neverEnds) {
        neverEnds = true;
        // Nothing after a never-ending record can be parsed: stop feeding the parser, let the
        // consumer take the records already parsed, and resume below.
        source.unpipe(parser);
        input.destroy();
        setImmediate(() => parser.end());
      }
    });
    input.on("error", (error) => parser.destroy(error));
    source.pipe(parser);

    const bytesRead = () => (skipper?.skippedBytes ?? 0) + parser.info.bytes;
    let line = resumeLine;
    let brokenAt: number | undefined;
    let rows: string[][] = [];
    let lines: number[] = [];
    try {
      for await (const fields of parser as AsyncIterable<string[]>) {
        const start = line;
        const breaks = newlinesIn(fields);
        line += 1 + breaks;
        if (fields.length === 1 && fields[0]!.trim() === "") continue;
        if (width === 0) width = fields.length;
        else if (breaks > 0 && fields.length < width) {
          brokenAt = start;
          break;
        }
        rows.push(fields);
        lines.push(start);
        if (rows.length >= chunkSize) {
          options.signal?.throwIfAborted();
          yield { rows, lines, issues: skipped.splice(0), bytesRead: bytesRead() };
          rows = [];
          lines = [];
        }
      }
    } catch (error) {
      throw catalogFileError(file, error);
    } finally {
      input.destroy();
      parser.destroy();
    }
    // Every record before the broken one has been counted, so `line` is where it starts.
    if (neverEnds) brokenAt = line;
    const issues = skipped.splice(0);
    if (brokenAt !== undefined) issues.push(unclosedQuoteIssue(file, brokenAt));
    if (rows.length > 0 || issues.length > 0) yield { rows, lines, issues, bytesRead: bytesRead() };
    if (brokenAt === undefined) return;
    if (resumes >= MAX_RESUMES) {
      yield { rows: [], lines: [], issues: [tooBrokenIssue(file, brokenAt)], bytesRead: bytesRead() };
      return;
    }
    resumeLine = brokenAt + 1;
  }
}

export function newlinesIn(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    let at = field.indexOf("\n");
    while (at !== -1) {
      count++;
      at = field.indexOf("\n", at + 1);
    }
  }
  return count;
}

export function unclosedQuoteIssue(file: string, line: number): RowIssue {
  return {
    file,
    line,
    severity: "error",
    message: `a quoted value opened on this line is not closed; the line is skipped and reading resumes on line ${line + 1}`,
  };
}

export function skippedRecordIssue(file: string, line: number, error: CsvError): RowIssue {
  return {
    file,
    line,
    severity: "error",
    message: `the record cannot be read (${error.message}); it is skipped`,
  };
}

function tooBrokenIssue(file: string, line: number): RowIssue {
  return {
    file,
    line,
    severity: "error",
    message: `too many broken records; reading stopped here (check the file's quoting)`,
  };
}

/** Drops the first `count` lines of a byte stream, to resume parsing after a broken record. */
class LineSkipper extends Transform {
  skippedBytes = 0;
  #remaining: number;

  constructor(count: number) {
    super();
    this.#remaining = count;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    while (this.#remaining > 0) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.skippedBytes += chunk.length - start;
        callback();
        return;
      }
      this.#remaining--;
      this.skippedBytes += newline + 1 - start;
      start = newline + 1;
    }
    callback(null, start === 0 ? chunk : chunk.subarray(start));
  }
}
