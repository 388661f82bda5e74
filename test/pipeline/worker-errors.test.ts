import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_KINDS, isOmnifeedError, type ErrorKind } from "../../src/core/errors.js";
import { EXIT, exitCodeForKind } from "../../src/cli/exit-codes.js";
import type { BuildSpec } from "../../src/pipeline/build.js";
import { workerRunner } from "../../src/pipeline/worker-pool.js";
import type { RecordBatch } from "../../src/sources/source.js";
import { ROOT } from "../e2e/cli.js";

const THROWING_WORKER = join(ROOT, "test/pipeline/throwing-build-worker.mjs");

/** What the CLI answers for each kind (README: 2 is the caller's to fix, 1 is unexpected). */
const EXPECTED_EXIT: Record<ErrorKind, number> = {
  config: EXIT.usage,
  not_found: EXIT.usage,
  auth: EXIT.failure,
  rejected: EXIT.failure,
  rate_limited: EXIT.failure,
  transient: EXIT.failure,
  conflict: EXIT.failure,
};

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("errors thrown in a build worker thread", () => {
  it("reach the main thread with their kind, where and retryAfterMs, and map to the CLI's exit code", async () => {
    const runner = await workerRunner({} as BuildSpec, 1, { workerScript: THROWING_WORKER });
    try {
      for (const kind of ERROR_KINDS) {
        const error = await rejectionOf(runner.run({ kind } as unknown as RecordBatch));
        expect(isOmnifeedError(error, kind), `${kind}: ${String(error)}`).toBe(true);
        if (!isOmnifeedError(error)) continue;
        expect(error.message).toBe("worker.csv:7: thrown in a worker");
        expect(error.where).toBe("worker.csv:7");
        expect(error.retryAfterMs).toBe(1500);
        expect(error.stack).toContain("throwing-build-worker.mjs");
        expect(exitCodeForKind(error.kind)).toBe(EXPECTED_EXIT[kind]);
      }
      // The worker lives on after a failed batch.
      const plain = await rejectionOf(runner.run({ kind: "plain" } as unknown as RecordBatch));
      expect(isOmnifeedError(plain)).toBe(false);
      expect(plain).toMatchObject({ name: "TypeError", message: "not an omnifeed error" });
    } finally {
      await runner.close();
    }
  });

  it("keep their kind when the worker fails while starting", async () => {
    const spec = { failAtStart: "config" } as unknown as BuildSpec;
    const error = await rejectionOf(workerRunner(spec, 1, { workerScript: THROWING_WORKER }));
    expect(isOmnifeedError(error, "config")).toBe(true);
  });
});
