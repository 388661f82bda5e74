import type { ChannelId } from "../core/ids.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import { ChangeSpool } from "../sync/change-spool.js";
import type { ExecutionResult } from "../sync/publish-executor.js";
import { PublishExecutor } from "../sync/publish-executor.js";
import type { Finding, FindingKind } from "../sync/reconcile.js";
import { deletesHeld as guardHolds } from "../sync/delta-plan.js";
import { Reconciler } from "../sync/reconcile.js";
import type { ItemState, StateStore } from "../sync/state-store.js";
import { openChannelAccounts } from "./channel-accounts.js";
import type { PreparedRun } from "./plan.js";
import { withLocks } from "./publish.js";
import type { BuildRunOptions } from "./stream-build.js";
import { streamBuild } from "./stream-build.js";
import type { StockHolds } from "../sync/stock-holds.js";
import { liveHolds } from "./live-holds.js";

/**
 * `omnifeed reconcile`: reads what each channel holds and compares it with what the catalog
 * intends now — missing, orphaned, drifted, rejected. With `fix`, sends the difference (creates
 * for missing items, updates of the drifted sections, deletes of orphans within the shrink
 * guard) and records the outcomes, as `publish` does.
 */

export interface ReconcileOptions extends Omit<BuildRunOptions, "withFeeds" | "withRecords"> {
  store: StateStore;
  workspace: string;
  fix: boolean;
  force: boolean;
  maxShrink: number;
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  now?: number | undefined;
  spoolDir?: string | undefined;
  /** Stock holds (adr/0028): what the catalog intends is its stock less the sales it does not show yet. */
  stockHolds?: StockHolds | undefined;
}

export interface ChannelReconcileResult {
  channel: ChannelId;
  account: string;
  counts: Reconciler["counts"];
  findings: Finding[];
  /** `fix` only: the orphans were more than the shrink guard allows and were not deleted. */
  deletesHeld: boolean;
  execution?: ExecutionResult;
}

export interface ReconcileResult {
  /** `in_step`: nothing to report; `differences`: findings (fixed with `fix`); `held`: orphan deletes held. */
  status: "in_step" | "differences" | "held";
  channels: ChannelReconcileResult[];
  durationMs: number;
}

export async function runReconcile(run: PreparedRun, options: ReconcileOptions): Promise<ReconcileResult> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const signal = options.signal ?? new AbortController().signal;
  const entries = await openChannelAccounts(run, { ...options, signal });
  const holds = options.stockHolds ? await liveHolds(run, options.stockHolds, now) : options.holds;
  return withLocks(options.store, options.fix ? entries.map((entry) => entry.scope) : [], async () => {
    const reconcilers = await Promise.all(
      entries.map((entry) => Reconciler.load(entry.publisher, entry.context)),
    );
    const spools = await Promise.all(entries.map(() => ChangeSpool.create(options.spoolDir)));
    try {
      await streamBuild(run, { ...options, holds, withFeeds: false, withRecords: true }, async (output) => {
        for (const [index, entry] of entries.entries()) {
          const records = output.channels[entry.channel.id]?.records;
          if (!records || records.length === 0) continue;
          const states = await options.store.get(
            entry.scope,
            records.map((record) => record.key),
          );
          const fixes = reconcilers[index]!.check(records, states, (field) => entry.channel.sectionOf(field));
          if (options.fix) await spools[index]!.add(fixes);
        }
      });

      const channels: ChannelReconcileResult[] = [];
      for (const [index, entry] of entries.entries()) {
        const reconciler = reconcilers[index]!;
        const orphanKeys = reconciler.remainingKeys();
        const priorStates = new Map<string, ItemState>();
        const stored = await options.store.get(entry.scope, orphanKeys);
        stored.forEach((state) => state && priorStates.set(state.key, state));
        const deletes = reconciler.orphans(priorStates);
        const deletesHeld =
          options.fix && guardHolds(deletes.length, reconciler.counts.held, options.maxShrink, options.force);
        const result: ChannelReconcileResult = {
          channel: entry.channel.id,
          account: entry.publisher.account,
          counts: reconciler.counts,
          findings: reconciler.findings,
          deletesHeld,
        };
        if (options.fix) {
          if (!deletesHeld) await spools[index]!.add(deletes);
          const executor = new PublishExecutor(entry.publisher, {
            store: options.store,
            scope: entry.scope,
            context: entry.context,
            budget: entry.budget,
            now,
          });
          await executor.run(spools[index]!.batches(1000));
          result.execution = executor.result();
        }
        channels.push(result);
      }
      const differences = channels.some((channel) =>
        (["missing", "orphaned", "drifted", "rejected"] as FindingKind[]).some(
          (kind) => channel.counts[kind] > 0,
        ),
      );
      return {
        status: channels.some((channel) => channel.deletesHeld)
          ? "held"
          : differences
            ? "differences"
            : "in_step",
        channels,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await Promise.all(spools.map((spool) => spool.dispose()));
    }
  });
}
