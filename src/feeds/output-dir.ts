import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { OmnifeedError } from "../core/errors.js";
import { tempPathFor, writeTempFile } from "./temp-file.js";

/**
 * Makes sure the output folder exists and this process can create files in it, before anything is
 * read or built: `--out` naming a file, a path under a file, or a folder without write access is
 * the caller's to fix (exit 2), not a failure discovered after minutes of building.
 */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw unusable(dir, error);
  }
  const info = await stat(dir).catch((error: unknown) => {
    throw unusable(dir, error);
  });
  if (!info.isDirectory()) throw unusable(dir, "it is a file, not a folder");
  // The probe has a temp file's name, so a run killed right here leaves nothing the next run keeps.
  const probe = tempPathFor(join(dir, "write-check"));
  try {
    await writeTempFile(probe, "");
  } catch (error) {
    throw unusable(dir, (error as { cause?: unknown }).cause ?? error);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

const REASONS: Record<string, string> = {
  EEXIST: "it is a file, not a folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EACCES: "no permission to write there",
  EPERM: "no permission to write there",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
};

function unusable(dir: string, cause: unknown): OmnifeedError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    typeof cause === "string"
      ? cause
      : ((code && REASONS[code]) ?? (cause instanceof Error ? cause.message : String(cause)));
  return new OmnifeedError(
    "config",
    `cannot write feeds into ${dir}: ${reason}; pass --out <dir> with a folder you can write to`,
    { cause },
  );
}
