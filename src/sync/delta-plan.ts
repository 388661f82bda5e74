import type { PublishRecord, Section, SectionHashes } from "../core/publish.js";
import { valuesOfRecord } from "../core/publish.js";
import type { Change } from "../channels/publisher.js";
import { changedSections } from "./section-hashes.js";
import type { ItemState, StateStore } from "./state-store.js";

/**
 * The delta planner (ARCHITECTURE.md invariant 3): what to send for each item, from the section
 * hashes of what the build yields against what the state store says the channel holds.
 *
 * - never taken by the channel → `create` with every section;
 * - taken, some section hashes differ → `update` of those sections only (the channel's cheap path);
 * - taken, same hashes → nothing (also for an item the channel refused: the same payload would be
 *   refused again);
 * - taken, and no longer an accepted item of the catalog → `delete` (set difference, `planDeletes`).
 *
 * "Taken" means `publishedAt > 0`: a create the channel refused leaves the item unknown to it, so
 * its next change is a create again and its leaving the catalog sends nothing.
 */

/** A planned change, with what the executor needs to update the state after the channel answers. */
export interface PlannedChange extends Change {
  /** The section hashes of `values` (`create`, `update`). */
  hashes?: SectionHashes;
  /** The state before this change; absent for an item never stored. */
  prior?: ItemState;
}

/**
 * The shrink guard on deletes (ARCHITECTURE.md invariant 2): true when `deletes` are more than
 * `maxShrink` (0…1) of the `held` items the channel holds and the run is not forced.
 */
export function deletesHeld(deletes: number, held: number, maxShrink: number, force: boolean): boolean {
  return !force && deletes > 0 && deletes > Math.floor(held * maxShrink);
}

/** Updates a channel wants per item per window (Google: about two a day); see PublisherDefinition. */
export interface UpdateBudget {
  updates: number;
  windowMs: number;
}

export type Decision =
  | { kind: "create" }
  | { kind: "update"; sections: Section[] }
  | { kind: "unchanged" }
  | { kind: "deferred"; sections: Section[] };

/** What to do with one accepted item, given its stored state. Pure. */
export function decide(
  hashes: SectionHashes,
  state: ItemState | undefined,
  budget: UpdateBudget | undefined,
  now: number,
): Decision {
  if (!state || state.hashes === null || state.publishedAt === 0) {
    // An item the channel never took, and whose last refused payload was this one, stays unsent.
    if (state?.hashes && state.outcome.status === "rejected" && sameHashes(state.hashes, hashes)) {
      return { kind: "unchanged" };
    }
    return overBudget(state, budget, now)
      ? { kind: "deferred", sections: ["content", "price", "inventory"] }
      : { kind: "create" };
  }
  const sections = changedSections(state.hashes, hashes);
  if (sections.length === 0) return { kind: "unchanged" };
  return overBudget(state, budget, now) ? { kind: "deferred", sections } : { kind: "update", sections };
}

/** True when the item has had its budget of updates in the current window. */
export function overBudget(
  state: ItemState | undefined,
  budget: UpdateBudget | undefined,
  now: number,
): boolean {
  if (!budget || !state?.budget) return false;
  const { windowStart, count } = state.budget;
  return now - windowStart < budget.windowMs && count >= budget.updates;
}

/** The budget counter after one more update sent now. */
export function budgetAfterSend(
  state: ItemState | undefined,
  budget: UpdateBudget | undefined,
  now: number,
): ItemState["budget"] {
  if (!budget) return state?.budget;
  const current = state?.budget;
  if (!current || now - current.windowStart >= budget.windowMs) return { windowStart: now, count: 1 };
  return { windowStart: current.windowStart, count: current.count + 1 };
}

function sameHashes(a: SectionHashes, b: SectionHashes): boolean {
  return a.content === b.content && a.price === b.price && a.inventory === b.inventory;
}

