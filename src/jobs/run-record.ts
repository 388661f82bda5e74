import type { ExportResult } from "../pipeline/export.js";
import type { PublishResult } from "../pipeline/publish.js";
import type { ReconcileResult } from "../pipeline/reconcile.js";
import type { StockPushResult } from "../pipeline/stock-publish.js";
import type { ChannelSummary } from "../pipeline/run-report.js";
import type { ValidateResult } from "../pipeline/validate.js";
import type { ChannelRunStats, RunOutcome, RunPublishCounts } from "../sync/run-history.js";
import type { ExecutionResult } from "../sync/publish-executor.js";

/** What a processor hands back: how the run ended and what it did, in the run history's terms. */
export interface JobReport {
  outcome: Extract<RunOutcome, "succeeded" | "held" | "incomplete">;
  summary: string;
  channels: ChannelRunStats[];
}

const ISSUES_KEPT = 10;

/** A channel's build figures (accepted, rejected, filtered, top issues) from the run summary. */
export function channelStatsOf(summary: ChannelSummary): ChannelRunStats {
  return {
    channel: summary.channel,
    read: summary.read,
    accepted: summary.accepted,
    rejected: summary.rejected,
    filtered: summary.filtered,
    warned: summary.warned,
    issues: summary.issues.slice(0, ISSUES_KEPT).map((issue) => ({
      code: issue.code,
      severity: issue.severity,
      ...(issue.field === undefined ? {} : { field: issue.field }),
      count: issue.count,
      examples: examplesOf(issue),
    })),
  };
}

function examplesOf(issue: ChannelSummary["issues"][number]): { sku: string; message: string }[] {
  const several = (issue as { examples?: { sku: string; message: string }[] }).examples;
  return several && several.length > 0 ? several.slice(0, 3) : [issue.example];
}

export function importReport(result: ValidateResult): JobReport {
  const channels = result.summary.channels.map(channelStatsOf);
  const { catalog } = result.summary;
  return {
    outcome: "succeeded",
    summary: `${count(catalog.variants, "variant")} read, ${count(catalog.rowErrors, "row error")} · ${channels.map(describeBuild).join(" · ")}`,
    channels,
  };
}

export function buildFeedsReport(result: ExportResult): JobReport {
  const channels = result.summary.channels.map(channelStatsOf);
  const held = result.summary.feeds.filter((feed) => feed.status === "held").map((feed) => feed.feedId);
  const published = result.summary.feeds.filter((feed) => feed.status === "published").length;
  const feeds =
    held.length > 0
      ? `held by the shrink guard: ${held.join(", ")}`
      : `${count(published, "feed")} published`;
  return {
    outcome: result.status === "published" ? "succeeded" : "held",
    summary: `${channels.map(describeBuild).join(" · ")} · ${feeds}`,
    channels,
  };
}

export function publishReport(result: PublishResult): JobReport {
  const builds = new Map(
    result.summary.channels.map((summary) => [summary.channel, channelStatsOf(summary)]),
  );
  const channels = result.channels.map((plan): ChannelRunStats => {
    const build = builds.get(plan.channel) ?? emptyStats(plan.channel);
    return { ...build, publish: publishCountsOf(plan.counts, plan.deletesHeld, plan.execution) };
  });
  return {
    outcome: result.status === "held" ? "held" : result.status === "incomplete" ? "incomplete" : "succeeded",
    summary: channels.map(describePublish).join(" · "),
    channels,
  };
}

export function reconcileReport(result: ReconcileResult): JobReport {
  const channels = result.channels.map((entry): ChannelRunStats => {
    const { missing, orphaned, drifted, rejected } = entry.counts;
    return {
      ...emptyStats(entry.channel),
      read: entry.counts.intended,
      accepted: entry.counts.inStep,
      rejected,
      ...(entry.execution
        ? {
            publish: publishCountsOf(
              {
                creates: missing,
                updates: drifted,
                deletes: orphaned,
                unchanged: entry.counts.inStep,
                deferred: 0,
              },
              entry.deletesHeld,
              entry.execution,
            ),
          }
        : {}),
    };
  });
  const findings = result.channels.map(
    ({ channel, counts }) =>
      `${channel}: ${counts.missing} missing, ${counts.orphaned} orphaned, ${counts.drifted} drifted, ${counts.rejected} rejected`,
  );
  return {
    outcome: result.status === "held" ? "held" : "succeeded",
    summary: findings.join(" · "),
    channels,
  };
}

export function stockReport(result: StockPushResult): JobReport {
  const channels = result.channels.map((entry): ChannelRunStats => ({
    ...emptyStats(entry.channel),
    read: result.skus.length - result.missing.length,
    publish: publishCountsOf(
      { creates: 0, updates: entry.updates, deletes: 0, unchanged: entry.unchanged, deferred: 0 },
      false,
      entry.execution,
    ),
  }));
  const failed = channels.some((entry) => (entry.publish?.failed ?? 0) > 0);
  const missing = result.missing.length > 0 ? ` · not in the catalog: ${result.missing.join(", ")}` : "";
  const skipped = result.skipped ? ` · ${result.skipped} left out (the sale's origin)` : "";
  return {
    outcome: failed ? "incomplete" : "succeeded",
    summary: `stock of ${result.skus.join(", ")}: ${channels.map(describePublish).join(" · ")}${skipped}${missing}`,
    channels,
  };
}

function publishCountsOf(
  counts: { creates: number; updates: number; deletes: number; unchanged: number; deferred: number },
  deletesHeld: boolean,
  execution: ExecutionResult | undefined,
): RunPublishCounts {
  const outcomes = execution?.outcomes;
  return {
    created: outcomes?.create.accepted ?? 0,
    updated: outcomes?.update.accepted ?? 0,
    deleted: outcomes?.delete.accepted ?? 0,
    unchanged: counts.unchanged,
    rejected: outcomes ? outcomes.create.rejected + outcomes.update.rejected + outcomes.delete.rejected : 0,
    failed: outcomes ? outcomes.create.failed + outcomes.update.failed + outcomes.delete.failed : 0,
    deferred: counts.deferred,
    deletesHeld,
    topReasons: (execution?.topReasons ?? []).map((reason) => ({
      reason: `${reason.code}: ${reason.message}`,
      count: reason.items,
    })),
  };
}

function emptyStats(channel: string): ChannelRunStats {
  return { channel, read: 0, accepted: 0, rejected: 0, filtered: 0, warned: 0, issues: [] };
}

function describeBuild(stats: ChannelRunStats): string {
  return `${stats.channel}: ${number(stats.accepted)} accepted, ${number(stats.rejected)} rejected, ${number(stats.filtered)} filtered`;
}

function describePublish(stats: ChannelRunStats): string {
  const publish = stats.publish;
  if (!publish) return describeBuild(stats);
  const parts = [
    `${number(publish.created)} created`,
    `${number(publish.updated)} updated`,
    `${number(publish.deleted)} deleted`,
    `${number(publish.rejected)} refused`,
  ];
  if (publish.failed > 0) parts.push(`${number(publish.failed)} failed`);
  if (publish.deferred > 0) parts.push(`${number(publish.deferred)} deferred by budget`);
  if (publish.deletesHeld) parts.push("deletes held");
  return `${stats.channel}: ${parts.join(", ")}`;
}

function number(value: number): string {
  return value.toLocaleString("en-US");
}

function count(value: number, noun: string): string {
  return `${number(value)} ${noun}${value === 1 ? "" : "s"}`;
}
