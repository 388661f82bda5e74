import type { RowIssue } from "../core/issues.js";
import type { RecordBatch } from "./source.js";

/**
 * Collects closed record groups into batches of about `batchSize` records. A group is added
 * whole, so a batch may run over the size by one group but never splits a product.
 */
export interface BatchCollector<Group> {
  add(group: Group, records: number): void;
  issue(...issues: RowIssue[]): void;
  readonly full: boolean;
  readonly empty: boolean;
  /** The batch so far; the collector starts a new one. */
  take(bytesRead: number): RecordBatch<Group>;
}

export function createBatchCollector<Group>(file: string, batchSize: number): BatchCollector<Group> {
  const target = Math.max(1, batchSize);
  let groups: Group[] = [];
  let issues: RowIssue[] = [];
  let records = 0;
  return {
    add(group, count) {
      groups.push(group);
      records += count;
    },
    issue(...found) {
      for (const issue of found) issues.push(issue);
    },
    get full() {
      return records >= target;
    },
    get empty() {
      return groups.length === 0 && issues.length === 0;
    },
    take(bytesRead) {
      const batch: RecordBatch<Group> = { file, groups, records, bytesRead, issues };
      groups = [];
      issues = [];
      records = 0;
      return batch;
    },
  };
}
