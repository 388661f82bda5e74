import { parentPort, workerData } from "node:worker_threads";
import type { BuildSpec } from "./build.js";
import { createBatchBuilder } from "./build.js";
import type { WorkerReply, WorkerRequest } from "./worker-pool.js";

// A build worker: compiles the mappings once, then builds every batch it receives.
const port = parentPort;
if (!port) throw new Error("build-worker must run as a worker thread");

try {
  const build = createBatchBuilder(workerData as BuildSpec);
  port.on("message", ({ id, batch }: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id, output: build(batch) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
