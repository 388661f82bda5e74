import { fileURLToPath } from "node:url";
import { Worker, type MessagePort, type ResourceLimits } from "node:worker_threads";
import { fromErrorData, toErrorData, type ErrorData } from "../core/errors.js";
import type { ChannelId } from "../core/ids.js";
import type { CompiledMapping } from "../mapping/types.js";
import type { SourceDecoder } from "../sources/decoders.js";
import type { RecordBatch } from "../sources/source.js";
import type { BatchOutput, BuildSpec } from "./build.js";
import { createBatchBuilder } from "./build.js";

/** Runs batches through the build, inline or on worker threads; results come back per batch. */
export interface BatchRunner {
  run(batch: RecordBatch): Promise<BatchOutput>;
  /** Batches worth keeping in flight for this runner to stay busy. */
  readonly capacity: number;
  /** Workers dropped after running out of memory; their batches were built on the main thread. */
  readonly workersLost: number;
  close(): Promise<void>;
}

export type WorkerRequest = { id: number; batch: RecordBatch };
// Errors cross as data: structured clone would drop an OmnifeedError's kind (core/errors.ts).
export type WorkerReply = { id: number; output: BatchOutput } | { id: number; error: ErrorData };
export type WorkerStartup = { ready: true } | { error: ErrorData };

/**
 * The worker's side of the pool: builds each batch it is sent and replies with the output or the
 * error as data. `start` runs once (compiling the mappings); if it throws, the pool is told so.
 */
export function serveBatches(
  port: MessagePort,
  start: () => (batch: RecordBatch) => BatchOutput,
  transferListOf: (output: BatchOutput) => ArrayBuffer[] = () => [],
): void {
  let build: (batch: RecordBatch) => BatchOutput;
  try {
    build = start();
  } catch (error) {
    port.postMessage({ error: toErrorData(error) } satisfies WorkerStartup);
    return;
  }
  port.on("message", ({ id, batch }: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id, output: build(batch) };
    } catch (error) {
      reply = { id, error: toErrorData(error) };
    }
    // The encoded feed entries move to the main thread without a copy.
    port.postMessage(reply, "output" in reply ? transferListOf(reply.output) : []);
  });
  port.postMessage({ ready: true } satisfies WorkerStartup);
}

/** The single-thread path: the build runs on the calling thread, with mappings compiled there. */
export function inlineRunner(
  spec: BuildSpec,
  compiled?: ReadonlyMap<ChannelId, CompiledMapping>,
  decoder?: SourceDecoder,
): BatchRunner {
  const build = createBatchBuilder(spec, compiled, decoder);
  return {
    capacity: 1,
    workersLost: 0,
    // A build error becomes a rejected promise, never a throw in the caller's event handler.
    run: (batch) => new Promise((resolve) => resolve(build(batch))),
    close: () => Promise.resolve(),
  };
}

const DEFAULT_WORKER_SCRIPT = fileURLToPath(new URL("./build-worker.js", import.meta.url));

/**
 * Each worker's old generation is capped: V8 otherwise lets every heap grow well past what a batch
 * needs, and two workers would double the memory of an export (docs/performance.md). A batch that
 * truly needs more — one product with thousands of variants — makes its worker run out of memory;
 * that worker is dropped and its batches are built on the main thread instead, which has no cap.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 80 };
/** Batches in flight per worker: enough to keep it busy while the main thread writes. */
const BATCHES_PER_WORKER = 2;

interface Pending {
  batch: RecordBatch;
  worker: Worker;
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
  options: {
    workerScript?: string | undefined;
    resourceLimits?: ResourceLimits;
    /** Builds on the main thread what a worker had no memory for. */
    fallback?: () => BatchRunner;
  } = {},
): Promise<BatchRunner> {
  const workerScript = options.workerScript ?? DEFAULT_WORKER_SCRIPT;
  const resourceLimits = options.resourceLimits ?? WORKER_LIMITS;
  const fallback = options.fallback ?? (() => inlineRunner(spec));
  const workers: Worker[] = [];
  const load = new Map<Worker, number>();
  const pending = new Map<number, Pending>();
  let inline: BatchRunner | undefined;
  let workersLost = 0;
  let closed = false;
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure ??= error;
    for (const [id, entry] of pending) {
      entry.reject(error);
      pending.delete(id);
    }
  };

  const buildInline = (batch: RecordBatch, resolve: Pending["resolve"], reject: Pending["reject"]): void => {
    inline ??= fallback();
    inline.run(batch).then(resolve, reject);
  };

  // A worker that ran out of memory is dropped; what it had in hand is built here, and a fresh
  // worker takes its place for the batches still to come.
  const dropWorker = (worker: Worker): void => {
    workersLost += 1;
    workers.splice(workers.indexOf(worker), 1);
    load.delete(worker);
    for (const [id, entry] of pending) {
      if (entry.worker !== worker) continue;
      pending.delete(id);
      buildInline(entry.batch, entry.resolve, entry.reject);
    }
    if (!closed) startWorker().then(enlist, () => undefined);
  };

  const startWorker = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerScript, { workerData: spec, resourceLimits });
      worker.once("message", (message: WorkerStartup) => {
        if ("error" in message) reject(fromErrorData(message.error));
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

  function enlist(worker: Worker): void {
    if (closed) {
      void worker.terminate();
      return;
    }
    if (!workers.includes(worker)) workers.push(worker);
    load.set(worker, 0);
    worker.on("message", (reply: WorkerReply) => {
      const entry = pending.get(reply.id);
      if (!entry) return;
      pending.delete(reply.id);
      load.set(worker, (load.get(worker) ?? 1) - 1);
      if ("error" in reply) entry.reject(fromErrorData(reply.error));
      else entry.resolve(reply.output);
    });
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") dropWorker(worker);
      else failAll(error);
    });
    worker.on("exit", (code) => {
      if (code !== 0 && workers.includes(worker)) failAll(new Error(`build worker exited with code ${code}`));
    });
  }
  for (const worker of [...workers]) enlist(worker);

  return {
    capacity: size * BATCHES_PER_WORKER,
    get workersLost() {
      return workersLost;
    },
    run(batch) {
      if (failure) return Promise.reject(failure);
      return new Promise<BatchOutput>((resolve, reject) => {
        let target = workers[0];
        for (const worker of workers) if ((load.get(worker) ?? 0) < (load.get(target!) ?? 0)) target = worker;
        if (!target) {
          buildInline(batch, resolve, reject);
          return;
        }
        const id = nextId++;
        load.set(target, (load.get(target) ?? 0) + 1);
        pending.set(id, { batch, worker: target, resolve, reject });
        // Copied, not transferred: the main thread keeps the batch in case the worker dies.
        target.postMessage({ id, batch } satisfies WorkerRequest);
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
