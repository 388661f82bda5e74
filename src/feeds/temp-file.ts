import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, rmSync, type WriteStream } from "node:fs";
import { open, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";

/**
 * Feeds are written beside their final name under a temp name that can never be mistaken for a
 * feed (leading dot, `.omnifeed-<pid>-<random>.tmp` suffix) and renamed into place only when
 * complete. A killed run leaves the last good file and, at worst, a temp file that the next run
 * removes.
 */
const TEMP_PATTERN = /^\.(.+)\.omnifeed-(\d+)-[0-9a-f]{8}\.tmp$/;

// Temp files this process made. In a container every run may get the same small pid, so a file
// with our pid is ours only if we made it; otherwise it is a killed run's leftover.
const madeHere = new Set<string>();
// Final paths this process renamed a temp file onto, for the message of an interrupted run.
const committedHere: string[] = [];

// Temp files being created (an open or a write on the thread pool): a stopping run waits for them,
// or one created just after the clean-up would stay behind.
let creating = 0;
let stopping = false;

export function tempPathFor(finalPath: string): string {
  if (stopping) throw new OmnifeedError("transient", "the run is stopping; no new temp file");
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const path = join(dirname(finalPath), `.${basename(finalPath)}.omnifeed-${suffix}.tmp`);
  madeHere.add(path);
  return path;
}

/** The final file name a temp path was made for (`.<name>.omnifeed-<pid>-<hex>.tmp` → `<name>`). */
function finalNameOf(tempPath: string): string {
  return basename(tempPath)
    .replace(/^\./, "")
    .replace(/\.omnifeed-\d+-[0-9a-f]+\.tmp$/, "");
}

/**
 * A temp file that could not be written or put in place: removed, and the error turned into one
 * line with its kind (a full or read-only disk is the operator's to fix: `config`, exit 2). The
 * system error stays as the cause, for callers that look at its code.
 */
async function writeFailure(tempPath: string, name: string, error: unknown): Promise<OmnifeedError> {
  await rm(tempPath, { force: true }).catch(() => undefined);
  madeHere.delete(tempPath);
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifeedError(writeErrorKind(error), `cannot write ${name}: ${reason}`, {
    where: dirname(tempPath),
    cause: error,
  });
}

export function isTempFileName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

export function openTempStream(tempPath: string): WriteStream {
  // 1 MiB buffers: feeds are written in large chunks and the syscall count matters at 1M items.
  const stream = createWriteStream(tempPath, { flags: "wx", highWaterMark: 1 << 20 });
  creating += 1;
  let settled = false;
  const settle = (): void => {
    if (!settled) creating -= 1;
    settled = true;
  };
  stream.once("open", settle).once("error", settle).once("close", settle);
  return stream;
}

/** Writes a small temp file whole (manifest, report, the write probe); never overwrites one. */
export async function writeTempFile(tempPath: string, data: string): Promise<void> {
  creating += 1;
  try {
    await writeFile(tempPath, data, { flag: "wx" });
  } catch (error) {
    throw await writeFailure(tempPath, finalNameOf(tempPath), error);
  } finally {
    creating -= 1;
  }
}

/** Flushes a finished temp file to disk and renames it over the final path (atomic on POSIX). */
export async function commitTempFile(tempPath: string, finalPath: string): Promise<void> {
  try {
    const handle = await open(tempPath, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, finalPath);
  } catch (error) {
    throw await writeFailure(tempPath, basename(finalPath), error);
  }
  madeHere.delete(tempPath);
  committedHere.push(finalPath);
  await syncDirectory(dirname(finalPath));
}

/**
 * Removes every temp file this process made, for a run stopped by a signal: only ours, since
 * another run may be writing into the same folder. No new temp file is started from here on, and
 * those being created are waited for (briefly) first. Returns how many were removed and which
 * final files this run had already put in place.
 */
export async function removeOwnTempFiles(): Promise<{ removed: number; committed: readonly string[] }> {
  stopping = true;
  const deadline = Date.now() + 2000;
  while (creating > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  let removed = 0;
  for (const path of madeHere) {
    if (!existsSync(path)) continue;
    rmSync(path, { force: true });
    removed += 1;
  }
  madeHere.clear();
  return { removed, committed: committedHere };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files left by runs that died (their process is gone, or it is this process's pid
 * but this process did not make them). Temp files of a run still going on (same machine, live
 * pid) are left alone. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    const inUse = pid === process.pid ? madeHere.has(join(dir, name)) : processIsAlive(pid);
    if (inUse) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
