import { OmnifeedError } from "../core/errors.js";
import { isGzipFile } from "../sources/file-input.js";
import type { ChunkPlan } from "./chunk-plan.js";
import { checkBuildMatches } from "./chunk-plan.js";
import type { SpoolFault } from "./chunk-spool.js";
import { checkSpool, readSpool, removeChunkSpools, spoolFaultError } from "./chunk-spool.js";
import type { ExportOptions, ExportResult } from "./export.js";
import { runExport } from "./export.js";
import type { PreparedRun } from "./plan.js";
import type { OutputProducer } from "./stream-build.js";

export interface AssembleOptions extends ExportOptions {
  /** Leave the spools in place after a successful assembly (they are removed otherwise). */
  keepSpools?: boolean | undefined;
}

/**
 * The chunked build's last step: the same export as `runExport` — one item per key, the feeds,
 * the issues file, the report, the manifest, the shrink guard and the atomic publish — with the
 * batch outputs read back from the chunks' spools, in chunk order, instead of built. Feeds, issues
 * and figures are those of a plain export of the same catalog, byte for byte: both go through the
 * one code path after the outputs are made, and the outputs are the same (the same batches, the
 * same build). `spoolFiles[i]` is chunk `i`'s spool (`chunkSpoolFiles`).
 *
 * Every spool is checked before anything is written: missing, cut-short or foreign spools stop the
 * assembly with one error naming each such chunk (`not_found` when they are all missing, else
 * `conflict`), and `checkChunkSpools` tells which chunks to build again. The spools are removed
 * once the export is done, unless `keepSpools`.
 */
export async function assembleChunks(
  run: PreparedRun,
  plan: ChunkPlan,
  spoolFiles: readonly string[],
  options: AssembleOptions,
): Promise<ExportResult> {
  if (spoolFiles.length !== plan.chunks.length) {
    throw new OmnifeedError(
      "config",
      `the plan has ${plan.chunks.length} chunks but ${spoolFiles.length} spool files were given`,
    );
  }
  await checkBuildMatches(run, plan);
  const faults = await checkChunkSpools(plan, spoolFiles);
  if (faults.length > 0) throw spoolFaultError(faults);

  const { signal, onProgress } = options;
  const totalBytes = (await isGzipFile(run.catalog.file)) ? undefined : plan.catalog.size;
  const readSpools: OutputProducer = async (consume) => {
    let variants = 0;
    for (const chunk of plan.chunks) {
      for await (const output of readSpool(plan, chunk, spoolFiles[chunk.index]!)) {
        signal?.throwIfAborted();
        variants += output.variants;
        await consume(output);
        onProgress?.({ bytesRead: output.bytesRead, totalBytes, variants });
      }
    }
    // Nothing was built here: the chunk jobs did it.
    return { workers: 0 };
  };
  const result = await runExport(run, options, readSpools);
  if (!options.keepSpools) await removeChunkSpools(spoolFiles);
  return result;
}

/** The chunks whose spool is missing, incomplete or not of this plan; empty when all are usable. */
export async function checkChunkSpools(
  plan: ChunkPlan,
  spoolFiles: readonly string[],
): Promise<SpoolFault[]> {
  const faults: SpoolFault[] = [];
  for (const chunk of plan.chunks) {
    const fault = await checkSpool(plan, chunk, spoolFiles[chunk.index]!);
    if (fault) faults.push(fault);
  }
  return faults;
}
