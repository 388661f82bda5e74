import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { isOmnifeedError, OmnifeedError } from "../core/errors.js";
import { catalogTextStage } from "./text-encoding.js";

/** How much of a file (decompressed) format detection looks at. */
export const HEAD_BYTES = 64 * 1024;

/** True when the file starts with the gzip magic bytes `1f 8b`, whatever its name. */
export async function isGzipFile(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, "r");
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (error) {
    throw catalogFileError(file, error);
  } finally {
    await handle?.close();
  }
}

/**
 * Opens a catalog file as a stream of UTF-8 bytes: gzip is recognised by its magic bytes, so
 * `catalog.csv.gz` and a gzipped file named `catalog.csv` both work; text in another `encoding`
 * (or UTF-16 with a byte order mark) is transcoded, and UTF-8 that is not valid stops the read with
 * an error naming the line (`text-encoding.ts`).
 */
export async function openCatalogFile(file: string, encoding?: string): Promise<Readable> {
  const bytes = await openDecompressed(file);
  const stage = catalogTextStage(file, encoding, () => openDecompressed(file));
  bytes.on("error", (error) => stage.destroy(error));
  return bytes.pipe(stage);
}

/** The file's bytes, gunzipped when it is gzip. */
async function openDecompressed(file: string): Promise<Readable> {
  const gzip = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!gzip) return raw;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on("error", (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** The first `maxBytes` of the decompressed file as text (BOM removed), for format detection. */
export async function readHead(file: string, maxBytes = HEAD_BYTES, encoding?: string): Promise<string> {
  const stream = await openCatalogFile(file, encoding);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= maxBytes) break;
    }
  } catch (error) {
    // A damaged gzip tail does not matter for the head; an unreadable start or bad text does.
    if (length === 0 || error instanceof OmnifeedError) throw catalogFileError(file, error);
  } finally {
    stream.destroy();
  }
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks, length).subarray(0, maxBytes));
}

export interface TextChunk {
  text: string;
  /** Decompressed bytes read so far, this chunk included. */
  bytesRead: number;
}

/** The file as UTF-8 text in chunks (a multi-byte character is never split; BOM removed). */
export async function* readTextChunks(
  file: string,
  signal?: AbortSignal,
  encoding?: string,
): AsyncGenerator<TextChunk> {
  const stream = await openCatalogFile(file, encoding);
  const decoder = new TextDecoder("utf-8");
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      bytesRead += chunk.length;
      yield { text: decoder.decode(chunk, { stream: true }), bytesRead };
    }
  } catch (error) {
    throw catalogFileError(file, error);
  } finally {
    stream.destroy();
  }
  const rest = decoder.decode();
  if (rest) yield { text: rest, bytesRead };
}

/**
 * A file that cannot be read at all stops the run: reading on would publish a feed with products
 * missing. Problems inside the file are row issues instead.
 */
export function catalogFileError(file: string, error: unknown): Error {
  if (isOmnifeedError(error) || (error instanceof Error && error.name === "AbortError")) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT")
    return new OmnifeedError("not_found", "catalog file not found", { where: file, cause: error });
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") {
    return new OmnifeedError("config", "the gzip data is damaged or cut short", {
      where: file,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifeedError("config", `cannot read the catalog file: ${reason}`, {
    where: file,
    cause: error,
  });
}
