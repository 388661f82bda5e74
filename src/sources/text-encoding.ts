import { isUtf8 } from "node:buffer";
import type { Readable, TransformCallback } from "node:stream";
import { Transform } from "node:stream";
import iconv from "iconv-lite";
import { OmnifeedError } from "../core/errors.js";

/**
 * The text encoding of a catalog file. Readers work on UTF-8 bytes; this stage sits between the
 * (decompressed) file and them:
 * - UTF-8 (the default) passes through unchanged, checked chunk by chunk with `buffer.isUtf8`
 *   (simdutf, gigabytes a second), so a file saved in another encoding stops the run with the first
 *   bad line instead of reaching the feeds as U+FFFD;
 * - a UTF-16 byte order mark, UTF-16 text without one (zero bytes on every other byte of the
 *   start), or `--encoding`, makes it transcode to UTF-8 with iconv-lite.
 * See adr/0007-text-encodings-and-feed-text.md.
 */

const UTF8 = "utf-8";

/**
 * The encoding a `--encoding` / `catalog.encoding` value names, lower-cased (`utf-8` for any
 * spelling of UTF-8); throws a config error for an encoding iconv-lite does not know.
 */
export function parseCatalogEncoding(label: string, flag = "--encoding"): string {
  const name = label.trim().toLowerCase();
  if (name === "utf8" || name === UTF8) return UTF8;
  if (!iconv.encodingExists(name)) {
    throw new OmnifeedError(
      "config",
      `${flag}: unknown encoding "${label}" (e.g. utf-8, windows-1252, latin1, utf-16le, shift_jis)`,
    );
  }
  return name;
}

/** Opens the file again from its first (decompressed) byte; used only to locate an error. */
export type Reopen = () => Promise<Readable>;

/**
 * The stage for one read of `file`: `encoding` as given by the merchant, or `undefined` to read
 * UTF-8 and recognise UTF-16 by its byte order mark.
 */
export function catalogTextStage(file: string, encoding: string | undefined, reopen: Reopen): Transform {
  return new CatalogTextStage(file, encoding, reopen);
}

class CatalogTextStage extends Transform {
  private decoder: ReturnType<typeof iconv.getDecoder> | undefined;
  private validating = false;
  private highSurrogate = "";
  /** An incomplete UTF-8 sequence at the end of the last chunk. */
  private tail: Buffer = Buffer.alloc(0);
  /** Bytes passed before the current chunk (the tail included). */
  private offset = 0;

  constructor(
    private readonly file: string,
    private readonly encoding: string | undefined,
    private readonly reopen: Reopen,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.decoder && !this.validating) this.choose(chunk);
    if (this.decoder) {
      done(null, this.utf8Of(this.decoder.write(chunk), false));
      return;
    }
    const bad = this.check(chunk);
    if (bad === undefined) {
      this.offset += chunk.length;
      done(null, chunk);
      return;
    }
    this.fail(bad.at, bad.sample, done);
  }

  override _flush(done: TransformCallback): void {
    if (this.decoder) {
      done(null, this.utf8Of(this.decoder.end() ?? "", true));
      return;
    }
    // A tail left at the end: the file stops in the middle of a character.
    if (this.tail.length > 0) this.fail(this.offset - this.tail.length, this.tail, done);
    else done();
  }

  /** Transcoded text as UTF-8; a high surrogate at the end waits for its pair in the next chunk. */
  private utf8Of(decoded: string, last: boolean): Buffer | undefined {
    let text = this.highSurrogate + decoded;
    this.highSurrogate = "";
    const end = text.charCodeAt(text.length - 1);
    if (!last && end >= 0xd800 && end <= 0xdbff) {
      this.highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    return text === "" ? undefined : Buffer.from(text, "utf8");
  }

  private choose(first: Buffer): void {
    const label = this.encoding ?? utf16ByBom(first) ?? utf16ByZeros(first);
    if (label === undefined || label === UTF8) this.validating = true;
    else this.decoder = iconv.getDecoder(label);
  }

  /** The first byte of `chunk` (or of the tail before it) that is not valid UTF-8, if any. */
  private check(chunk: Buffer): { at: number; sample: Buffer } | undefined {
    let start = 0;
    if (this.tail.length > 0) {
      const length = sequenceLength(this.tail[0]!);
      const joined = Buffer.concat([this.tail, chunk.subarray(0, length - this.tail.length)]);
      if (joined.length < length) {
        this.tail = joined;
        return undefined;
      }
      if (!isUtf8(joined)) {
        const bad = firstInvalid(joined);
        return { at: this.offset - this.tail.length + bad, sample: joined.subarray(bad) };
      }
      start = length - this.tail.length;
      this.tail = Buffer.alloc(0);
    }
    const cut = incompleteEnd(chunk, start);
    const body = chunk.subarray(start, cut);
    if (!isUtf8(body)) {
      const bad = start + firstInvalid(body);
      return { at: this.offset + bad, sample: chunk.subarray(bad) };
    }
    // The cut sequence is passed on now and checked with the start of the next chunk.
    if (cut < chunk.length) this.tail = Buffer.from(chunk.subarray(cut));
    return undefined;
  }

  private fail(at: number, sample: Buffer, done: TransformCallback): void {
    const byte = sample[0] ?? 0;
    const guess = guessEncoding(sample.subarray(0, 64 * 1024));
    locate(this.reopen, at).then(
      ({ line, column }) => {
        const hex = byte.toString(16).toUpperCase().padStart(2, "0");
        done(
          new OmnifeedError(
            "config",
            `not valid UTF-8 (byte 0x${hex} at column ${column}); the file looks like ${guess}: ` +
              `run again with --encoding ${guess}`,
            { where: `${this.file}:${line}` },
          ),
        );
      },
      (error: unknown) => done(error as Error),
    );
  }
}

