import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OmnifeedError } from "../core/errors.js";

export const MANIFEST_LOCK_FILE = ".omnifeed-manifest.lock";

/**
 * Runs `task` holding the output folder's manifest lock, so two exports (two jobs, or a job and a
 * merchant's manual run) publishing into one folder never lose each other's manifest entries by
 * reading and rewriting it at the same time. The lock is a file created exclusively, holding the
 * owner's pid; a lock whose process is gone is taken over at once. Waits up to `waitMs`.
 */
export async function withManifestLock<T>(dir: string, task: () => Promise<T>, waitMs = 30_000): Promise<T> {
  const path = join(dir, MANIFEST_LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") throw error;
      const owner = await ownerOf(path);
      if (owner !== undefined && !alive(owner)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new OmnifeedError(
          "conflict",
          `another process (pid ${owner ?? "unknown"}) is publishing into this folder; waited ${waitMs} ms`,
          { where: path },
        );
      }
      await sleep(50);
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}

async function ownerOf(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}
