import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * How the entries of a published feed file can be counted without the manifest (ADR 0008):
 * - `rss-items`: `<item>` elements of an RSS document;
 * - `csv-records`: records after the header line, RFC 4180 quotes (a quoted field may hold line breaks);
 * - `tsv-rows`: lines after the header line (TSV cells hold no line breaks);
 * - `tsv-item-rows`: like `tsv-rows`, but consecutive rows with the same `id` are one entry;
 * - `json-messages`: objects of the top-level `messages` array of a JSON_LISTINGS_FEED document.
 */
export type EntryLayout = "rss-items" | "csv-records" | "tsv-rows" | "tsv-item-rows" | "json-messages";

/** The file is not of the layout, or could not be read; the reason says which. */
export class UncountableFile extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${basename(file)}: ${reason}`);
    this.name = "UncountableFile";
  }
}

interface Counter {
  push(chunk: Buffer): void;
  /** The entry count; throws, with the reason, when the bytes seen are not of the layout. */
  end(): number;
}

/**
 * Counts a published file's entries in one streaming pass (a 1M-item google.xml is about 1 GB),
 * gunzipping `.gz` files. Memory stays at one read buffer whatever the file size.
 */
export async function countEntries(file: string, layout: EntryLayout): Promise<number> {
  const counter = counterFor(layout);
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) counter.push(chunk);
  };
  try {
    const input = createReadStream(file, { highWaterMark: 1 << 20 });
    if (file.endsWith(".gz")) await pipeline(input, createGunzip(), sink);
    else await pipeline(input, sink);
    return counter.end();
  } catch (error) {
    throw new UncountableFile(file, error instanceof Error ? error.message : String(error));
  }
}

/** The same count over chunks in memory; lets tests cut a file at every byte. */
export function countChunks(chunks: Iterable<Buffer>, layout: EntryLayout): number {
  const counter = counterFor(layout);
  for (const chunk of chunks) counter.push(chunk);
  return counter.end();
}

function counterFor(layout: EntryLayout): Counter {
  switch (layout) {
    case "rss-items":
      return rssCounter();
    case "csv-records":
      return csvCounter();
    case "tsv-rows":
      return tsvCounter(false);
    case "tsv-item-rows":
      return tsvCounter(true);
    case "json-messages":
      return jsonMessagesCounter();
  }
}

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const QUOTE = 0x22;
// Enough of the start of a file to recognise its layout.
const HEAD_BYTES = 64 * 1024;

/** Collects the first bytes of a file, for the layout check. */
function headCollector(): { add(chunk: Buffer): void; text(): string } {
  const pieces: Buffer[] = [];
  let size = 0;
  return {
    add(chunk) {
      if (size >= HEAD_BYTES) return;
      const piece = chunk.subarray(0, HEAD_BYTES - size);
      pieces.push(piece);
      size += piece.length;
    },
    text: () =>
      Buffer.concat(pieces)
        .toString("utf8")
        .replace(/^\uFEFF/, ""),
  };
}

const ITEM = Buffer.from("<item");

function rssCounter(): Counter {
  const head = headCollector();
  let carry: Buffer = Buffer.alloc(0);
  let count = 0;
  return {
    push(chunk) {
      head.add(chunk);
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let from = 0;
      let keepFrom = -1;
      for (;;) {
        const at = buffer.indexOf(ITEM, from);
        if (at === -1) break;
        if (at + ITEM.length >= buffer.length) {
          // The byte that tells `<item>` from `<itemGroup>` is in the next chunk.
          keepFrom = at;
          break;
        }
        const next = buffer[at + ITEM.length]!;
        // `<item>`, `<item attr…>`, `<item/>` — not `<itemGroup>`.
        if (next === 0x3e || next === 0x2f || next === 0x20 || next === TAB || next === LF || next === CR)
          count += 1;
        from = at + ITEM.length;
      }
      // Fewer bytes than `<item` can hold no whole match, so nothing is counted twice.
      if (keepFrom === -1) keepFrom = Math.max(from, buffer.length - (ITEM.length - 1));
      carry = Buffer.from(buffer.subarray(keepFrom));
    },
    end() {
      if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<rss[\s>]/.test(head.text()))
        throw new Error("not an RSS feed (no <rss> element at the start)");
      return count;
    },
  };
}

/** Counts non-blank records after the header; a line break inside quotes is part of its field. */
function csvCounter(): Counter {
  const head = headCollector();
  let inQuotes = false;
  let content = false;
  let records = 0;
  return {
    push(chunk) {
      head.add(chunk);
      for (let index = 0; index < chunk.length; index += 1) {
        const byte = chunk[index]!;
        if (byte === QUOTE) {
          inQuotes = !inQuotes;
          content = true;
        } else if (byte === LF) {
          if (!inQuotes && content) {
            records += 1;
            content = false;
          }
        } else if (byte !== CR) content = true;
      }
    },
    end() {
      if (content) records += 1;
      checkHeader(head.text(), ",", "id");
      return Math.max(0, records - 1);
    },
  };
}

function tsvCounter(groupById: boolean): Counter {
  const head = headCollector();
  let partial: Buffer | undefined;
  let header = true;
  let idColumn = -1;
  let previousId: Buffer | undefined;
  let count = 0;

  const line = (bytes: Buffer): void => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (end === 0) return;
    if (header) {
      header = false;
      const columns = bytes
        .subarray(0, end)
        .toString("utf8")
        .replace(/^\uFEFF/, "")
        .split("\t");
      idColumn = columns.indexOf("id");
      return;
    }
    if (!groupById) {
      count += 1;
      return;
    }
    const id = cell(bytes.subarray(0, end), idColumn);
    if (previousId === undefined || !id.equals(previousId)) {
      count += 1;
      previousId = Buffer.from(id);
    }
  };

  return {
    push(chunk) {
      head.add(chunk);
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(LF, start);
        if (newline === -1) break;
        const bytes = chunk.subarray(start, newline);
        if (partial) {
          line(Buffer.concat([partial, bytes]));
          partial = undefined;
        } else line(bytes);
        start = newline + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        partial = partial ? Buffer.concat([partial, rest]) : Buffer.from(rest);
      }
    },
    end() {
      if (partial) line(partial);
      checkHeader(head.text(), "\t", "id");
      return count;
    },
  };
}

/** The `column`-th tab-separated cell of a line (empty when the line is shorter). */
function cell(line: Buffer, column: number): Buffer {
  let start = 0;
  for (let index = 0; index < column; index += 1) {
    const tab = line.indexOf(TAB, start);
    if (tab === -1) return line.subarray(line.length);
    start = tab + 1;
  }
  const end = line.indexOf(TAB, start);
  return line.subarray(start, end === -1 ? line.length : end);
}

/** A feed's header line names its columns; one without an `id` column is not a feed we wrote. */
function checkHeader(text: string, delimiter: string, column: string): void {
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  const names = first.split(delimiter).map((name) => name.trim().replace(/^"|"$/g, ""));
  if (!names.includes(column)) {
    const kind = delimiter === "\t" ? "tab-separated" : "CSV";
    throw new Error(`not a ${kind} feed (no "${column}" column in the header line)`);
  }
}

/**
 * Counts the objects of the `messages` array of the top-level object, tracking only nesting
 * depth and strings, so a message's content never matters.
 */
function jsonMessagesCounter(): Counter {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  let keyBytes: number[] | undefined;
  let lastString = "";
  let inMessages = false;
  let sawMessages = false;
  let count = 0;
  let invalid: string | undefined;
  return {
    push(chunk) {
      if (invalid) return;
      for (let index = 0; index < chunk.length; index += 1) {
        const byte = chunk[index]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (keyBytes) lastString = Buffer.from(keyBytes).toString("utf8");
            keyBytes = undefined;
          } else if (keyBytes && keyBytes.length < 32) keyBytes.push(byte);
          continue;
        }
        switch (byte) {
          case QUOTE:
            inString = true;
            // Only the top-level keys matter; strings deeper down are skipped, not kept.
            keyBytes = depth === 1 ? [] : undefined;
            break;
          case 0x7b: // {
            if (depth === 0) {
              if (started) invalid = "more than one JSON value";
              started = true;
            } else if (depth === 2 && inMessages) count += 1;
            depth += 1;
            break;
          case 0x5b: // [
            if (depth === 0) invalid = "not a JSON object";
            if (depth === 1 && lastString === "messages") inMessages = sawMessages = true;
            depth += 1;
            break;
          case 0x7d: // }
          case 0x5d: // ]
            depth -= 1;
            if (depth === 1) inMessages = false;
            if (depth < 0) invalid = "unbalanced brackets";
            break;
          case 0x20:
          case TAB:
          case LF:
          case CR:
            break;
          default:
            if (depth === 0) invalid = "not a JSON object";
        }
        if (invalid) return;
      }
    },
    end() {
      if (invalid) throw new Error(`not a JSON_LISTINGS_FEED document (${invalid})`);
      if (!sawMessages) throw new Error("not a JSON_LISTINGS_FEED document (no messages array)");
      return count;
    },
  };
}
