import { parentPort, workerData } from "node:worker_threads";
import { transferablesOf } from "../feeds/encoded-entries.js";
import type { BatchOutput, BuildSpec } from "./build.js";
import { createBatchBuilder } from "./build.js";
import { serveBatches } from "./worker-pool.js";

// A build worker: compiles the mappings once, then builds every batch it receives.
const port = parentPort;
if (!port) throw new Error("build-worker must run as a worker thread");

serveBatches(port, () => createBatchBuilder(workerData as BuildSpec), transferListOf);

function transferListOf(output: BatchOutput): ArrayBuffer[] {
  return Object.values(output.channels).flatMap((channel) =>
    Object.values(channel?.feeds ?? {}).flatMap(transferablesOf),
  );
}
