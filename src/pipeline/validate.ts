import type { ChannelId } from "../core/ids.js";
import type { RowIssue } from "../core/issues.js";
import { valuesOfRecord } from "../core/publish.js";
import type { ChannelPublisher, PublishContext } from "../channels/publisher.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import type { ReportedItemIssue } from "./build.js";
import type { PreparedRun } from "./plan.js";
import type { RunSummary } from "./run-report.js";
import { RunReport } from "./run-report.js";
import type { BuildRunOptions } from "./stream-build.js";
import { streamBuild } from "./stream-build.js";

export interface ValidateResult {
  summary: RunSummary;
  /** True when no row and no item has an error (nor, with `remote`, a channel's refusal). */
  clean: boolean;
  /** With `remote`: per channel, the items the channel's own check refused and those it took. */
  remote?: { channel: ChannelId; checked: number; refused: number }[];
  /** With `remote`: the channels whose API has no check without applying (not asked). */
  notCheckedRemotely?: ChannelId[];
}

/** `validate --remote`: ask channels that can check items without applying them. */
export interface RemoteValidation {
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  signal?: AbortSignal | undefined;
}

/**
 * The validate use case: the whole build without writing feeds; with `remote`, each accepted item
 * also goes to the channel's own check where its API has one (Amazon VALIDATION_PREVIEW), and the
 * channel's refusals are reported like our own issues. Every issue is handed to
 * `onIssues` as it is found, in catalog order; reading waits for it, so the caller can write them
 * out at the pace of its output without holding them.
 */
export async function runValidate(
  run: PreparedRun,
  options: Omit<BuildRunOptions, "withFeeds">,
  onIssues: (rowIssues: readonly RowIssue[], itemIssues: readonly ReportedItemIssue[]) => Promise<void>,
  remote?: RemoteValidation,
): Promise<ValidateResult> {
  const report = new RunReport(
    run.catalog.file,
    run.catalog.format,
    run.channels.map(({ channel }) => channel.id),
  );
  const checkers = remote ? await remoteCheckers(run, remote) : [];
  const counts = checkers.map(({ channel }) => ({ channel, checked: 0, refused: 0 }));
  await streamBuild(
    run,
    { ...options, withFeeds: false, withRecords: checkers.length > 0 },
    async (output) => {
      report.add(output);
      const itemIssues = Object.values(output.channels).flatMap((channel) => channel?.issues ?? []);
      for (const [index, { channel, publisher, context }] of checkers.entries()) {
        const accepted = (output.channels[channel]?.records ?? []).filter(
          (record) => record.status === "accepted",
        );
        if (accepted.length === 0) continue;
        const outcomes = await publisher.preview!(
          accepted.map((record) => ({
            op: "create",
            key: record.key,
            sections: ["content", "price", "inventory"],
            values: valuesOfRecord(record) ?? {},
          })),
          context,
        );
        const byKey = new Map(outcomes.map((outcome) => [outcome.key, outcome]));
        counts[index]!.checked += accepted.length;
        for (const record of accepted) {
          const outcome = byKey.get(record.key);
          if (!outcome || outcome.status === "accepted") continue;
          counts[index]!.refused += 1;
          const issues =
            outcome.status === "failed"
              ? [
                  {
                    code: "remote_check_failed",
                    message: outcome.error ?? "no answer",
                    severity: "error" as const,
                  },
                ]
              : outcome.issues;
          for (const issue of issues) {
            itemIssues.push({
              channel,
              sku: record.sku,
              file: run.catalog.file,
              line: record.line,
              code: issue.code,
              severity: issue.severity === "info" ? "warning" : issue.severity,
              field: issue.attribute,
              message: `${issue.message} (${channel}'s own check)`,
            });
          }
        }
      }
      return onIssues(output.rowIssues, itemIssues);
    },
  );
  const refused = counts.some((count) => count.refused > 0);
  return {
    summary: report.summary([]),
    clean: report.rowErrors === 0 && report.rejected === 0 && !refused,
    ...(remote
      ? {
          remote: counts,
          notCheckedRemotely: run.channels
            .map(({ channel }) => channel.id)
            .filter((id) => !checkers.some((checker) => checker.channel === id)),
        }
      : {}),
  };
}

/** The channels of the run whose API can check items without applying them, ready to ask. */
async function remoteCheckers(
  run: PreparedRun,
  remote: RemoteValidation,
): Promise<{ channel: ChannelId; publisher: ChannelPublisher; context: PublishContext }[]> {
  // The API clients load only when asked for (`--remote`), not with every validate.
  const { publisherOf } = await import("../channels/publishers.js");
  const { openChannelAccount } = await import("./channel-accounts.js");
  const signal = remote.signal ?? new AbortController().signal;
  const checkers = [];
  for (const { channel, account } of run.channels) {
    if (!publisherOf(channel.id).previews) continue;
    const opened = await openChannelAccount(
      { channel, account },
      { workspace: "", limiterFor: remote.limiterFor, signal },
    );
    if (opened.publisher.preview)
      checkers.push({ channel: channel.id, publisher: opened.publisher, context: opened.context });
  }
  return checkers;
}