/** How many items of a run took each path; `updates` by the sections they send. */
export interface PlanCounts {
  creates: number;
  updates: number;
  /** Updates that send this section (an update may send several). */
  updatedSections: Record<Section, number>;
  unchanged: number;
  deletes: number;
  /** Changes put off because the item had its budget of updates for the window. */
  deferred: number;
  /** Stored items the channel never took that left the catalog: forgotten without a call. */
  forgotten: number;
}

export function emptyPlanCounts(): PlanCounts {
  return {
    creates: 0,
    updates: 0,
    updatedSections: { content: 0, price: 0, inventory: 0 },
    unchanged: 0,
    deletes: 0,
    deferred: 0,
    forgotten: 0,
  };
}

/**
 * Plans one channel account's changes batch by batch as the build streams, reading the stored
 * states of each batch's keys in one call. Holds nothing per item between batches: the caller
 * spools the changes and remembers the keys it saw (for `planDeletes`).
 */
export class DeltaPlanner {
  readonly counts = emptyPlanCounts();
  /** Keys of stored items the channel never took that left the catalog (see `planDeletes`). */
  readonly forgottenKeys: string[] = [];
  /** Stored items the channel took, counted by `planDeletes` (the shrink guard's base). */
  published = 0;

  constructor(
    private readonly store: StateStore,
    private readonly scope: string,
    private readonly options: { budget?: UpdateBudget | undefined; now: number },
  ) {}

  /** The changes for a batch of the build's accepted records (others are ignored). */
  async planBatch(records: readonly PublishRecord[]): Promise<PlannedChange[]> {
    const accepted = records.filter(
      (record) => record.status === "accepted" && record.hashes && record.valuesJson !== undefined,
    );
    if (accepted.length === 0) return [];
    const states = await this.store.get(
      this.scope,
      accepted.map((record) => record.key),
    );
    const changes: PlannedChange[] = [];
    accepted.forEach((record, index) => {
      const state = states[index];
      const decision = decide(record.hashes!, state, this.options.budget, this.options.now);
      // The values are parsed only for the items sent: most of a large catalog is unchanged.
      const common = () => ({
        key: record.key,
        values: valuesOfRecord(record)!,
        hashes: record.hashes!,
        ...(state ? { prior: state } : {}),
        ...(state?.remoteId ? { remoteId: state.remoteId } : {}),
      });
      switch (decision.kind) {
        case "unchanged":
          this.counts.unchanged += 1;
          return;
        case "deferred":
          this.counts.deferred += 1;
          return;
        case "create":
          this.counts.creates += 1;
          changes.push({ op: "create", sections: ["content", "price", "inventory"], ...common() });
          return;
        case "update":
          this.counts.updates += 1;
          for (const section of decision.sections) this.counts.updatedSections[section] += 1;
          changes.push({ op: "update", sections: decision.sections, ...common() });
          return;
      }
    });
    return changes;
  }

  /**
   * The deletes: stored items the build did not yield as accepted (`isIntended` false), page by
   * page. Items the channel never took are not deleted there: they are counted as `forgotten` and
   * their keys kept in `forgottenKeys`, for the caller to remove from the store after the scan.
   */
  async *planDeletes(isIntended: (key: string) => boolean): AsyncIterable<PlannedChange[]> {
    for await (const page of this.store.scan(this.scope, 1000)) {
      const deletes: PlannedChange[] = [];
      for (const state of page) {
        if (state.publishedAt > 0) this.published += 1;
        if (isIntended(state.key)) continue;
        if (state.publishedAt === 0) {
          this.forgottenKeys.push(state.key);
          continue;
        }
        deletes.push({
          op: "delete",
          key: state.key,
          sections: [],
          prior: state,
          ...(state.remoteId ? { remoteId: state.remoteId } : {}),
        });
      }
      this.counts.deletes += deletes.length;
      if (deletes.length > 0) yield deletes;
    }
    this.counts.forgotten = this.forgottenKeys.length;
  }
}
