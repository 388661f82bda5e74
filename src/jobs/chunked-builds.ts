import type { Job } from "bullmq";
import { WaitingChildrenError } from "bullmq";
import type { ConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import { assembleChunks, checkChunkSpools } from "../pipeline/chunk-assembly.js";
import { BuildPools, buildChunk } from "../pipeline/chunk-build.js";
import type { ChunkPlan } from "../pipeline/chunk-plan.js";
import { ChunkPlanSchema, planChunks } from "../pipeline/chunk-plan.js";
import { chunkSpoolFile, chunkSpoolFiles, removeStaleChunkSpools } from "../pipeline/chunk-spool.js";
import { runExport } from "../pipeline/export.js";
import type { PayloadInput, PayloadOf } from "./payloads.js";
import type { ProcessorContext } from "./processors.js";
import { exportRunOf } from "./processors.js";
import type { JobQueues } from "./queues.js";
import { jobOptionsOf } from "./queues.js";
import type { JobReport } from "./run-record.js";
import { buildFeedsReport } from "./run-record.js";

/** Batches per chunk job unless `build.chunk_batches` says otherwise: 50,000 variants at 100 a batch. */
export const DEFAULT_CHUNK_BATCHES = 500;

/**
 * Builds of feeds in worker processes, as a BullMQ flow (ADR 18): the parent job plans chunks of
 * the catalog; a catalog of one chunk is exported at once, a larger one becomes one child job per
 * chunk, taken by any worker of the installation on any machine; when every child is done the
 * parent resumes and assembles the feeds through the same export as the CLI.
 */
export interface ChunkedBuilds {
  /** A `build-feeds` job: plan, then chunk children and assembly, or a plain export for one chunk. */
  build(job: Job, token: string | undefined, payload: PayloadOf<"build-feeds">): Promise<JobReport>;
  /** A `build-chunk` job: one chunk into its spool, on this process's build threads. */
  buildChunk(payload: PayloadOf<"build-chunk">, workerId: string): Promise<JobReport>;
  /** Closes the build threads; call it once no job runs. */
  close(): Promise<void>;
}

export function openChunkedBuilds(options: {
  queues: JobQueues;
  config: ConfigFile;
  context: ProcessorContext;
}): ChunkedBuilds {
  const { queues, config, context } = options;
  // One set of build threads per process, shared by every chunk job it runs (ADR 18, point 5).
  let pools: BuildPools | undefined;
  const poolsFor = (workers: number | undefined): BuildPools => (pools ??= new BuildPools({ workers }));

  async function start(job: Job, token: string, payload: PayloadOf<"build-feeds">): Promise<JobReport> {
    const { request, run, options: exportOptions } = await exportRunOf(payload, context);
    // A store's catalog is read once, through its import spool, and built here in one piece:
    // chunk jobs would each read the store again (adr/0025).
    if (run.catalog.kind === "store") return buildFeedsReport(await runExport(run, exportOptions));
    await removeStaleChunkSpools(request.outDir);
    const plan = await planChunks(run, {
      batchSize: request.batchSize,
      chunkBatches: config.build?.chunk_batches ?? DEFAULT_CHUNK_BATCHES,
      signal: context.signal,
    });
    if (plan.chunks.length <= 1) {
      // Nothing to share out: the catalog is built here, as `omnifeed export` builds it.
      return buildFeedsReport(await runExport(run, exportOptions));
    }
    const runId = job.id ?? `${payload.name}-${Date.now()}`;
    // What the parent resumes with, possibly on another worker.
    const resumed = { ...payload, step: "assemble" as const, plan, runId, startedAt: Date.now() };
    await job.updateData(resumed satisfies PayloadInput<"build-feeds">);
    await addChunkJobs(
      job,
      payload,
      plan,
      runId,
      plan.chunks.map((chunk) => chunk.index),
    );
    return waitForChildren(job, token, () => assemble(job, token, resumed));
  }

  async function assemble(job: Job, token: string, payload: PayloadOf<"build-feeds">): Promise<JobReport> {
    const parsed = ChunkPlanSchema.safeParse(payload.plan);
    if (!parsed.success || payload.runId === undefined) {
      throw new OmnifeedError("config", `job ${job.id ?? "?"}: the assembly step has no usable chunk plan`);
    }
    const plan = parsed.data;
    const runId = payload.runId;
    const { request, run, options: exportOptions } = await exportRunOf(payload, context);
    const spools = chunkSpoolFiles(request.outDir, runId, plan);
    const faults = await checkChunkSpools(plan, spools);
    if (faults.length > 0) {
      // Every chunk job said it was done, yet a spool is not here: another machine wrote it to a
      // folder this one does not see, or it was removed. Built once more, here or elsewhere.
      if (payload.rebuilt === job.attemptsMade) {
        throw new OmnifeedError(
          "conflict",
          `chunks ${faults.map((fault) => `${fault.index} (${fault.problem})`).join(", ")} were built but their spools are not in ${request.outDir}: do all workers share output.dir?`,
        );
      }
      const retried = { ...payload, rebuilt: job.attemptsMade };
      await job.updateData(retried satisfies PayloadInput<"build-feeds">);
      await addChunkJobs(
        job,
        payload,
        plan,
        runId,
        faults.map((fault) => fault.index),
        `a${job.attemptsMade}`,
      );
      return waitForChildren(job, token, () => assemble(job, token, retried));
    }
    const result = await assembleChunks(run, plan, spools, exportOptions);
    const report = buildFeedsReport(result);
    const workers = await chunkWorkersOf(job);
    return {
      ...report,
      summary: `${report.summary} · ${plan.chunks.length} chunks on ${workers} worker${workers === 1 ? "" : "s"}`,
    };
  }

  /** Queues the chunk jobs of `indexes` as children of `job`, with ids that make a re-add a no-op. */
  async function addChunkJobs(
    job: Job,
    payload: PayloadOf<"build-feeds">,
    plan: ChunkPlan,
    runId: string,
    indexes: readonly number[],
    round = "",
  ): Promise<void> {
    const lane = queues.byLane.bulk;
    const base = jobOptionsOf(config);
    await lane.addBulk(
      indexes.map((index) => ({
        name: "build-chunk",
        data: {
          name: payload.name,
          ...(payload.channels ? { channels: payload.channels } : {}),
          plan,
          index,
          runId,
        } satisfies PayloadInput<"build-chunk">,
        opts: {
          ...base,
          jobId: `${job.id ?? runId}:chunk:${index}${round ? `:${round}` : ""}`,
          parent: { id: job.id ?? runId, queue: job.queueQualifiedName },
          // A chunk that fails for good fails its build: the feeds would be missing items.
          failParentOnFailure: true,
        },
      })),
    );
  }

  return {
    async build(job, token, payload) {
      if (token === undefined) throw new OmnifeedError("transient", "a build job needs its lock token");
      return payload.step === "assemble" ? assemble(job, token, payload) : start(job, token, payload);
    },
    async buildChunk(payload, workerId) {
      const plan = ChunkPlanSchema.parse(payload.plan);
      const { request, run } = await exportRunOf(payload, context);
      const summary = await poolsFor(request.workers).use(run, (runner) =>
        buildChunk(run, plan, payload.index, {
          spoolFile: chunkSpoolFile(request.outDir, payload.runId, payload.index),
          runner,
          signal: context.signal,
        }),
      );
      return {
        outcome: "succeeded",
        summary: `chunk ${payload.index + 1} of ${plan.chunks.length}: ${summary.variants.toLocaleString("en-US")} variants in ${(summary.durationMs / 1000).toFixed(1)} s by ${workerId}`,
        channels: [],
      };
    },
    async close() {
      await pools?.close();
    },
  };
}

/**
 * Parks the parent until its children are done. BullMQ resumes it later, possibly on another
 * worker, with the data written before; when every child is already done it goes on here.
 */
async function waitForChildren(job: Job, token: string, goOn: () => Promise<JobReport>): Promise<JobReport> {
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
  return goOn();
}

/** How many worker processes built the parent's chunks (each chunk's summary names its worker). */
async function chunkWorkersOf(job: Job): Promise<number> {
  const values = await job.getChildrenValues<string>();
  const workers = new Set(
    Object.values(values).map((summary) => / by (\S+)$/.exec(String(summary))?.[1] ?? "?"),
  );
  return workers.size;
}
