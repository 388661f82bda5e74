import type { ChannelId } from "../core/ids.js";
import type { RowIssue, Severity } from "../core/issues.js";
import type { PublishOutcome } from "../feeds/publish.js";
import type { BatchOutput } from "./build.js";

export interface IssueCount {
  code: string;
  severity: Severity;
  field: string | undefined;
  count: number;
  /** One item that has it, to start looking. */
  example: { sku: string; message: string };
  /** The first items that have it (up to three, `example` first), for the web console and status. */
  examples: { sku: string; message: string }[];
}

// Example items kept per issue code: enough to start looking, few enough to keep reports small.
const ISSUE_EXAMPLES_KEPT = 3;

export interface ChannelSummary {
  channel: ChannelId;
  /** Variants that reached the channel (decoded without row errors). */
  read: number;
  filtered: number;
  filteredBy: { filter: string; reason: string; count: number }[];
  rejected: number;
  /** Of the rejected, items left out because an earlier item has their key (`duplicate_key`). */
  duplicates: number;
  /** Accepted items, i.e. written to every feed of the channel. */
  accepted: number;
  warned: number;
  /** Issue counts by code, most frequent first. */
  issues: IssueCount[];
}

export interface CatalogSummary {
  file: string;
  format: string;
  records: number;
  products: number;
  variants: number;
  rowErrors: number;
  rowWarnings: number;
}

export interface RunSummary {
  catalog: CatalogSummary;
  channels: ChannelSummary[];
  feeds: PublishOutcome[];
  /** The first row issues, for printing; every one of them is in the issues file. */
  rowIssues: RowIssue[];
}

// Row issues kept in memory for the printed summary; the rest go only to the issues file.
const ROW_ISSUES_KEPT = 200;

/** Adds up batch outputs into the run summary without keeping items or every issue. */
export class RunReport {
  private readonly catalog: CatalogSummary;
  private readonly rowIssues: RowIssue[] = [];
  private readonly channels = new Map<
    ChannelId,
    Omit<ChannelSummary, "filteredBy" | "issues"> & {
      filteredBy: Map<string, { reason: string; count: number }>;
      issues: Map<string, IssueCount>;
    }
  >();

  constructor(file: string, format: string, channels: readonly ChannelId[]) {
    this.catalog = { file, format, records: 0, products: 0, variants: 0, rowErrors: 0, rowWarnings: 0 };
    for (const channel of channels) {
      this.channels.set(channel, {
        channel,
        read: 0,
        filtered: 0,
        rejected: 0,
        duplicates: 0,
        accepted: 0,
        warned: 0,
        filteredBy: new Map(),
        issues: new Map(),
      });
    }
  }

  add(output: BatchOutput): void {
    const catalog = this.catalog;
    catalog.records += output.records;
    catalog.products += output.products;
    catalog.variants += output.variants;
    for (const issue of output.rowIssues) {
      if (issue.severity === "error") catalog.rowErrors += 1;
      else catalog.rowWarnings += 1;
      if (this.rowIssues.length < ROW_ISSUES_KEPT) this.rowIssues.push(issue);
    }
    for (const [channelId, batch] of Object.entries(output.channels)) {
      const summary = this.channels.get(channelId as ChannelId);
      if (!batch || !summary) continue;
      summary.read += batch.variants;
      summary.filtered += batch.filtered;
      summary.rejected += batch.rejected;
      summary.duplicates += batch.duplicates;
      summary.accepted += batch.accepted;
      summary.warned += batch.warned;
      for (const [filter, { reason, count }] of Object.entries(batch.filteredBy)) {
        const counted = summary.filteredBy.get(filter);
        if (counted) counted.count += count;
        else summary.filteredBy.set(filter, { reason, count });
      }
      for (const issue of batch.issues) {
        const key = `${issue.severity}:${issue.code}:${issue.field ?? ""}`;
        const counted = summary.issues.get(key);
        if (counted) {
          counted.count += 1;
          if (counted.examples.length < ISSUE_EXAMPLES_KEPT)
            counted.examples.push({ sku: issue.sku, message: issue.message });
        } else {
          const example = { sku: issue.sku, message: issue.message };
          summary.issues.set(key, {
            code: issue.code,
            severity: issue.severity,
            field: issue.field,
            count: 1,
            example,
            examples: [{ ...example }],
          });
        }
      }
    }
  }

  get rowErrors(): number {
    return this.catalog.rowErrors;
  }

  get rejected(): number {
    let total = 0;
    for (const summary of this.channels.values()) total += summary.rejected;
    return total;
  }

  summary(feeds: PublishOutcome[]): RunSummary {
    const channels = [...this.channels.values()].map((summary) => ({
      ...summary,
      filteredBy: [...summary.filteredBy]
        .map(([filter, { reason, count }]) => ({ filter, reason, count }))
        .sort((a, b) => b.count - a.count || a.filter.localeCompare(b.filter)),
      issues: [...summary.issues.values()].sort(
        (a, b) =>
          (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
          b.count - a.count ||
          a.code.localeCompare(b.code),
      ),
    }));
    return { catalog: { ...this.catalog }, channels, feeds, rowIssues: [...this.rowIssues] };
  }
}
