import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RecordBatch } from "../sources/source.js";
import type { BatchOutput, BuildSpec } from "./build.js";
import { createBatchBuilder } from "./build.js";

/** Runs batches through the build, inline or on worker threads; results come back per batch. */
export interface BatchRunner {
  run(batch: RecordBatch): Promise<BatchOutput>;
  /** Batches worth keeping in flight for this runner to stay busy. */
  readonly capacity: number;
  close(): Promise<void>;
}

export type WorkerRequest = { id: number; batch: RecordBatch };
export type WorkerReply = { id: number; output: BatchOutput } | { id: number; error: string };

/** The single-thread path: the build runs on the calling thread. */
export function inlineRunner(spec: BuildSpec): BatchRunner {
  const build = createBatchBuilder(spec);
  return {
    capacity: 1,
    run: (batch) => Promise.resolve(build(batch)),
    close: () => Promise.resolve(),
  };
}

const DEFAULT_WORKER_SCRIPT = fileURLToPath(new URL("./build-worker.js", import.meta.url));

interface Pending {
  resolve: (output: BatchOutput) => void;
  reject: (error: Error) => void;
}

/**
 * The parallel path: `size` worker threads, each compiling the mappings once and building the
 * batches it is given. Batches go to the worker with the fewest in flight; the caller restores
 * catalog order by awaiting results in submission order.
 */
export async function workerRunner(
  spec: BuildSpec,
  size: number,
  workerScript: string = DEFAULT_WORKER_SCRIPT,
): Promise<BatchRunner> {
  const workers: Worker[] = [];
  const load = new Map<Worker, number>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure ??= error;
    for (const [id, entry] of pending) {
      entry.reject(error);
      pending.delete(id);
    }
  };

  const startWorker = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerScript, { workerData: spec });
      worker.once("message", (message: { ready: true } | { error: string }) => {
        if ("error" in message) reject(new Error(message.error));
        else resolve(worker);
      });
      worker.once("error", reject);
    });

  try {
    for (let index = 0; index < size; index += 1) workers.push(await startWorker());
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }

  for (const worker of workers) {
    load.set(worker, 0);
    worker.on("message", (reply: WorkerReply) => {
      const entry = pending.get(reply.id);
      if (!entry) return;
      pending.delete(reply.id);
      load.set(worker, (load.get(worker) ?? 1) - 1);
      if ("error" in reply) entry.reject(new Error(reply.error));
      else entry.resolve(reply.output);
    });
    worker.on("error", (error) => failAll(error));
    worker.on("exit", (code) => {
      if (code !== 0) failAll(new Error(`build worker exited with code ${code}`));
    });
  }

  return {
    capacity: size * 4,
    run(batch) {
      if (failure) return Promise.reject(failure);
      let target = workers[0]!;
      for (const worker of workers) if ((load.get(worker) ?? 0) < (load.get(target) ?? 0)) target = worker;
      const id = nextId++;
      load.set(target, (load.get(target) ?? 0) + 1);
      return new Promise<BatchOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        target.postMessage({ id, batch } satisfies WorkerRequest);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
