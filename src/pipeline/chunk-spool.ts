import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { z } from "zod";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";
import type { BatchOutput } from "./build.js";
import type { Chunk, ChunkPlan } from "./chunk-plan.js";

/**
 * A chunk's spool: the batch outputs of one chunk, in catalog order, as the assembly reads them
 * back. Layout: the magic `OFCHUNK1`, then frames `[u32 LE payload length][u8 type][payload]`:
 * one header (JSON: which plan and chunk), one frame per batch (`v8.serialize` of its output: the
 * feed entries stay bytes, nothing is re-encoded), and an end frame of fixed size (u32 batch
 * count + the magic `OFEND`), so a spool cut short is told from a complete one by its last bytes.
 */
const MAGIC = Buffer.from("OFCHUNK1", "latin1");
const END_MAGIC = Buffer.from("OFEND", "latin1");
const FRAME_HEAD = 5;
const END_PAYLOAD = 4 + END_MAGIC.length;
const END_FRAME = FRAME_HEAD + END_PAYLOAD;
// A batch of 100 records renders to well under a megabyte; anything near this is a damaged file.
const MAX_FRAME = 1 << 30;

const FRAME_HEADER = 1;
const FRAME_BATCH = 2;
const FRAME_END = 3;

/** The folder, under the output folder, that holds the spools of every chunked run. */
export const CHUNKS_DIR = ".omnifeed-chunks";

const SpoolHeaderSchema = z.object({
  build: z.string(),
  catalog: z.object({ size: z.number(), mtimeMs: z.number() }),
  index: z.number().int(),
  fromBatch: z.number().int(),
  toBatch: z.number().int(),
});
type SpoolHeader = z.infer<typeof SpoolHeaderSchema>;

/**
 * Where chunk `index` of run `runId` is spooled: `<outDir>/.omnifeed-chunks/<runId>/chunk-000007.bin`.
 * Chunk jobs on several machines and the assembly must all see `outDir` as one shared folder.
 */
export function chunkSpoolFile(outDir: string, runId: string, index: number): string {
  return join(chunkSpoolDir(outDir, runId), `chunk-${String(index).padStart(6, "0")}.bin`);
}

/** The spool folder of one run; `runId` is made safe for a file name (a job id may hold `:`). */
export function chunkSpoolDir(outDir: string, runId: string): string {
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, "_");
  if (safe === "" || safe === "." || safe === "..") {
    throw new OmnifeedError("config", `"${runId}" cannot name a chunked run's folder`);
  }
  return join(outDir, CHUNKS_DIR, safe);
}

