import { basename } from "node:path";
import type { ChannelId } from "../core/ids.js";
import type { PublishRecord } from "../core/publish.js";
import { withoutEntries } from "../feeds/encoded-entries.js";
import type { BatchOutput, ChannelBatchOutput, ReportedItemIssue } from "./build.js";
import { emptyChannelOutput } from "./build.js";
import { KeyRegistry } from "./key-registry.js";
import type { PreparedRun } from "./plan.js";

/** What the duplicate check needs of a channel of the run. */
export interface KeyedChannel {
  id: ChannelId;
  /** `id`, `sku`: the channel's name for its key. */
  keyField: string;
}

interface Duplicate {
  channel: ChannelId;
  keyField: string;
  key: string;
  sku: string;
  file: string;
  /** The kept item's line first, then each left-out item's, in catalog order (at most LINES_KEPT). */
  lines: number[];
  count: number;
}

// Lines named per duplicated key; a key repeated thousands of times is counted, not listed.
const LINES_KEPT = 100;
const LINES_SHOWN = 20;

/**
 * One item per channel key, across the whole feed: batch outputs come here on the main thread in
 * catalog order (from the inline build and from workers alike), the first accepted item with a key
 * is kept and every later one is turned into a rejected item and its entries taken out of each feed
 * of the channel. `issues()` gives one `duplicate_key` error per key found more than once.
 */
export class DuplicateKeys {
  private readonly registry: KeyRegistry;
  private readonly index = new Map<ChannelId, number>();
  private readonly found = new Map<string, Duplicate>();

  constructor(private readonly channels: readonly KeyedChannel[]) {
    this.registry = new KeyRegistry(Math.max(1, channels.length));
    channels.forEach((channel, position) => this.index.set(channel.id, position));
  }

  /** Leaves out of `output`, in place, the items whose key an earlier item of the run has. */
  exclude(output: BatchOutput, file: string): void {
    for (const channel of this.channels) {
      const batch = output.channels[channel.id];
      if (batch) this.excludeFrom(channel, batch, file);
    }
  }

  /** One error per duplicated key, naming every line, in the order the keys were found. */
  issues(): ReportedItemIssue[] {
    return [...this.found.values()].map((duplicate) => {
      const { keyField, key, count, lines, file } = duplicate;
      const shown = lines.slice(0, LINES_SHOWN).join(", ");
      const more = count > LINES_SHOWN ? `, … (${count - LINES_SHOWN} more)` : "";
      return {
        severity: "error",
        code: "duplicate_key",
        field: keyField,
        message:
          `${keyField} "${key}" appears ${count} times (${basename(file)}:${shown}${more}); ` +
          `the first is kept, the others are left out`,
        channel: duplicate.channel,
        sku: duplicate.sku,
        file,
        line: lines[0]!,
        lines: [...lines],
      };
    });
  }

  private excludeFrom(channel: KeyedChannel, batch: ChannelBatchOutput, file: string): void {
    const position = this.index.get(channel.id)!;
    const { keys, lines, skus, warned } = batch.acceptedKeys;
    let drop: number[] | undefined;
    for (let item = 0; item < keys.length; item += 1) {
      const key = keys[item]!;
      const line = lines[item]!;
      const first = this.registry.firstLineOf(position, key, line);
      if (first === undefined) continue;
      (drop ??= []).push(item);
      batch.accepted -= 1;
      batch.rejected += 1;
      batch.duplicates += 1;
      if (warned[item]) batch.warned -= 1;
      const id = `${channel.id}\u0000${key}`;
      let duplicate = this.found.get(id);
      if (!duplicate) {
        duplicate = {
          channel: channel.id,
          keyField: channel.keyField,
          key,
          sku: skus[item] || key,
          file,
          lines: [first],
          count: 1,
        };
        this.found.set(id, duplicate);
      }
      duplicate.count += 1;
      if (duplicate.lines.length < LINES_KEPT) duplicate.lines.push(line);
    }
    if (!drop) return;
    if (batch.records) markDuplicateRecords(batch.records, drop, channel.keyField);
    for (const [feedId, entries] of Object.entries(batch.feeds)) {
      // Every feed renders one entry per accepted item (local inventory: all store rows of it).
      if (entries.ends.length !== keys.length) {
        throw new Error(`feed ${feedId} has ${entries.ends.length} entries for ${keys.length} items`);
      }
      batch.feeds[feedId] = withoutEntries(entries, drop);
    }
  }
}

// The records of left-out items become rejected ones: the first item with the key is published.
function markDuplicateRecords(records: PublishRecord[], drop: readonly number[], keyField: string): void {
  const dropped = new Set(drop);
  let accepted = 0;
  for (const record of records) {
    if (record.status !== "accepted") continue;
    if (dropped.has(accepted)) {
      record.status = "rejected";
      delete record.valuesJson;
      delete record.hashes;
      record.issues = [
        {
          severity: "error",
          code: "duplicate_key",
          field: keyField,
          message: `${keyField} "${record.key}" is taken by an earlier item; this one is left out`,
        },
        ...record.issues,
      ];
    }
    accepted += 1;
  }
}

/** A consumer of batch outputs in catalog order, and what to call once the last one is in. */
export interface KeyedConsumer {
  consume: (output: BatchOutput) => Promise<void>;
  /** Hands the `duplicate_key` issues to the consumer, in an output of their own, if any. */
  finish: () => Promise<void>;
}

/**
 * Puts the one-item-per-key rule in front of `consume`: each output, taken in catalog order, loses
 * the items an earlier one has the key of, and `finish` adds the `duplicate_key` issues last. Every
 * producer of outputs (the build streamed from the catalog, chunks read back from their spools)
 * goes through this one function, so their feeds and issues cannot differ.
 */
export function oneItemPerKey(
  run: PreparedRun,
  consume: (output: BatchOutput) => Promise<void>,
): KeyedConsumer {
  const duplicates = new DuplicateKeys(
    run.channels.map(({ channel }) => ({ id: channel.id, keyField: channel.keyField })),
  );
  return {
    consume: (output) => {
      duplicates.exclude(output, run.catalog.file);
      return consume(output);
    },
    finish: async () => {
      const issues = duplicates.issues();
      if (issues.length > 0) await consume(duplicateIssuesOutput(issues));
    },
  };
}

// An output that only carries the duplicate-key issues, each under its channel.
function duplicateIssuesOutput(issues: readonly ReportedItemIssue[]): BatchOutput {
  const output: BatchOutput = {
    records: 0,
    bytesRead: 0,
    products: 0,
    variants: 0,
    rowIssues: [],
    channels: {},
  };
  for (const issue of issues) {
    const channel: ChannelBatchOutput = (output.channels[issue.channel] ??= emptyChannelOutput());
    channel.issues.push(issue);
  }
  return output;
}
