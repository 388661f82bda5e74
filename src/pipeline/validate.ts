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
 * `onIssues` as it is found, in catalog order, so the caller can print or collect them.
 */
export async function runValidate(
  run: PreparedRun,
  options: Omit<BuildRunOptions, "withFeeds">,
  onIssues: (rowIssues: readonly RowIssue[], itemIssues: readonly ReportedItemIssue[]) => void,
): Promise<ValidateResult> {
  const report = new RunReport(
    run.catalog.file,
    run.catalog.format,
    run.channels.map(({ channel }) => channel.id),
  );
  await streamBuild(run, { ...options, withFeeds: false }, (output) => {
    report.add(output);
    onIssues(
      output.rowIssues,
      Object.values(output.channels).flatMap((channel) => channel?.issues ?? []),
    );
    return Promise.resolve();
  });
  return { summary: report.summary([]), clean: report.rowErrors === 0 && report.rejected === 0 };
}
