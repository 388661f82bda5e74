import type { ChannelId } from "../core/ids.js";
import type { PublishRecord, Section } from "../core/publish.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import { ChangeSpool } from "../sync/change-spool.js";
import type { PlanCounts, PlannedChange } from "../sync/delta-plan.js";
import { DeltaPlanner, deletesHeld } from "../sync/delta-plan.js";
import type { ExecutionResult } from "../sync/publish-executor.js";
import { PublishExecutor } from "../sync/publish-executor.js";
import type { StateStore } from "../sync/state-store.js";
import type { StockHolds } from "../sync/stock-holds.js";
import type { ChannelAccount } from "./channel-accounts.js";
import { openChannelAccounts } from "./channel-accounts.js";
import { KeyRegistry } from "./key-registry.js";
import { liveHolds } from "./live-holds.js";
import type { PreparedRun } from "./plan.js";
import type { RunSummary } from "./run-report.js";
import { RunReport } from "./run-report.js";
import type { BuildRunOptions } from "./stream-build.js";
import { streamBuild } from "./stream-build.js";

/**
 * The publish use case: catalog → the build's records → per channel account, a delta plan against
 * the state store → the channel's API, within its shared quota → each item's outcome back in the
 * state store. Only what changed is sent (ARCHITECTURE.md invariant 3); deletes past the shrink
 * guard are held (invariant 2); each channel account is published under its lock, so two runs
 * never interleave their changes to one account.
 */

export interface PublishOptions extends Omit<BuildRunOptions, "withFeeds" | "withRecords"> {
  store: StateStore;
  /** Names the workspace whose state this is (several catalogs can share one Redis). */
  workspace: string;
  /** Plan only: nothing is sent and the state is not changed. */
  dryRun: boolean;
  /** Send deletes even past the shrink guard. */
  force: boolean;
  /** Largest share (0…1) of the published items one run may delete. */
  maxShrink: number;
  /** The token bucket of an outside account (shared through Redis by every process, or per process). */
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  /** Milliseconds since epoch the run counts as (tests move it to cross a budget window). */
  now?: number | undefined;
  /** Folder for the plan's spool files (the system temp folder when absent). */
  spoolDir?: string | undefined;
  /** Called once per channel when its plan is complete, before anything is sent. */
  onPlan?: ((plan: ChannelPlan) => void) | undefined;
  /**
   * Stock holds of recorded sales (adr/0028): those the catalog does not show yet are taken off
   * before the transform, so this run does not put sold units back on the channels.
   */
  stockHolds?: StockHolds | undefined;
}

/** What will be sent to one channel account, or would be with `--dry-run`. */
export interface ChannelPlan {
  channel: ChannelId;
  account: string;
  /** The state scope: `<workspace>/<channel>/<account>`. */
  scope: string;
  counts: PlanCounts;
  /** Items the channel holds as far as the state says, before this run. */
  published: number;
  /** The deletes were more than the shrink guard allows and are not sent (no `--force`). */
  deletesHeld: boolean;
  /**
   * Time the plan itself took on the main thread (ms): reading the stored states, comparing hashes,
   * spooling the changes, finding the deletes. The build's own time (records and their hashes,
   * made in the build threads) is not in it.
   */
  planningMs: number;
  /** A few keys per operation, to show what the plan does. */
  examples: { creates: string[]; updates: { key: string; sections: Section[] }[]; deletes: string[] };
}

export interface ChannelPublishResult extends ChannelPlan {
  /** Absent with `--dry-run`. */
  execution?: ExecutionResult;
}

export type PublishStatus = "published" | "dry_run" | "held" | "incomplete";

export interface PublishResult {
  /**
   * `held`: some deletes were held by the shrink guard; `incomplete`: some changes failed (not the
   * items' fault) and are sent again by the next run; `published` otherwise.
   */
  status: PublishStatus;
  summary: RunSummary;
  channels: ChannelPublishResult[];
  durationMs: number;
}

const EXAMPLES = 10;
/** Records planned together: one read of the state store for this many keys. */
const PLAN_BATCH = 1000;

interface ChannelRun extends ChannelAccount {
  id: ChannelId;
  /** Accepted records not planned yet. */
  pending: PublishRecord[];
  planningMs: number;
  planner: DeltaPlanner;
  spool: ChangeSpool;
  examples: ChannelPlan["examples"];
}

export async function runPublish(run: PreparedRun, options: PublishOptions): Promise<PublishResult> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const signal = options.signal ?? new AbortController().signal;
  // Every account is checked (settings, secrets) before the catalog is read.
  const accounts = await openChannelAccounts(run, { ...options, signal });
  const holds = options.stockHolds ? await liveHolds(run, options.stockHolds, now) : options.holds;
  const scopes = accounts.map((account) => account.scope);
  return withLocks(options.store, scopes, async () => {
    const runs: ChannelRun[] = [];
    try {
      for (const account of accounts) {
        runs.push({
          ...account,
          id: account.channel.id,
          pending: [],
          planningMs: 0,
          planner: new DeltaPlanner(options.store, account.scope, { budget: account.budget, now }),
          spool: await ChangeSpool.create(options.spoolDir),
          examples: { creates: [], updates: [], deletes: [] },
        });
      }
      return await publishAll(run, runs, { ...options, holds }, { now, signal, started });
    } finally {
      await Promise.all(runs.map((entry) => entry.spool.dispose()));
    }
  });
}

