import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";
import type { RecordBatch, SourceContext, StoreSource } from "../sources/source.js";

/**
 * The import spool of a store catalog (adr/0025). A feed must hold the whole catalog, so an
 * interrupted store read is only worth resuming if what was read before the interruption is kept:
 * each batch the store hands out is appended to `<dir>/<format>.jsonl` as one line, and only then
 * is its checkpoint written, atomically, to `<format>.state.json` beside it. A run that finds an
 * unfinished spool of the same store replays its batches from the disk and asks the store only
 * for the rest, from the last checkpoint; a finished one is read again from the start (the store
 * may have changed since). The build reads the batches as they come, either way.
 */
export const SPOOL_DIR_NAME = ".omnifeed-spool";

/** An unfinished spool older than this is not resumed: the store has moved on since. */
export const DEFAULT_RESUME_WITHIN_MS = 24 * 60 * 60 * 1000;

export const SpoolStateSchema = z.object({
  version: z.literal(1),
  /** The store and options read: another store's (or another shop's) spool is never resumed. */
  fingerprint: z.string(),
  startedAt: z.string(),
  /** Length of the spool up to the end of the last batch whose checkpoint is kept. */
  bytes: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  checkpoint: z.string().optional(),
  complete: z.boolean(),
});
export type SpoolState = z.infer<typeof SpoolStateSchema>;

export interface SpoolSettings {
  /** The folder of the spool (`<output.dir>/.omnifeed-spool`). */
  dir: string;
  /** `false` starts the download over even when an unfinished one could be resumed. */
  resume: boolean;
  resumeWithinMs?: number | undefined;
}

/** What a spooled read did, for the run's report and the CLI. */
export interface SpoolReport {
  /** Batches and records replayed from an interrupted run's spool (0 for a fresh read). */
  resumedBatches: number;
  resumedRecords: number;
  /** Batches the store was asked for in this run. */
  fetchedBatches: number;
}

export interface StoreRead {
  source: StoreSource;
  options: unknown;
  label: string;
  context: SourceContext;
  spool: SpoolSettings;
}

export function spoolFiles(dir: string, format: string): { data: string; state: string; lock: string } {
  return {
    data: join(dir, `${format}.jsonl`),
    state: join(dir, `${format}.state.json`),
    lock: join(dir, `${format}.lock`),
  };
}

/**
 * The store's catalog as record batches, through the spool: replayed from an interrupted run's
 * spool first when there is one to resume, then read from the store and spooled batch by batch.
 * `report` is filled in as it goes. One run at a time per spool (a pid lock file beside it).
 */
export async function* spooledStoreBatches(
  read: StoreRead,
  options: { batchSize: number; signal?: AbortSignal | undefined },
  report: SpoolReport = { resumedBatches: 0, resumedRecords: 0, fetchedBatches: 0 },
): AsyncGenerator<RecordBatch> {
  const files = spoolFiles(read.spool.dir, read.source.format);
  await mkdir(read.spool.dir, { recursive: true }).catch((error: unknown) => {
    throw spoolError(read.spool.dir, error);
  });
  await takeLock(files.lock, read.label);
  try {
    const fingerprint = fingerprintOf(read);
    const resumable = read.spool.resume
      ? await resumableState(
          files,
          fingerprint,
          read.spool.resumeWithinMs ?? DEFAULT_RESUME_WITHIN_MS,
          read.context,
        )
      : undefined;
    let state: SpoolState = resumable ?? {
      version: 1,
      fingerprint,
      startedAt: read.context.clock().toISOString(),
      bytes: 0,
      batches: 0,
      records: 0,
      complete: false,
    };
    // Whatever follows the last kept checkpoint (a half-written line of a killed run) goes.
    await writeFile(files.data, "", { flag: "a" });
    await truncate(files.data, state.bytes);
    if (!resumable) await writeState(files.state, state);

    if (resumable) {
      for await (const batch of replay(files.data, state.bytes, read.label)) {
        options.signal?.throwIfAborted();
        report.resumedBatches += 1;
        report.resumedRecords += batch.records;
        yield batch;
      }
    }

    const handle = await open(files.data, "a");
    try {
      const batches = read.source.records(
        read.options,
        {
          batchSize: options.batchSize,
          ...(options.signal ? { signal: options.signal } : {}),
          from: state.checkpoint,
        },
        read.context,
      );
      let bytes = state.bytes;
      for await (const batch of batches) {
        options.signal?.throwIfAborted();
        report.fetchedBatches += 1;
        const line = `${JSON.stringify({
          groups: batch.groups,
          records: batch.records,
          issues: batch.issues,
          checkpoint: batch.checkpoint,
        })}\n`;
        try {
          await handle.write(line);
        } catch (error) {
          throw spoolError(files.data, error);
        }
        bytes += Buffer.byteLength(line);
        // A batch without a checkpoint cannot be resumed after: the next kept point stays the last one.
        if (batch.checkpoint !== undefined) {
          state = {
            ...state,
            bytes,
            batches: state.batches + 1,
            records: state.records + batch.records,
            checkpoint: batch.checkpoint,
          };
          await writeState(files.state, state);
        }
        yield { ...batch, file: read.label, bytesRead: bytes };
      }
      await writeState(files.state, { ...state, bytes, complete: true });
    } finally {
      await handle.close();
    }
  } finally {
    await rm(files.lock, { force: true });
  }
}

/** The spool's state if it may be resumed: same store and options, unfinished, recent, intact. */
async function resumableState(
  files: { data: string; state: string },
  fingerprint: string,
  within: number,
  context: SourceContext,
): Promise<SpoolState | undefined> {
  let text: string;
  try {
    text = await readFile(files.state, "utf8");
  } catch {
    return undefined;
  }
  let parsed: ReturnType<typeof SpoolStateSchema.safeParse>;
  try {
    parsed = SpoolStateSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const state = parsed.data;
  if (state.complete || state.fingerprint !== fingerprint || state.batches === 0) return undefined;
  if (context.clock().getTime() - Date.parse(state.startedAt) > within) return undefined;
  // The state outlived the data (a crash of the machine before the spool reached the disk).
  const size = await stat(files.data).then(
    (stats) => stats.size,
    () => -1,
  );
  if (size < state.bytes) return undefined;
  return state;
}

async function* replay(file: string, bytes: number, label: string): AsyncGenerator<RecordBatch> {
  if (bytes === 0) return;
  const input = createReadStream(file, { start: 0, end: bytes - 1 });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let offset = 0;
  try {
    for await (const line of lines) {
      offset += Buffer.byteLength(line) + 1;
      const saved = JSON.parse(line) as Omit<RecordBatch, "file" | "bytesRead">;
      yield { ...saved, file: label, bytesRead: offset };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

async function writeState(file: string, state: SpoolState): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(state)}\n`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw spoolError(file, error);
  }
}

function fingerprintOf(read: StoreRead): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: read.source.format, label: read.label, options: read.options }))
    .digest("hex");
}

async function takeLock(path: string, label: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") throw spoolError(path, error);
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new OmnifeedError(
          "conflict",
          `another run (pid ${owner}) is reading ${label} into this spool; wait for it or give this run another output folder`,
          { where: path },
        );
      }
      // A killed run's lock: taken over.
      await rm(path, { force: true });
    }
  }
  throw new OmnifeedError("conflict", `cannot take the spool lock of ${label}`, { where: path });
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

function spoolError(where: string, error: unknown): OmnifeedError {
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifeedError(writeErrorKind(error), `cannot write the store import spool: ${reason}`, {
    where,
    cause: error,
  });
}
