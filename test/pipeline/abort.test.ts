import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/config-file.js";
import { prepareRun } from "../../src/pipeline/plan.js";
import { streamBuild } from "../../src/pipeline/stream-build.js";
import { DEMO, DEMO_CONFIG } from "../e2e/cli.js";

/** A run stops where its signal says, on this thread and with build workers alike (a job's cancel). */
async function demoRun() {
  const config = await loadConfigFile(DEMO_CONFIG);
  return prepareRun({ file: join(DEMO, "catalog.csv"), options: config.catalog?.options }, [
    { id: "google", mappingFile: config.channels?.google?.mapping },
  ]);
}

describe("runs honour their AbortSignal", () => {
  for (const workers of [0, 1]) {
    it(`the build stops after the batch in which it was aborted (${workers} workers)`, async () => {
      const run = await demoRun();
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