async function publishAll(
  run: PreparedRun,
  runs: ChannelRun[],
  options: PublishOptions,
  clock: { now: number; signal: AbortSignal; started: number },
): Promise<PublishResult> {
  const report = new RunReport(
    run.catalog.file,
    run.catalog.format,
    run.channels.map(({ channel }) => channel.id),
  );
  // The keys each channel accepted this run: what is intended; a stored key not among them is a delete.
  const intended = new KeyRegistry(Math.max(1, runs.length));
  // Accepted records wait in `pending` until a thousand can be planned with one read of the state.
  const plan = async (entry: ChannelRun): Promise<void> => {
    const started = performance.now();
    const changes = await entry.planner.planBatch(entry.pending);
    entry.pending = [];
    noteExamples(entry.examples, changes);
    await entry.spool.add(changes);
    entry.planningMs += performance.now() - started;
  };
  await streamBuild(run, { ...options, withFeeds: false, withRecords: true }, async (output) => {
    report.add(output);
    for (const [position, entry] of runs.entries()) {
      for (const record of output.channels[entry.id]?.records ?? []) {
        if (record.status !== "accepted") continue;
        intended.firstLineOf(position, record.key, record.line);
        entry.pending.push(record);
      }
      if (entry.pending.length >= PLAN_BATCH) await plan(entry);
    }
  });
  for (const entry of runs) await plan(entry);

  // Channel accounts are independent: each plans its deletes and sends at its own pace.
  const results = await Promise.all(
    runs.map((entry, position) => finishChannel(entry, position, intended, options, clock.now)),
  );

  const failed = results.some((result) =>
    result.execution ? Object.values(result.execution.outcomes).some((op) => op.failed > 0) : false,
  );
  const status: PublishStatus = options.dryRun
    ? "dry_run"
    : results.some((result) => result.deletesHeld)
      ? "held"
      : failed
        ? "incomplete"
        : "published";
  return {
    status,
    summary: report.summary([]),
    channels: results,
    durationMs: Math.round(performance.now() - clock.started),
  };
}

function noteExamples(examples: ChannelPlan["examples"], changes: readonly PlannedChange[]): void {
  for (const change of changes) {
    if (change.op === "create" && examples.creates.length < EXAMPLES) examples.creates.push(change.key);
    else if (change.op === "update" && examples.updates.length < EXAMPLES)
      examples.updates.push({ key: change.key, sections: [...change.sections] });
    else if (change.op === "delete" && examples.deletes.length < EXAMPLES) examples.deletes.push(change.key);
  }
}

/** Plans one channel account's deletes, applies the shrink guard, and sends the plan. */
async function finishChannel(
  entry: ChannelRun,
  position: number,
  intended: KeyRegistry,
  options: PublishOptions,
  now: number,
): Promise<ChannelPublishResult> {
  const deleteSpool = await ChangeSpool.create(options.spoolDir);
  try {
    const started = performance.now();
    for await (const deletes of entry.planner.planDeletes((key) => intended.has(position, key))) {
      noteExamples(entry.examples, deletes);
      await deleteSpool.add(deletes);
    }
    const published = entry.planner.published;
    const held = deletesHeld(deleteSpool.size, published, options.maxShrink, options.force);
    entry.planningMs += performance.now() - started;
    const plan: ChannelPlan = {
      planningMs: Math.round(entry.planningMs),
      channel: entry.id,
      account: entry.publisher.account,
      scope: entry.scope,
      counts: entry.planner.counts,
      published,
      deletesHeld: held,
      examples: entry.examples,
    };
    options.onPlan?.(plan);
    if (options.dryRun) return plan;
    if (entry.planner.forgottenKeys.length > 0) {
      await options.store.remove(entry.scope, entry.planner.forgottenKeys);
    }
    const executor = new PublishExecutor(entry.publisher, {
      store: options.store,
      scope: entry.scope,
      context: entry.context,
      budget: entry.budget,
      now,
    });
    await executor.run(entry.spool.batches(1000));
    if (!held) await executor.run(deleteSpool.batches(1000));
    return { ...plan, execution: executor.result() };
  } finally {
    await deleteSpool.dispose();
  }
}

/** Runs `task` holding the locks of every scope, taken in a fixed order so two runs cannot deadlock. */
export async function withLocks<T>(
  store: StateStore,
  scopes: readonly string[],
  task: () => Promise<T>,
): Promise<T> {
  const ordered = [...new Set(scopes)].sort();
  const take = async (index: number): Promise<T> =>
    index >= ordered.length ? task() : store.withLock(ordered[index]!, () => take(index + 1));
  return take(0);
}
