import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/config/paths.js";

/**
 * Tests that read the official specs in `../shared/specs` (beside the repo). CI always has that
 * folder, so there a missing file fails; on a newcomer's clone without it the suite says, in one
 * visible line, what did not run, and `npm test` still passes.
 */
export const SHARED_SPECS = resolve(PACKAGE_ROOT, "../shared/specs");

/** Absolute path of a file under `../shared/specs`. */
export function specPath(relative: string): string {
  return resolve(SHARED_SPECS, relative);
}

/** True when running under CI (`CI=true`), where the specs must be present. */
function underCi(): boolean {
  const value = process.env["CI"];
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * `describe`, run only when every named spec file exists. Missing outside CI: one warning line and
 * a skipped placeholder test named after what did not run. Missing under CI: a failing test.
 */
export function describeWithSpecs(name: string, files: readonly string[], body: () => void): void {
  const missing = files.filter((file) => !existsSync(specPath(file)));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const what = `${name}: needs ${missing.map((file) => `../shared/specs/${file}`).join(", ")}`;
  if (underCi()) {
    describe(name, () => {
      it(`spec files present (CI=true)`, () => {
        throw new Error(`${what} — missing under CI, where ../shared/specs must sit beside the repo`);
      });
    });
    return;
  }
  console.warn(`[did not run] ${what} (not found; these tests run when ../shared sits beside the repo)`);
  describe.skip(`${name} [did not run: spec files missing]`, () => {
    it("needs the official specs", () => undefined);
  });
}
