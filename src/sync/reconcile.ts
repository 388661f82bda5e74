import type { ChannelIssue, PublishRecord, PublishValue, PublishValues, Section } from "../core/publish.js";
import { valuesOfRecord } from "../core/publish.js";
import type { ChannelPublisher, PublishContext, RemoteItem } from "../channels/publisher.js";
import type { PlannedChange } from "./delta-plan.js";
import { canonicalJson } from "./section-hashes.js";
import type { ItemState } from "./state-store.js";

/**
 * Reconcile: what a channel holds against what the catalog intends, item by item.
 * - missing: we intend it, the channel does not hold it (deleted behind our back, or never taken);
 * - orphaned: the channel holds it, we do not intend it (left the catalog while a delete failed,
 *   or added by hand on the channel's side);
 * - drifted: both have it, but a field the channel reports differs from ours (a price edited in
 *   the channel's console, a feed from another tool);
 * - rejected: the channel holds it but disapproved or suppressed it, or refused this very payload
 *   when we sent it (from the state), with its reasons.
 *
 * The channel's list is read once into memory (key → the fields it reports), then the build's
 * records are checked against it as they stream. Memory is therefore that of the channel's list,
 * not the catalog's.
 */

export type FindingKind = "missing" | "orphaned" | "drifted" | "rejected";

export interface FieldDifference {
  field: string;
  ours: PublishValue | undefined;
  theirs: PublishValue | undefined;
}

export interface Finding {
  kind: FindingKind;
  key: string;
  /** The catalog SKU, when the item is in the catalog. */
  sku?: string;
  /** `drifted`: the fields that differ. */
  differences?: FieldDifference[];
  /** `rejected`: the channel's issues. */
  issues?: ChannelIssue[];
}

/** Findings kept per kind for the report; counts cover them all. */
export const FINDINGS_KEPT = 1000;

export class Reconciler {
  readonly counts: Record<FindingKind, number> & { intended: number; held: number; inStep: number } = {
    missing: 0,
    orphaned: 0,
    drifted: 0,
    rejected: 0,
    intended: 0,
    held: 0,
    inStep: 0,
  };
  readonly findings: Finding[] = [];

  private constructor(private readonly remote: Map<string, RemoteItem>) {
    this.counts.held = remote.size;
  }

  /** Reads everything the channel holds for the account. */
  static async load(publisher: ChannelPublisher, context: PublishContext): Promise<Reconciler> {
    const remote = new Map<string, RemoteItem>();
    for await (const page of publisher.list(context)) {
      for (const item of page) remote.set(item.key, item);
    }
    return new Reconciler(remote);
  }

  /**
   * Checks a batch of the build's records; returns the changes that would bring the channel in
   * step for the accepted ones (`create` for missing, `update` of the drifted sections).
   */
  check(
    records: readonly PublishRecord[],
    states: readonly (ItemState | undefined)[],
    sectionOf: (field: string) => Section,
  ): PlannedChange[] {
    const fixes: PlannedChange[] = [];
    records.forEach((record, index) => {
      const values = record.status === "accepted" ? valuesOfRecord(record) : undefined;
      if (!values || !record.hashes) return;
      this.counts.intended += 1;
      const state = states[index];
      const remote = this.remote.get(record.key);
      const common = {
        key: record.key,
        values,
        hashes: record.hashes,
        ...(state ? { prior: state } : {}),
        ...((remote?.remoteId ?? state?.remoteId)
          ? { remoteId: (remote?.remoteId ?? state?.remoteId)! }
          : {}),
      };
      if (!remote && state?.outcome.status === "rejected" && sameValues(state, record)) {
        // The channel refused this very payload: sending it again would be refused again.
        this.note({ kind: "rejected", key: record.key, sku: record.sku, issues: state.outcome.issues });
        return;
      }
      if (!remote) {
        this.note({ kind: "missing", key: record.key, sku: record.sku });
        fixes.push({ op: "create", sections: ["content", "price", "inventory"], ...common });
        return;
      }
      this.remote.delete(record.key);
      let inStep = true;
      if (remote.status === "rejected") {
        inStep = false;
        this.note({ kind: "rejected", key: record.key, sku: record.sku, issues: remote.issues });
      }
      const differences = differencesOf(values, remote.values);
      if (differences.length > 0) {
        inStep = false;
        this.note({ kind: "drifted", key: record.key, sku: record.sku, differences });
        const sections = [...new Set(differences.map((difference) => sectionOf(difference.field)))];
        fixes.push({ op: "update", sections, ...common });
      }
      if (inStep) this.counts.inStep += 1;
    });
    return fixes;
  }

