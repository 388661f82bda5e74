import { OmnifeedError, isOmnifeedError } from "../core/errors.js";
import type { ChannelId } from "../core/ids.js";
import type { ExportOptions } from "../pipeline/export.js";
import { openPublishEnvironment } from "../pipeline/publish-environment.js";
import { runPublish } from "../pipeline/publish.js";
import { runReconcile } from "../pipeline/reconcile.js";
import {
  CommonFlagsSchema,
  ExportFlagsSchema,
  PublishFlagsSchema,
  resolveCommonRun,
  resolveExportRun,
  resolvePublishRun,
} from "../pipeline/run-request.js";
import type { ExportRun } from "../pipeline/run-request.js";
import type { PreparedRun } from "../pipeline/plan.js";
import { prepareRun } from "../pipeline/plan.js";
import { runValidate } from "../pipeline/validate.js";
import type { PayloadOf } from "./payloads.js";
import type { JobQueues } from "./queues.js";
import type { JobReport } from "./run-record.js";
import { importReport, publishReport, reconcileReport, stockReport } from "./run-record.js";
import { propagateSale } from "../pipeline/stock-publish.js";

/**
 * The job processors: thin (STYLE.md rule 11). Each resolves its run from the worker's config
 * file exactly as the CLI resolves it from flags, calls the same use case, and reports what
 * happened in the run history's terms.
 */
export interface ProcessorContext {
  /** The installation's omnifeed.config.yaml (the worker's `--config`). */
  configFile: string;
  /** Aborted when the worker shuts down and the job must be handed back. */
  signal: AbortSignal;
  /** The installation's queues, for jobs that queue follow-up work (an import's `stock` job). */
  queues?: Pick<JobQueues, "enqueue"> | undefined;
}

function channelFlag(channels: readonly ChannelId[] | undefined): { channel?: string } {
  return channels ? { channel: channels.join(",") } : {};
}

/** `import`: reads the catalog and checks every item against each channel; writes nothing. */
export async function importCatalog(
  payload: PayloadOf<"import">,
  context: ProcessorContext,
): Promise<JobReport> {
  const request = await resolveCommonRun(
    CommonFlagsSchema.parse({ config: context.configFile, ...channelFlag(payload.channels) }),
  );
  const run = await prepareRun(request.catalog, request.channels);
  const result = await runValidate(
    run,
    { workers: request.workers, batchSize: request.batchSize, signal: context.signal },
    () => Promise.resolve(),
  );
  return importReport(result);
}

/** A feed build's run (`build-feeds`, and each chunk of one), resolved from the worker's config exactly as `omnifeed export` resolves flags. */
export async function exportRunOf(
  payload: { channels?: readonly ChannelId[] | undefined; force?: boolean | undefined },
  context: ProcessorContext,
): Promise<{ request: ExportRun; run: PreparedRun; options: ExportOptions }> {
  const request = await resolveExportRun(
    ExportFlagsSchema.parse({
      config: context.configFile,
      force: payload.force ?? false,
      ...channelFlag(payload.channels),
    }),
  );
  const run = await prepareRun(request.catalog, request.channels, request.feeds);
  const options: ExportOptions = {
    outDir: request.outDir,
    gzip: request.gzip,
    maxShrink: request.maxShrink,
    force: request.force,
    allowEmpty: request.allowEmpty,
    strict: request.strict,
    workers: request.workers,
    batchSize: request.batchSize,
    signal: context.signal,
  };
  return { request, run, options };
}

/** Workers keep publishing state in Redis whatever `state.backend` says: every machine shares it. */
async function publishRequest(
  context: ProcessorContext,
  payload: { channels?: ChannelId[] | undefined; force: boolean; fix?: boolean },
) {
  const request = await resolvePublishRun(
    PublishFlagsSchema.parse({
      config: context.configFile,
      state: "redis",
      force: payload.force,
      fix: payload.fix ?? false,
      ...channelFlag(payload.channels),
    }),
  );
  return { request, run: await prepareRun(request.catalog, request.channels) };
}

/** `publish`: the delta publish of `omnifeed publish`, state and token buckets in Redis. */
export async function publishChannels(
  payload: PayloadOf<"publish">,
  context: ProcessorContext,
): Promise<JobReport> {
  const { request, run } = await publishRequest(context, payload);
  const environment = await openPublishEnvironment(request.state);
  try {
    const result = await runPublish(run, {
      store: environment.store,
      workspace: request.state.workspace,
      dryRun: false,
      force: request.force,
      maxShrink: request.maxShrink,
      limiterFor: environment.limiterFor,
      stockHolds: environment.stockHolds,
      workers: request.workers,
      batchSize: request.batchSize,
      signal: context.signal,
    });
    return publishReport(result);
  } finally {
    await environment.close();
  }
}

/** `reconcile`: what `omnifeed reconcile [--fix]` does. */
export async function reconcileChannels(
  payload: PayloadOf<"reconcile">,
  context: ProcessorContext,
): Promise<JobReport> {
  const { request, run } = await publishRequest(context, payload);
  const environment = await openPublishEnvironment(request.state);
  try {
    const result = await runReconcile(run, {
      store: environment.store,
      workspace: request.state.workspace,
      fix: payload.fix,
      force: request.force,
      maxShrink: request.maxShrink,
      limiterFor: environment.limiterFor,
      stockHolds: environment.stockHolds,
      workers: request.workers,
      batchSize: request.batchSize,
      signal: context.signal,
    });
    return reconcileReport(result);
  } finally {
    await environment.close();
  }
}

/** `stock`: an imported order's sale, pushed to every channel but the one it came from (fast lane). */
export async function pushSaleStock(
  payload: PayloadOf<"stock">,
  context: ProcessorContext,
): Promise<JobReport> {
  const { request, run } = await publishRequest(context, { channels: payload.channels, force: false });
  const environment = await openPublishEnvironment(request.state);
  try {
    const result = await pushUnlessLocked(() =>
      propagateSale(
        run,
        {
          sold: payload.sold,
          orderKey: payload.orderKey,
          fromChannel: payload.fromChannel,
          soldAt: payload.soldAt,
        },
        {
          store: environment.store,
          stockHolds: environment.stockHolds,
          workspace: request.state.workspace,
          limiterFor: environment.limiterFor,
          signal: context.signal,
        },
      ),
    );
    return stockReport(result);
  } finally {
    await environment.close();
  }
}

/**
 * A full publish of the same account holds its lock for as long as it sends; the sale's holds are
 * recorded by then, so the push is tried again with backoff (`transient`) rather than given up
 * (`conflict`): it sends what that publish, built before the sale, did not know.
 */
async function pushUnlessLocked<T>(push: () => Promise<T>): Promise<T> {
  try {
    return await push();
  } catch (error) {
    if (!isOmnifeedError(error, "conflict")) throw error;
    throw new OmnifeedError("transient", `${error.message}; the stock push is tried again`);
  }
}
