import { once } from "node:events";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";
import type { EntryLayout } from "./count-entries.js";
import type { EncodedEntries } from "./encoded-entries.js";
import type { FeedFormat } from "./format.js";
import { openTempStream, tempPathFor } from "./temp-file.js";

export interface WrittenPart {
  /** Final file name in the output directory. */
  name: string;
  tempPath: string;
  entries: number;
  bytes: number;
}

/** A feed fully written to temp files, waiting to be published or dropped. */
export interface FinishedFeed {
  feedId: string;
  unit: string;
  entries: number;
  parts: WrittenPart[];
  /** How published files of this feed are counted when the manifest does not list it. */
  layout: EntryLayout;
  /** File name of a part (1-based), as this run names it (with `.gz` when gzipped). */
  partName(part: number): string;
  /** Whether the feed may span several files (`partName(2)`, …). */
  split: boolean;
}

interface OpenPart {
  name: string;
  tempPath: string;
  file: ReturnType<typeof openTempStream>;
  target: Writable;
  entries: number;
  /** The first write error (a full disk, say), kept so it is reported once, in order. */
  error?: Error;
}

/**
 * Writes one feed, in order, to temp files beside their final names: header, entries (with the
 * format's prefixes), footer, a new part every `maxEntriesPerFile` entries, optional gzip. Respects backpressure.
 */
export class FeedWriter<Settings> {
  private part: OpenPart | undefined;
  private readonly parts: WrittenPart[] = [];
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly format: FeedFormat<unknown, Settings>,
    private readonly settings: Settings,
    private readonly columns: readonly string[],
    private readonly options: { dir: string; gzip: boolean },
  ) {}

  get feedId(): string {
    return this.format.id;
  }

  /** Opens the first file now, so an empty feed of a single-file format is still a valid file. */
  async start(): Promise<void> {
    if (this.format.maxEntriesPerFile === undefined) await this.openPart();
  }

  /** Writes a batch of entries in order, starting new parts as the format's limit is reached. */
  async write(encoded: EncodedEntries): Promise<void> {
    const { format } = this;
    const { bytes, ends } = encoded;
    const max = format.maxEntriesPerFile ?? Number.POSITIVE_INFINITY;
    let next = 0;
    while (next < ends.length) {
      let part = this.part;
      if (part === undefined || part.entries >= max) {
        if (part) await this.closePart();
        part = await this.openPart();
      }
      const take = Math.min(max - part.entries, ends.length - next);
      const from = next === 0 ? 0 : ends[next - 1]!;
      if (format.prefix) {
        const pieces: Uint8Array[] = [];
        let start = from;
        for (let index = next; index < next + take; index += 1) {
          this.sequence += 1;
          pieces.push(
            Buffer.from(format.prefix(part.entries, this.sequence)),
            bytes.subarray(start, ends[index]),
          );
          part.entries += 1;
          start = ends[index]!;
        }
        await this.push(Buffer.concat(pieces));
      } else {
        this.sequence += take;
        part.entries += take;
        await this.push(bytes.subarray(from, ends[next + take - 1]));
      }
      next += take;
    }
  }

  async finish(): Promise<FinishedFeed> {
    if (this.part) await this.closePart();
    this.closed = true;
    return {
      feedId: this.format.id,
      unit: this.format.unit,
      entries: this.sequence,
      parts: this.parts,
      layout: this.format.layout,
      partName: (part) => this.partName(part),
      split: this.format.maxEntriesPerFile !== undefined,
    };
  }

  /** Drops everything written so far; the published files are untouched. */
  async abort(): Promise<void> {
    const open = this.part;
    this.part = undefined;
    if (open) {
      // Pending writes fail once the streams are destroyed; that is the point of aborting.
      const ignore = (): void => undefined;
      open.target.on("error", ignore);
      open.file.on("error", ignore);
      open.target.destroy();
      open.file.destroy();
      await rm(open.tempPath, { force: true });
    }
    if (!this.closed) await Promise.all(this.parts.map((part) => rm(part.tempPath, { force: true })));
    this.closed = true;
  }

  private async openPart(): Promise<OpenPart> {
    const name = this.partName(this.parts.length + 1);
    const tempPath = tempPathFor(join(this.options.dir, name));
    const file = openTempStream(tempPath);
    const part: OpenPart = { name, tempPath, file, target: file, entries: 0 };
    // Errors are kept and thrown by the next write, never left to crash the process unheard.
    file.on("error", (error) => (part.error ??= error));
    await once(file, "open");
    if (this.options.gzip) {
      const gzip = createGzip({ level: 6 });
      gzip.on("error", (error) => (part.error ??= error));
      // A failing file stops the compressor too, so a write waiting for `drain` hears of it.
      file.on("error", (error) => gzip.destroy(error));
      gzip.pipe(file);
      part.target = gzip;
    }
    this.part = part;
    await this.push(this.format.header(this.settings, this.columns));
    return part;
  }

  private partName(part: number): string {
    return this.format.fileName(this.settings, part) + (this.options.gzip ? ".gz" : "");
  }

  private async closePart(): Promise<void> {
    const part = this.part;
    if (!part) return;
    await this.push(this.format.footer(this.settings));
    part.target.end();
    try {
      await finished(part.file);
    } catch (error) {
      throw writeFailed(part, error);
    }
    this.parts.push({
      name: part.name,
      tempPath: part.tempPath,
      entries: part.entries,
      bytes: part.file.bytesWritten,
    });
    this.part = undefined;
  }

  private async push(data: string | Uint8Array): Promise<void> {
    const part = this.part;
    if (!part || data.length === 0) return;
    if (part.error) throw writeFailed(part, part.error);
    try {
      if (!part.target.write(data)) await once(part.target, "drain");
    } catch (error) {
      throw writeFailed(part, error);
    }
  }
}

function writeFailed(part: OpenPart, error: unknown): OmnifeedError {
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifeedError(writeErrorKind(error), `cannot write ${part.name}: ${reason}`, { cause: error });
}
