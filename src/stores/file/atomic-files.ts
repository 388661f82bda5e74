import { randomUUID } from "node:crypto";
import { link, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OmnifeedError, writeErrorKind } from "../../core/errors.js";

/**
 * The file store's few ways to write, each safe against a crash and against other processes
 * writing the same folder: a reader sees a whole file or none, and of several processes creating
 * one file exactly one wins. No locks: the file system's exclusive create and link decide.
 */

/** `.name.<uuid>.tmp` beside the final file: same folder (same file system), hidden from listings. */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
}

async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A file system without hard links (some network or FAT mounts): the store cannot work there. */
const NO_LINKS = new Set(["ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

function writeFailure(path: string, error: unknown): OmnifeedError {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && NO_LINKS.has(code)) {
    return new OmnifeedError(
      "config",
      `the file system does not support hard links (${code}); put the file store's folder on a local disk`,
      { where: path, cause: error },
    );
  }
  return new OmnifeedError(
    writeErrorKind(error),
    `cannot write (${typeof code === "string" ? code : "error"})`,
    {
      where: path,
      cause: error,
    },
  );
}

function isExists(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EEXIST";
}

/**
 * Creates `path` with `text` unless it exists: the text goes to a temp file first, then a hard
 * link gives it the final name, which fails when the name is taken. So the file appears whole,
 * and of concurrent creators (threads or processes) exactly one gets `true`.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = tempBeside(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeSynced(temp, text);
    await link(temp, path);
    return true;
  } catch (error) {
    if (isExists(error)) return false;
    throw writeFailure(path, error);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Replaces `path` with `text` in one step (temp file + rename): readers see the old or the new. */
export async function replaceAtomically(path: string, text: string): Promise<void> {
  const temp = tempBeside(path);
  try {
    await writeSynced(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeFailure(path, error);
  }
}

/** Creates an empty marker file; `true` for the one caller that made it, `false` when it existed. */
export async function createMark(path: string): Promise<boolean> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await (await open(path, "wx")).close();
    return true;
  } catch (error) {
    if (isExists(error)) return false;
    throw writeFailure(path, error);
  }
}

/**
 * Appends `text` with one write in append mode: appends of other processes land before or after
 * it, never inside it (O_APPEND on a local file system), and the data is synced before returning.
 */
export async function appendSynced(path: string, text: string): Promise<void> {
  try {
    const handle = await open(path, "a");
    try {
      const bytes = Buffer.from(text, "utf8");
      let done = 0;
      // One write for a row set in practice; a short write (a nearly full disk) goes on after it.
      while (done < bytes.length) done += (await handle.write(bytes, done)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw writeFailure(path, error);
  }
}
