import { relative } from "node:path";
import { formatRowIssue } from "../core/issues.js";
import type { PublishOutcome } from "../feeds/publish.js";
import type { ChannelSummary, RunSummary } from "../pipeline/run-report.js";

const ROW_ISSUES_SHOWN = 50;
const ISSUE_CODES_SHOWN = 8;

/** The run summary as a person reads it on a terminal. */
export function formatSummary(
  summary: RunSummary,
  options: { heading: string; rowIssues?: boolean },
): string {
  const { catalog } = summary;
  const lines: string[] = [];
  const problems = [
    `${catalog.rowErrors} row error${catalog.rowErrors === 1 ? "" : "s"}`,
    ...(catalog.rowWarnings > 0
      ? [`${catalog.rowWarnings} warning${catalog.rowWarnings === 1 ? "" : "s"}`]
      : []),
  ];
  lines.push(
    `${options.heading} ${display(catalog.file)} (${catalog.format}): ${catalog.records} records → ` +
      `${catalog.products} products, ${catalog.variants} variants; ${problems.join(", ")}`,
  );
  if (options.rowIssues !== false) {
    for (const issue of summary.rowIssues.slice(0, ROW_ISSUES_SHOWN)) {
      lines.push(`  ${formatRowIssue({ ...issue, file: display(issue.file) })}`);
    }
    const hidden =
      catalog.rowErrors + catalog.rowWarnings - Math.min(summary.rowIssues.length, ROW_ISSUES_SHOWN);
    if (hidden > 0) lines.push(`  … and ${hidden} more row issues`);
  }
  for (const channel of summary.channels) {
    lines.push("", ...formatChannel(channel, summary.feeds));
  }
  return lines.join("\n");
}

function formatChannel(channel: ChannelSummary, feeds: readonly PublishOutcome[]): string[] {
  const lines = [
    `${channel.channel.padEnd(7)} ${channel.read} read · ${channel.filtered} filtered out · ` +
      `${channel.rejected} rejected${channel.duplicates > 0 ? ` (${channel.duplicates} duplicate keys)` : ""} · ` +
      `${channel.accepted} accepted (${channel.warned} with warnings)`,
  ];
  for (const filter of channel.filteredBy) {
    lines.push(`  filtered out  ${String(filter.count).padStart(6)}  ${filter.reason} [${filter.filter}]`);
  }
  for (const issue of channel.issues.slice(0, ISSUE_CODES_SHOWN)) {
    const field = issue.field ? ` (${issue.field})` : "";
    lines.push(
      `  ${issue.severity.padEnd(12)}  ${String(issue.count).padStart(6)}  ${issue.code}${field} — e.g. ${issue.example.sku}: ${issue.example.message}`,
    );
  }
  if (channel.issues.length > ISSUE_CODES_SHOWN) {
    lines.push(`  … and ${channel.issues.length - ISSUE_CODES_SHOWN} more kinds of issue`);
  }
  for (const feed of feeds.filter((outcome) => belongsTo(outcome.feedId, channel.channel))) {
    lines.push(formatFeed(feed));
  }
  return lines;
}

function formatFeed(feed: PublishOutcome): string {
  const files =
    feed.files.length > 1
      ? `${feed.files[0]} … (${feed.files.length} files)`
      : (feed.files[0] ?? `(${feed.feedId})`);
  const status =
    feed.status === "held"
      ? `HELD: ${feed.message}`
      : feed.status === "not_written"
        ? feed.message
        : `published (${feed.message})`;
  return `  → ${files.padEnd(34)} ${String(feed.entries).padStart(8)} ${feed.unit.padEnd(8)} ${formatBytes(feed.bytes).padStart(9)}  ${status}`;
}

function belongsTo(feedId: string, channel: string): boolean {
  return feedId.startsWith(`${channel}-`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** Paths relative to the working directory when they are inside it. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
