import { join } from "node:path";
import type { FinishedFeed } from "../feeds/feed-writer.js";
import { FeedWriter } from "../feeds/feed-writer.js";
import type { PublishOutcome } from "../feeds/publish.js";
import { readManifest } from "../feeds/manifest.js";
import { prepareOutputDir } from "../feeds/output-dir.js";
import { discardFeeds, publishFeeds } from "../feeds/publish.js";
import { commitTempFile, removeStaleTempFiles, tempPathFor, writeTempFile } from "../feeds/temp-file.js";
import { IssuesFile } from "./issues-file.js";
import type { PreparedRun } from "./plan.js";
import { checkFeedSettings } from "./plan.js";
import type { ChannelSummary, RunSummary } from "./run-report.js";
import { RunReport } from "./run-report.js";
import { oneItemPerKey } from "./duplicate-keys.js";
import type { BuildRunOptions, OutputProducer } from "./stream-build.js";
import { buildBatches } from "./stream-build.js";

export const REPORT_FILE = "omnifeed-report.json";
export const ISSUES_FILE = "omnifeed-issues.jsonl";

export interface ExportOptions extends Omit<BuildRunOptions, "withFeeds"> {
  outDir: string;
  gzip: boolean;
  /** Largest share (0…1) of a published feed's entries a new run may drop. */
  maxShrink: number;
  force: boolean;
  /** Publish feeds without entries; otherwise such a feed writes no file. */
  allowEmpty: boolean;
  /** Publish nothing when any row or item has an error. */
  strict: boolean;
}

export type ExportStatus = "published" | "held" | "strict_failed";

export interface ExportResult {
  status: ExportStatus;
  summary: RunSummary;
  workers: number;
  durationMs: number;
  reportFile: string;
  issuesFile: string;
}

/**
 * The export use case: catalog → feeds in `outDir`. Feeds are written to temp files while the
 * catalog streams, then published together: atomically renamed, each past the shrink guard.
 *
 * `produce` makes the batch outputs, in catalog order: by default the build streamed from the
 * catalog; a chunked build reads them back from its chunks' spools (`assembleChunks`). Everything
 * after it — one item per key, feeds, report, issues, publish — is this one code path.
 */
export async function runExport(
  run: PreparedRun,
  options: ExportOptions,
  produce: OutputProducer = (consume) => buildBatches(run, { ...options, withFeeds: true }, consume),
): Promise<ExportResult> {
  const started = performance.now();
  checkFeedSettings(run);
  await prepareOutputDir(options.outDir);
  await removeStaleTempFiles(options.outDir);
  // An unreadable manifest would stop the publish: find out before building anything.
  await readManifest(options.outDir);

  const report = new RunReport(
    run.catalog.file,
    run.catalog.format,
    run.channels.map(({ channel }) => channel.id),
  );
  const issues = new IssuesFile(join(options.outDir, ISSUES_FILE));
  const writers = run.channels.flatMap(({ mapping, feeds }) =>
    feeds.map(
      (feed) =>
        new FeedWriter(feed, mapping.settings, mapping.fieldNames, {
          dir: options.outDir,
          gzip: options.gzip,
        }),
    ),
  );

  let finished: FinishedFeed[] = [];
  let workers: number;
  try {
    for (const writer of writers) await writer.start();
    const keyed = oneItemPerKey(run, async (output) => {
      report.add(output);
      const itemIssues = Object.values(output.channels).flatMap((channel) => channel?.issues ?? []);
      await issues.add(output.rowIssues, itemIssues);
      for (const writer of writers) {
        for (const channel of Object.values(output.channels)) {
          const entries = channel?.feeds[writer.feedId];
          if (entries) await writer.write(entries);
        }
      }
    });
    ({ workers } = await produce(keyed.consume));
    await keyed.finish();
    for (const writer of writers) finished.push(await writer.finish());
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort()));
    await discardFeeds(finished);
    await issues.discard();
    throw error;
  }

  let status: ExportStatus;
  let outcomes: PublishOutcome[] = [];
  if (options.strict && (report.rowErrors > 0 || report.rejected > 0)) {
    await discardFeeds(finished);
    finished = [];
    status = "strict_failed";
  } else {
    const channels = report.summary([]).channels;
    try {
      outcomes = await publishFeeds(options.outDir, finished, {
        maxShrink: options.maxShrink,
        force: options.force,
        allowEmpty: options.allowEmpty,
        whyEmpty: (feedId) => whyEmpty(channels.find((entry) => feedId.startsWith(`${entry.channel}-`))),
      });
    } catch (error) {
      // Feeds not yet renamed into place when the publish failed leave no temp files behind.
      await discardFeeds(finished);
      await issues.discard();
      throw error;
    }
    status = outcomes.some((outcome) => outcome.status === "held") ? "held" : "published";
  }
  await issues.commit();

  const summary = report.summary(outcomes);
  const durationMs = Math.round(performance.now() - started);
  const reportFile = join(options.outDir, REPORT_FILE);
  const reportTemp = tempPathFor(reportFile);
  await writeTempFile(
    reportTemp,
    `${JSON.stringify({ status, durationMs, workers, ...summary }, null, 2)}\n`,
  );
  await commitTempFile(reportTemp, reportFile);
  return { status, summary, workers, durationMs, reportFile, issuesFile: join(options.outDir, ISSUES_FILE) };
}

/** Why a channel's feeds have no entries, in the words of its summary. */
function whyEmpty(channel: ChannelSummary | undefined): string {
  if (!channel || channel.read === 0) return "no variant reached the channel";
  if (channel.filtered === channel.read) return "every item was filtered out";
  if (channel.filtered === 0) return "every item was rejected";
  return "every item was rejected or filtered out";
}
