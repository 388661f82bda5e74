import type { ChangeOp, ChannelIssue, ItemOutcome, OutcomeStatus } from "../core/publish.js";
import type { Change, ChannelPublisher, PublishContext } from "../channels/publisher.js";
import type { PlannedChange, UpdateBudget } from "./delta-plan.js";
import { budgetAfterSend } from "./delta-plan.js";
import type { ItemState, StateStore } from "./state-store.js";

/**
 * Sends planned changes to a channel batch by batch and records each item's outcome in the state
 * store as soon as its batch is answered, so a run stopped half-way keeps what was done and the
 * next run sends only the rest. Every change gets an outcome: one the channel did not answer for
 * counts as failed, and failed changes keep the item's old hashes, so they are planned again.
 */

/** At most this many changes go to one `send`, whatever the channel takes (bounded memory). */
export const MAX_SEND_BATCH = 10_000;

/** How many items met each outcome, per operation. */
export type OutcomeCounts = Record<ChangeOp, Record<OutcomeStatus, number>>;

/** One of the channel's reasons for refusing items, with how many items and a few of their keys. */
export interface RejectionReason {
  code: string;
  message: string;
  attribute?: string;
  items: number;
  examples: string[];
}

export interface ExecutionResult {
  outcomes: OutcomeCounts;
  /** The channel's reasons for the refused items, most frequent first (up to 10). */
  topReasons: RejectionReason[];
  /** Why changes failed (not the items' fault), most frequent first (up to 5), with counts. */
  failures: { error: string; items: number }[];
  /** Changes sent (the channel answered for them, or they failed). */
  sent: number;
}

export function emptyOutcomeCounts(): OutcomeCounts {
  const zero = (): Record<OutcomeStatus, number> => ({ accepted: 0, rejected: 0, failed: 0 });
  return { create: zero(), update: zero(), delete: zero() };
}

export interface ExecuteOptions {
  store: StateStore;
  scope: string;
  context: PublishContext;
  budget?: UpdateBudget | undefined;
  /** The time recorded as published (ms); the run's start, so one run is one budget step. */
  now: number;
  /** Called after each batch with the changes answered so far. */
  onProgress?: ((sent: number) => void) | undefined;
}

export class PublishExecutor {
  private readonly counts = emptyOutcomeCounts();
  private readonly reasons = new Map<string, RejectionReason>();
  private readonly failureCounts = new Map<string, number>();
  private sent = 0;

  constructor(
    private readonly publisher: ChannelPublisher,
    private readonly options: ExecuteOptions,
  ) {}

  /** Sends the changes of `batches` (each cut to the channel's batch size) and records the outcomes. */
  async run(batches: AsyncIterable<PlannedChange[]>): Promise<void> {
    const size = Math.max(
      1,
      Math.min(this.publisher.maxBatch, this.publisher.checkpointEvery ?? Infinity, MAX_SEND_BATCH),
    );
    for await (const batch of batches) {
      for (let start = 0; start < batch.length; start += size) {
        this.options.context.signal.throwIfAborted();
        await this.sendBatch(batch.slice(start, start + size));
      }
    }
  }

  result(): ExecutionResult {
    const byCount = <T extends { items: number }>(a: T, b: T) => b.items - a.items;
    return {
      outcomes: this.counts,
      topReasons: [...this.reasons.values()].sort(byCount).slice(0, 10),
      failures: [...this.failureCounts.entries()]
        .map(([error, items]) => ({ error, items }))
        .sort(byCount)
        .slice(0, 5),
      sent: this.sent,
    };
  }