  /**
   * What the channel holds that no accepted record claimed: the orphans, as deletes. Call once,
   * after every record was checked.
   */
  orphans(states: ReadonlyMap<string, ItemState>): PlannedChange[] {
    const deletes: PlannedChange[] = [];
    for (const item of this.remote.values()) {
      this.note({ kind: "orphaned", key: item.key });
      const prior = states.get(item.key);
      deletes.push({
        op: "delete",
        key: item.key,
        sections: [],
        ...(prior ? { prior } : {}),
        ...(item.remoteId ? { remoteId: item.remoteId } : {}),
      });
    }
    this.remote.clear();
    return deletes;
  }

  /** Keys the channel holds that no record claimed yet. */
  remainingKeys(): string[] {
    return [...this.remote.keys()];
  }

  private note(finding: Finding): void {
    this.counts[finding.kind] += 1;
    if (this.counts[finding.kind] <= FINDINGS_KEPT) this.findings.push(finding);
  }
}

/**
 * The fields both sides have whose values differ. A field the channel does not report is not
 * compared (read-back covers fewer fields than a write), nor one we do not send (the channel may
 * report its own default for it).
 */
export function differencesOf(ours: PublishValues, theirs: PublishValues): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of Object.keys(theirs).sort()) {
    const remote = theirs[field];
    const local = ours[field];
    if (remote === undefined || local === undefined) continue;
    if (canonicalJson(local) !== canonicalJson(remote) && !equivalent(local, remote)) {
      differences.push({ field, ours: local, theirs: remote });
    }
  }
  return differences;
}

function sameValues(state: ItemState, record: PublishRecord): boolean {
  const { hashes } = state;
  return (
    hashes !== null &&
    record.hashes !== undefined &&
    hashes.content === record.hashes.content &&
    hashes.price === record.hashes.price &&
    hashes.inventory === record.hashes.inventory
  );
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}|$)/;

/**
 * The same value in another spelling, as channels echo what they were sent: a time in UTC instead
 * of the offset we gave (`2026-11-27T00:00-08:00` = `2026-11-27T08:00:00.000Z`), a whole number as
 * text (int64 fields in JSON), a date as its midnight UTC (`2026-11-27` = `2026-11-27T00:00:00.000Z`).
 */
export function equivalent(ours: PublishValue, theirs: PublishValue): boolean {
  if (typeof ours === "string" && typeof theirs === "string") {
    if (ours === theirs) return true;
    return (
      DATE_TIME.test(ours) &&
      DATE_TIME.test(theirs) &&
      instant(ours) === instant(theirs) &&
      !Number.isNaN(instant(ours))
    );
  }
  if (typeof ours === "number" && typeof theirs === "string")
    return /^-?\d+(\.\d+)?$/.test(theirs) && Number(theirs) === ours;
  if (typeof ours === "string" && typeof theirs === "number") return equivalent(theirs, ours);
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const left = ours as readonly PublishValue[];
    const right = theirs as readonly PublishValue[];
    return left.length === right.length && left.every((entry, index) => equivalent(entry, right[index]!));
  }
  if (
    typeof ours === "object" &&
    typeof theirs === "object" &&
    !Array.isArray(ours) &&
    !Array.isArray(theirs)
  ) {
    const left = ours as { readonly [key: string]: PublishValue };
    const right = theirs as { readonly [key: string]: PublishValue };
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => right[key] !== undefined && equivalent(left[key]!, right[key]))
    );
  }
  return ours === theirs;
}

function instant(text: string): number {
  return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}
