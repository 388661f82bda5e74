// A build worker whose batches throw: `{ kind }` throws an OmnifeedError of that kind, `{ kind:
// "plain" }` a TypeError. Started with workerData `{ failAtStart: kind }`, it fails while starting.
// It serves batches with the real pool protocol of the built code (`npm test` builds first).
import { parentPort, workerData } from "node:worker_threads";
import { OmnifeedError } from "../../dist/core/errors.js";
import { serveBatches } from "../../dist/pipeline/worker-pool.js";

if (!parentPort) throw new Error("must run as a worker thread");

function fail(kind) {
  if (kind === "plain") throw new TypeError("not an omnifeed error");
  throw new OmnifeedError(kind, `thrown in a worker`, { where: "worker.csv:7", retryAfterMs: 1500 });
}

serveBatches(parentPort, () => {
  if (workerData?.failAtStart) fail(workerData.failAtStart);
  return (batch) => fail(batch.kind);
});
