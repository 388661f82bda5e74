import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/config-file.js";
import * as srcPlan from "../../src/pipeline/plan.js";
import * as srcBuild from "../../src/pipeline/stream-build.js";
import { DEMO, DEMO_CONFIG, ROOT } from "../e2e/cli.js";

// Build threads run the compiled worker: with workers, the run goes through dist/ (`npm test` builds).
const distPlan = (await import(join(ROOT, "dist/pipeline/plan.js"))) as typeof srcPlan;
const distBuild = (await import(join(ROOT, "dist/pipeline/stream-build.js"))) as typeof srcBuild;

/** A run stops where its signal says, on this thread and with build workers alike (a job's cancel). */
async function demoRun(workers: number) {
  const config = await loadConfigFile(DEMO_CONFIG);
  return (workers === 0 ? srcPlan : distPlan).prepareRun(
    { file: join(DEMO, "catalog.csv"), options: config.catalog?.options },
    [{ id: "google", mappingFile: config.channels?.google?.mapping }],
  );
}

describe("runs honour their AbortSignal", () => {
  for (const workers of [0, 1]) {
    it(`the build stops after the batch in which it was aborted (${workers} workers)`, async () => {
      const run = await demoRun(workers);
      const { streamBuild } = workers === 0 ? srcBuild : distBuild;
      const controller = new AbortController();
      let batches = 0;
      const stopped = streamBuild(
        run,
        { workers, batchSize: 10, withFeeds: false, withRecords: true, signal: controller.signal },
        () => {
          batches += 1;
          if (batches === 2) controller.abort(new Error("cancelled by the job"));
          return Promise.resolve();
        },
      );
      await expect(stopped).rejects.toThrow("cancelled by the job");
      expect(batches).toBe(2);
    });
  }
});