  private async sendBatch(changes: PlannedChange[]): Promise<void> {
    const outcomes = await this.publisher.send(changes.map(toChange), this.options.context);
    const byKey = new Map<string, ItemOutcome>();
    for (const outcome of outcomes) byKey.set(`${outcome.op}\u0000${outcome.key}`, outcome);
    const puts: ItemState[] = [];
    const removes: string[] = [];
    for (const change of changes) {
      const outcome = byKey.get(`${change.op}\u0000${change.key}`) ?? {
        key: change.key,
        op: change.op,
        status: "failed" as const,
        issues: [],
        error: `${this.publisher.channel} gave no outcome for this change`,
      };
      this.tally(change, outcome);
      const next = stateAfter(change, outcome, this.options.now, this.options.budget);
      if (next === "remove") removes.push(change.key);
      else puts.push(next);
    }
    if (puts.length > 0) await this.options.store.put(this.options.scope, puts);
    if (removes.length > 0) await this.options.store.remove(this.options.scope, removes);
    this.sent += changes.length;
    this.options.onProgress?.(this.sent);
  }

  private tally(change: PlannedChange, outcome: ItemOutcome): void {
    this.counts[change.op][outcome.status] += 1;
    if (outcome.status === "rejected") {
      const issues: ChannelIssue[] =
        outcome.issues.length > 0
          ? outcome.issues.filter((issue) => issue.severity === "error")
          : [{ code: "rejected", message: "refused without a reason", severity: "error" }];
      for (const issue of issues.length > 0 ? issues : outcome.issues.slice(0, 1)) {
        const id = `${issue.code}\u0000${issue.message}`;
        const reason = this.reasons.get(id) ?? {
          code: issue.code,
          message: issue.message,
          ...(issue.attribute ? { attribute: issue.attribute } : {}),
          items: 0,
          examples: [],
        };
        reason.items += 1;
        if (reason.examples.length < 3) reason.examples.push(change.key);
        this.reasons.set(id, reason);
      }
    } else if (outcome.status === "failed") {
      const error = outcome.error ?? "failed";
      this.failureCounts.set(error, (this.failureCounts.get(error) ?? 0) + 1);
    }
  }
}

/** The change as the channel's publisher takes it (without the executor's bookkeeping). */
function toChange(change: PlannedChange): Change {
  return {
    op: change.op,
    key: change.key,
    sections: change.sections,
    ...(change.values ? { values: change.values } : {}),
    ...(change.remoteId ? { remoteId: change.remoteId } : {}),
  };
}

/**
 * The item's state once the channel answered:
 * - accepted create/update: the new hashes, published now, one more update in the budget window;
 * - rejected create/update: the new hashes (the same payload would be refused again), the old
 *   published time (0 for a create: the channel does not hold the item);
 * - failed: the old hashes, so the next run plans the change again;
 * - accepted delete: forgotten; a delete refused or failed stays, to be sent again.
 */
export function stateAfter(
  change: PlannedChange,
  outcome: ItemOutcome,
  now: number,
  budget: UpdateBudget | undefined,
): ItemState | "remove" {
  const prior = change.prior;
  const remoteId = outcome.remoteId ?? prior?.remoteId;
  const last: ItemState["outcome"] = {
    status: outcome.status,
    issues: outcome.issues,
    at: now,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
  if (change.op === "delete") {
    if (outcome.status === "accepted") return "remove";
    return { ...prior!, outcome: last };
  }
  const base = {
    key: change.key,
    ...(remoteId ? { remoteId } : {}),
  };
  if (outcome.status === "accepted") {
    const next = budgetAfterSend(prior, budget, now);
    return {
      ...base,
      hashes: change.hashes ?? null,
      publishedAt: now,
      outcome: last,
      ...(next ? { budget: next } : {}),
    };
  }
  if (outcome.status === "rejected") {
    return {
      ...base,
      hashes: change.hashes ?? null,
      publishedAt: prior?.publishedAt ?? 0,
      outcome: last,
      ...(prior?.budget ? { budget: prior.budget } : {}),
    };
  }
  return {
    ...base,
    hashes: prior?.hashes ?? null,
    publishedAt: prior?.publishedAt ?? 0,
    outcome: last,
    ...(prior?.budget ? { budget: prior.budget } : {}),
  };
}