/** `utf-16le` / `utf-16be` when the data starts with that byte order mark. */
function utf16ByBom(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return undefined;
}

/**
 * `utf-16le` / `utf-16be` for text saved as UTF-16 without a byte order mark: a catalog is mostly
 * Latin text, so every other byte is zero — on the odd bytes (little endian) or the even ones (big
 * endian). A real UTF-8 catalog has no zero bytes at all.
 */
export function utf16ByZeros(head: Buffer): string | undefined {
  const length = Math.min(head.length, 1024) & ~1;
  if (length < 8) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < length; index += 2) {
    if (head[index] === 0) evenZeros += 1;
    if (head[index + 1] === 0) oddZeros += 1;
  }
  const pairs = length / 2;
  if (oddZeros >= pairs * 0.4 && evenZeros <= pairs * 0.05) return "utf-16le";
  if (evenZeros >= pairs * 0.4 && oddZeros <= pairs * 0.05) return "utf-16be";
  return undefined;
}

/** The length of the UTF-8 sequence a lead byte starts (1 for a byte that starts none). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** Where a multi-byte sequence cut by the end of the chunk starts (the chunk's length if none). */
export function incompleteEnd(chunk: Buffer, start: number): number {
  for (let back = 1; back <= 3 && chunk.length - back >= start; back++) {
    const byte = chunk[chunk.length - back]!;
    if ((byte & 0xc0) !== 0x80) {
      return sequenceLength(byte) > back ? chunk.length - back : chunk.length;
    }
  }
  return chunk.length;
}

/** The index of the first byte of `bytes` that does not start or continue a valid sequence. */
export function firstInvalid(bytes: Buffer): number {
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes[index]!);
    if (length === 1) {
      if (bytes[index]! >= 0x80) return index;
      index += 1;
      continue;
    }
    if (index + length > bytes.length || !isUtf8(bytes.subarray(index, index + length))) return index;
    index += length;
  }
  return bytes.length;
}

// Bytes windows-1252 leaves undefined: text holding them is not windows-1252.
const UNDEFINED_IN_WINDOWS_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * What a non-UTF-8 sample most likely is: windows-1252 (what Excel on Windows writes) when it holds
 * bytes 0x80–0x9F that windows-1252 defines (curly quotes, dashes, €), latin1 otherwise.
 */
export function guessEncoding(sample: Buffer): "windows-1252" | "latin1" {
  let windows = false;
  for (const byte of sample) {
    if (byte < 0x80 || byte > 0x9f) continue;
    if (UNDEFINED_IN_WINDOWS_1252.has(byte)) return "latin1";
    windows = true;
  }
  return windows ? "windows-1252" : "latin1";
}

/** The line (1-based) and column (characters, 1-based) of byte `offset` of the file. */
async function locate(reopen: Reopen, offset: number): Promise<{ line: number; column: number }> {
  const input = await reopen();
  let line = 1;
  let read = 0;
  let lineStart: Buffer[] = [];
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const part = chunk.subarray(0, Math.max(0, offset - read));
      let from = 0;
      for (let at = part.indexOf(0x0a); at >= 0; at = part.indexOf(0x0a, at + 1)) {
        line += 1;
        from = at + 1;
        lineStart = [];
      }
      lineStart.push(part.subarray(from));
      read += chunk.length;
      if (read >= offset) break;
    }
  } finally {
    input.destroy();
  }
  const before = Buffer.concat(lineStart)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  return { line, column: [...before].length + 1 };
}
