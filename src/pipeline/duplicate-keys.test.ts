import { describe, expect, it } from "vitest";
import type { ChannelId } from "../core/ids.js";
import { encodeEntries } from "../feeds/encoded-entries.js";
import type { BatchOutput, ChannelBatchOutput } from "./build.js";
import { DuplicateKeys } from "./duplicate-keys.js";

const FILE = "/shop/catalog.csv";

/** A batch where every item is accepted, with one entry per item in each of two feeds. */
function batchOf(channel: ChannelId, items: { key: string; line: number; warned?: boolean }[]): BatchOutput {
  const output: ChannelBatchOutput = {
    variants: items.length,
    accepted: items.length,
    rejected: 0,
    filtered: 0,
    filteredBy: {},
    warned: items.filter((item) => item.warned).length,
    duplicates: 0,
    issues: [],
    acceptedKeys: {
      keys: items.map((item) => item.key),
      lines: items.map((item) => item.line),
      skus: items.map(() => ""),
      warned: items.map((item) => item.warned ?? false),
    },
    feeds: {
      one: encodeEntries(items.map((item) => `<${item.key}@${item.line}>`)),
      rows: encodeEntries(items.map((item) => `${item.key}\ta\n${item.key}\tb\n`)),
    },
  };
  return {
    records: items.length,
    bytesRead: 0,
    products: items.length,
    variants: items.length,
    rowIssues: [],
    channels: { [channel]: output },
  };
}

function text(output: BatchOutput, channel: ChannelId, feed: string): string {
  return Buffer.from(output.channels[channel]!.feeds[feed]!.bytes).toString();
}

describe("DuplicateKeys", () => {
  it("keeps the first item with a key across batches and takes the later ones out of every feed", () => {
    const duplicates = new DuplicateKeys([{ id: "google", keyField: "id" }]);
    const first = batchOf("google", [
      { key: "MUG-001", line: 12 },
      { key: "TEE-002", line: 13 },
    ]);
    const second = batchOf("google", [
      { key: "TEE-003", line: 39 },
      { key: "MUG-001", line: 40, warned: true },
      { key: "MUG-001", line: 41 },
    ]);
    duplicates.exclude(first, FILE);
    duplicates.exclude(second, FILE);

    expect(text(first, "google", "one")).toBe("<MUG-001@12><TEE-002@13>");
    expect(text(second, "google", "one")).toBe("<TEE-003@39>");
    expect(text(second, "google", "rows")).toBe("TEE-003\ta\nTEE-003\tb\n");
    expect(second.channels.google).toMatchObject({ accepted: 1, rejected: 2, duplicates: 2, warned: 0 });
    expect(duplicates.issues()).toEqual([
      {
        severity: "error",
        code: "duplicate_key",
        field: "id",
        message:
          'id "MUG-001" appears 3 times (catalog.csv:12, 40, 41); the first is kept, the others are left out',
        channel: "google",
        sku: "MUG-001",
        file: FILE,
        line: 12,
        lines: [12, 40, 41],
      },
    ]);
  });

  it("judges each channel on its own keys", () => {
    const duplicates = new DuplicateKeys([
      { id: "google", keyField: "id" },
      { id: "amazon", keyField: "sku" },
    ]);
    const batch = batchOf("google", [
      { key: "A", line: 2 },
      { key: "B", line: 3 },
    ]);
    batch.channels.amazon = batchOf("amazon", [
      { key: "A", line: 2 },
      { key: "A", line: 3 },
    ]).channels.amazon;
    duplicates.exclude(batch, FILE);
    expect(batch.channels.google!.duplicates).toBe(0);
    expect(batch.channels.amazon!.duplicates).toBe(1);
    expect(duplicates.issues().map((issue) => [issue.channel, issue.message])).toEqual([
      ["amazon", 'sku "A" appears 2 times (catalog.csv:2, 3); the first is kept, the others are left out'],
    ]);
  });

  it("leaves a batch without duplicates untouched", () => {
    const duplicates = new DuplicateKeys([{ id: "meta", keyField: "id" }]);
    const batch = batchOf("meta", [{ key: "A", line: 2 }]);
    const feeds = batch.channels.meta!.feeds;
    const before = { ...feeds };
    duplicates.exclude(batch, FILE);
    expect(feeds.one).toBe(before.one);
    expect(duplicates.issues()).toEqual([]);
  });
});
