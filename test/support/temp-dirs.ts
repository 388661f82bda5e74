import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Temp folders made by tests. Each test file removes its own after its last test (the setup file
 * `remove-temp-dirs.ts` registers that for every file), so a run leaves nothing behind — the crash
 * test alone writes a catalog of about 190 MB.
 */
const created = new Set<string>();

/** A new empty folder `omnifeed-<prefix>-XXXXXX` in the system temp folder, removed after the file. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `omnifeed-${prefix}-`));
  created.add(dir);
  return dir;
}

/** Removes every folder made by `makeTempDir` so far. */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}