/** Every spool file of a plan's chunks, in chunk order. */
export function chunkSpoolFiles(outDir: string, runId: string, plan: ChunkPlan): string[] {
  return plan.chunks.map((chunk) => chunkSpoolFile(outDir, runId, chunk.index));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the spool folders of runs that were never assembled (a parent that failed for good): a
 * folder whose newest spool is older than `maxAgeMs`. Call it when a chunked run starts. Returns
 * the run folders removed.
 */
export async function removeStaleChunkSpools(
  outDir: string,
  maxAgeMs = DAY_MS,
  now = Date.now(),
): Promise<string[]> {
  const root = join(outDir, CHUNKS_DIR);
  let runs: string[];
  try {
    runs = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of runs) {
    const dir = join(root, name);
    if ((await newestChange(dir)) < now - maxAgeMs) {
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

// The latest modification of a run folder or any file in it (0 when it is gone).
async function newestChange(dir: string): Promise<number> {
  try {
    let newest = (await stat(dir)).mtimeMs;
    for (const name of await readdir(dir)) {
      const stats = await stat(join(dir, name)).catch(() => undefined);
      if (stats) newest = Math.max(newest, stats.mtimeMs);
    }
    return newest;
  } catch {
    return 0;
  }
}

/** Removes spool files and then their folders, when that leaves them empty. */
export async function removeChunkSpools(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
  const dirs = new Set(files.map((file) => dirname(file)));
  for (const dir of dirs) {
    // Left in place when not empty: another run's or a retried chunk's temp file is still there.
    await rmdir(dir).catch(() => undefined);
    await rmdir(dirname(dir)).catch(() => undefined);
  }
}

/**
 * Writes a chunk's spool under a temp name beside it and renames it into place once complete, so
 * the spool file either is whole or is not there; a chunk built twice (a retried or stalled job)
 * simply replaces it with the same content.
 */
export class SpoolWriter {
  private readonly tempPath: string;
  private batches = 0;
  private bytes = 0;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    tempPath: string,
  ) {
    this.tempPath = tempPath;
  }

  static async open(path: string, plan: ChunkPlan, chunk: Chunk): Promise<SpoolWriter> {
    const tempPath = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(tempPath, "wx");
    } catch (error) {
      throw writeFailed(path, error);
    }
    const writer = new SpoolWriter(path, handle, tempPath);
    const header: SpoolHeader = {
      build: plan.build,
      catalog: { size: plan.catalog.size, mtimeMs: plan.catalog.mtimeMs },
      index: chunk.index,
      fromBatch: chunk.fromBatch,
      toBatch: chunk.toBatch,
    };
    try {
      await writer.writeRaw(MAGIC);
      await writer.writeFrame(FRAME_HEADER, Buffer.from(JSON.stringify(header), "utf8"));
    } catch (error) {
      await writer.discard();
      throw error;
    }
    return writer;
  }

  async write(output: BatchOutput): Promise<void> {
    await this.writeFrame(FRAME_BATCH, serialize(output));
    this.batches += 1;
  }

  /** Ends the spool, flushes it to disk and renames it into place; returns its size in bytes. */
  async commit(): Promise<number> {
    const end = Buffer.alloc(END_PAYLOAD);
    end.writeUInt32LE(this.batches, 0);
    END_MAGIC.copy(end, 4);
    await this.writeFrame(FRAME_END, end);
    try {
      // Another machine assembles: the spool must be on disk before the chunk job reports done.
      await this.handle.datasync();
      await this.handle.close();
      await rename(this.tempPath, this.path);
    } catch (error) {
      await rm(this.tempPath, { force: true }).catch(() => undefined);
      throw writeFailed(this.path, error);
    }
    return this.bytes;
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }

  private async writeFrame(type: number, payload: Uint8Array): Promise<void> {
    const head = Buffer.alloc(FRAME_HEAD);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt8(type, 4);
    await this.writeRaw(head, payload);
  }

  private async writeRaw(...parts: Uint8Array[]): Promise<void> {
    try {
      // writev may write less than asked (a full pipe, a signal): write until every byte is out.
      let pending = parts.filter((part) => part.length > 0);
      while (pending.length > 0) {
        let { bytesWritten } = await this.handle.writev(pending);
        this.bytes += bytesWritten;
        const rest: Uint8Array[] = [];
        for (const part of pending) {
          if (bytesWritten >= part.length) bytesWritten -= part.length;
          else {
            rest.push(part.subarray(bytesWritten));
            bytesWritten = 0;
          }
        }
        pending = rest;
      }
    } catch (error) {
      throw writeFailed(this.path, error);
    }
  }
}

function writeFailed(path: string, error: unknown): OmnifeedError {
  if (error instanceof OmnifeedError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifeedError(writeErrorKind(error), `cannot write the chunk spool: ${reason}`, {
    where: path,
    cause: error,
  });
}

/** What is wrong with a chunk's spool, in a few words. */
export type SpoolProblem = "missing" | "truncated" | "damaged" | "another plan's";

/** A chunk whose spool the assembly cannot use, and why. */
export interface SpoolFault {
  index: number;
  file: string;
  problem: SpoolProblem;
}

/**
 * Checks without reading it through that a chunk's spool exists, was written for this plan and
 * chunk, and is complete (its end frame is in place). `undefined` when it is usable.
 */
export async function checkSpool(
  plan: ChunkPlan,
  chunk: Chunk,
  file: string,
): Promise<SpoolFault | undefined> {
  const fault = (problem: SpoolProblem): SpoolFault => ({ index: chunk.index, file, problem });
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fault("missing");
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const header = await readHeader(handle, size);
    if (header === undefined) return fault("damaged");
    if (!headerMatches(header, plan, chunk)) return fault("another plan's");
    const end = await readEnd(handle, size);
    if (end === undefined) return fault("truncated");
    if (end !== chunk.toBatch - chunk.fromBatch) return fault("damaged");
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The error for spools the assembly cannot use, naming every such chunk. */
export function spoolFaultError(faults: readonly SpoolFault[]): OmnifeedError {
  const listed = faults.map((fault) => `chunk ${fault.index} (${fault.file}): ${fault.problem}`).join("; ");
  const kind = faults.every((fault) => fault.problem === "missing") ? "not_found" : "conflict";
  return new OmnifeedError(kind, `cannot assemble the chunked build: ${listed}; build those chunks again`);
}

/**
 * The batch outputs of a chunk's spool, in order. The spool is checked as it is read: a frame cut
 * short or one that does not decode stops the read with an error naming the chunk.
 */
export async function* readSpool(plan: ChunkPlan, chunk: Chunk, file: string): AsyncGenerator<BatchOutput> {
  const damaged = (problem: SpoolProblem): OmnifeedError =>
    spoolFaultError([{ index: chunk.index, file, problem }]);
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw damaged("missing");
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const header = await readHeader(handle, size);
    if (header === undefined) throw damaged("damaged");
    if (!headerMatches(header, plan, chunk)) throw damaged("another plan's");
    let position = MAGIC.length + FRAME_HEAD + header.length;
    let batches = 0;
    const head = Buffer.alloc(FRAME_HEAD);
    for (;;) {
      if (!(await readExactly(handle, head, position))) throw damaged("truncated");
      const length = head.readUInt32LE(0);
      const type = head.readUInt8(4);
      position += FRAME_HEAD;
      if (type === FRAME_END) break;
      if (type !== FRAME_BATCH || length > MAX_FRAME) throw damaged("damaged");
      const payload = Buffer.allocUnsafe(length);
      if (!(await readExactly(handle, payload, position))) throw damaged("truncated");
      position += length;
      let output: BatchOutput;
      try {
        output = deserialize(payload) as BatchOutput;
      } catch {
        throw damaged("damaged");
      }
      batches += 1;
      yield output;
    }
    if (batches !== chunk.toBatch - chunk.fromBatch) throw damaged("damaged");
  } finally {
    await handle.close();
  }
}

function headerMatches(header: SpoolHeader & { length: number }, plan: ChunkPlan, chunk: Chunk): boolean {
  return (
    header.build === plan.build &&
    header.catalog.size === plan.catalog.size &&
    header.catalog.mtimeMs === plan.catalog.mtimeMs &&
    header.index === chunk.index &&
    header.fromBatch === chunk.fromBatch &&
    header.toBatch === chunk.toBatch
  );
}

// The magic and the header frame; `undefined` when they are not what a spool starts with.
async function readHeader(
  handle: FileHandle,
  size: number,
): Promise<(SpoolHeader & { length: number }) | undefined> {
  const start = Buffer.alloc(MAGIC.length + FRAME_HEAD);
  if (size < start.length || !(await readExactly(handle, start, 0))) return undefined;
  if (!start.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const length = start.readUInt32LE(MAGIC.length);
  if (start.readUInt8(MAGIC.length + 4) !== FRAME_HEADER || length > 64 * 1024) return undefined;
  const text = Buffer.alloc(length);
  if (!(await readExactly(handle, text, start.length))) return undefined;
  try {
    return { ...SpoolHeaderSchema.parse(JSON.parse(text.toString("utf8"))), length };
  } catch {
    return undefined;
  }
}

// The batch count of the end frame; `undefined` when the spool does not end with one.
async function readEnd(handle: FileHandle, size: number): Promise<number | undefined> {
  const end = Buffer.alloc(END_FRAME);
  if (size < END_FRAME || !(await readExactly(handle, end, size - END_FRAME))) return undefined;
  const valid =
    end.readUInt32LE(0) === END_PAYLOAD &&
    end.readUInt8(4) === FRAME_END &&
    end.subarray(FRAME_HEAD + 4).equals(END_MAGIC);
  return valid ? end.readUInt32LE(FRAME_HEAD) : undefined;
}

// Fills `buffer` from `position`; false when the file ends first.
async function readExactly(handle: FileHandle, buffer: Buffer, position: number): Promise<boolean> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) return false;
    filled += bytesRead;
  }
  return true;
}
