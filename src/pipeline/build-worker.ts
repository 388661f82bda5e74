import { parentPort, workerData } from "node:worker_threads";
import { transferablesOf } from "../feeds/encoded-entries.js";
import type { BatchOutput, BuildSpec } from "./build.js";
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
    // The encoded feed entries move to the main thread without a copy.
    port.postMessage(reply, "output" in reply ? transferListOf(reply.output) : []);
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
}

function transferListOf(output: BatchOutput): ArrayBuffer[] {
  return Object.values(output.channels).flatMap((channel) =>
    Object.values(channel?.feeds ?? {}).flatMap(transferablesOf),
  );
}
