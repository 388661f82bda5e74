import type { RowIssue } from "../core/issues.js";
import type { ReportedItemIssue } from "./build.js";
import type { PreparedRun } from "./plan.js";
import type { RunSummary } from "./run-report.js";
import { RunReport } from "./run-report.js";
import type { BuildRunOptions } from "./stream-build.js";
import { streamBuild } from "./stream-build.js";

export interface ValidateResult {
  summary: RunSummary;
  /** True when no row and no item has an error. */
  clean: boolean;
}

/**
 * The validate use case: the whole build without writing feeds. Every issue is handed to
 * `onIssues` as it is found, in catalog order; reading waits for it, so the caller can write them
 * out at the pace of its output without holding them.
 */
export async function runValidate(
  run: PreparedRun,
  options: Omit<BuildRunOptions, "withFeeds">,
  onIssues: (rowIssues: readonly RowIssue[], itemIssues: readonly ReportedItemIssue[]) => Promise<void>,
): Promise<ValidateResult> {
  const report = new RunReport(
    run.catalog.file,
    run.catalog.format,
    run.channels.map(({ channel }) => channel.id),
  );
  await streamBuild(run, { ...options, withFeeds: false }, (output) => {
    report.add(output);
    return onIssues(
      output.rowIssues,
      Object.values(output.channels).flatMap((channel) => channel?.issues ?? []),
    );
  });
  return { summary: report.summary([]), clean: report.rowErrors === 0 && report.rejected === 0 };
}
