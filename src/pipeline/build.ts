import type { ChannelId } from "../core/ids.js";
import type { ItemIssue, RowIssue } from "../core/issues.js";
import type { PublishRecord } from "../core/publish.js";
import { sectionHashes } from "../sync/section-hashes.js";
import type { Channel, ItemResult } from "../channels/channel.js";
import { transformVariant } from "../channels/channel.js";
import { channelById, descriptorOf } from "../channels/registry.js";
import type { EncodedEntries } from "../feeds/encoded-entries.js";
import { encodeEntries } from "../feeds/encoded-entries.js";
import type { FeedFormat } from "../feeds/format.js";
import { loadMapping } from "../mapping/load.js";
import type { CompiledMapping } from "../mapping/types.js";
import type { SourceDecoder } from "../sources/decoders.js";
import { decoderFor } from "../sources/decoders.js";
import type { RecordBatch, SourceFormat } from "../sources/source.js";
import { heldVariant } from "./held-stock.js";

/**
 * The build: raw record batches → canonical products → per channel, items through the mapping and
 * validation → rendered feed entries. The same function runs inline (one thread) and in build
 * workers, so both paths give byte-identical feeds. Everything here is serialisable plain data.
 */
export interface BuildSpec {
  source: { format: SourceFormat; options: unknown };
  /** Yield a record per variant and channel (typed values and section hashes), for publishing. */
  withRecords?: boolean;
  /** Stock holds (adr/0028): SKU → units sold that the catalog may not show yet. Absent: none. */
  holds?: Record<string, number>;
  channels: {
    id: ChannelId;
    mappingFile: string | undefined;
    account: Readonly<Record<string, unknown>> | undefined;
    feeds: string[];
  }[];
}

/** One item issue as reported: the issue plus which item and where it came from. */
export interface ReportedItemIssue extends ItemIssue {
  channel: ChannelId;
  sku: string;
  file: string;
  line: number;
  /** Every line involved, for an issue about several items (`duplicate_key`); `line` is the first. */
  lines?: number[];
  /** Store catalogs: the store's ids of the product and variant (`<product id>/<variant id>`). */
  ref?: string;
}

/**
 * The channel key of each accepted item of a batch, in catalog order, with what the main thread
 * needs to leave out a duplicate: its line, its SKU (`""` when it is the key itself) and whether it
 * was counted among the items with warnings. Entry `i` of every feed belongs to item `i`.
 */
export interface AcceptedKeys {
  keys: string[];
  lines: number[];
  skus: string[];
  warned: boolean[];
}

export interface ChannelBatchOutput {
  variants: number;
  accepted: number;
  rejected: number;
  filtered: number;
  /** Filter id → reason and count. */
  filteredBy: Record<string, { reason: string; count: number }>;
  /** Accepted items that carry warnings. */
  warned: number;
  /** Items left out because an earlier item has their key; counted in `rejected` too. */
  duplicates: number;
  issues: ReportedItemIssue[];
  acceptedKeys: AcceptedKeys;
  /** Feed id → rendered entries as UTF-8, in catalog order. */
  feeds: Record<string, EncodedEntries>;
  /** One record per variant, in catalog order, when the spec asks for them (`withRecords`). */
  records?: PublishRecord[];
}

export interface BatchOutput {
  records: number;
  bytesRead: number;
  products: number;
  variants: number;
  rowIssues: RowIssue[];
  channels: Partial<Record<ChannelId, ChannelBatchOutput>>;
}

interface PreparedChannel {
  channel: Channel;
  mapping: CompiledMapping;
  feeds: FeedFormat[];
}

export type BatchBuilder = (batch: RecordBatch) => BatchOutput;

/**
 * Compiles what the spec names, once: a worker loads the mapping files itself; the main thread
 * passes the mappings it compiled already (`compiled`), so a run never reads them twice, and may
 * pass the run's own source (`decoder`) instead of the registry's.
 */
export function createBatchBuilder(
  spec: BuildSpec,
  compiled?: ReadonlyMap<ChannelId, CompiledMapping>,
  decoder?: SourceDecoder,
): BatchBuilder {
  const source = decoder ?? decoderFor(spec.source.format);
  const holds = spec.holds ? new Map(Object.entries(spec.holds)) : undefined;
  const sourceOptions = source.optionsSchema.parse(spec.source.options);
  const prepared: PreparedChannel[] = spec.channels.map((entry) => {
    const channel = channelById(entry.id);
    const mapping =
      compiled?.get(entry.id) ?? loadMapping(descriptorOf(channel), entry.mappingFile, entry.account);
    const feeds = entry.feeds.map((feedId) => feedOf(channel, feedId));
    return { channel, mapping, feeds };
  });

  return (batch) => {
    const decoded = source.decode(batch, sourceOptions);
    const output: BatchOutput = {
      records: batch.records,
      bytesRead: batch.bytesRead,
      products: decoded.entries.length,
      variants: 0,
      rowIssues: batch.issues.length > 0 ? [...batch.issues, ...decoded.issues] : decoded.issues,
      channels: {},
    };
    for (const entry of decoded.entries) output.variants += entry.product.variants.length;

    const results = prepared.map(() => emptyChannelOutput());
    if (spec.withRecords) for (const result of results) result.records = [];
    const accepted = prepared.map((): unknown[] => []);
    // Variant by variant, every channel in turn: the channels share the product's work (its
    // description stripped once, not three times).
    for (const { product, origin } of decoded.entries) {
      product.variants.forEach((read, index) => {
        // Only a run with holds pays for the lookup (the 1M export has none).
        const variant = holds ? heldVariant(read, holds.get(read.sku)) : read;
        const line = origin.variantLines[index] ?? origin.line;
        const where = origin.ids
          ? { file: origin.file, line, ref: `${origin.ids.product}/${origin.ids.variants[index] ?? "?"}` }
          : { file: origin.file, line };
        prepared.forEach(({ channel, mapping }, position) => {
          const result = results[position]!;
          const item = transformVariant(channel, mapping, product, variant);
          result.variants += 1;
          result.records?.push(recordOf(channel, item, line));
          if (item.status === "filtered" && item.excludedBy) {
            result.filtered += 1;
            const counted = (result.filteredBy[item.excludedBy.filter] ??= {
              reason: item.excludedBy.reason,
              count: 0,
            });
            counted.count += 1;
            return;
          }
          // A filtered item's problems do not matter to the channel; the others' are reported.
          for (const issue of item.issues) {
            result.issues.push({ ...issue, channel: channel.id, sku: item.sku, ...where });
          }
          if (item.status === "rejected") {
            result.rejected += 1;
          } else {
            result.accepted += 1;
            if (item.issues.length > 0) result.warned += 1;
            accepted[position]!.push(item.item);
            const keys = result.acceptedKeys;
            const key = channel.keyOf(item.item);
            keys.keys.push(key);
            keys.lines.push(line);
            keys.skus.push(item.sku === key ? "" : item.sku);
            keys.warned.push(item.issues.length > 0);
          }
        });
      });
    }
    prepared.forEach(({ channel, mapping, feeds }, position) => {
      const result = results[position]!;
      for (const feed of feeds) {
        result.feeds[feed.id] = encodeEntries(
          feed.render(accepted[position]!, mapping.settings, mapping.fieldNames),
        );
      }
      output.channels[channel.id] = result;
    });
    return output;
  };
}

// Only an accepted item is published, so only it carries values and hashes.
export function recordOf(channel: Channel, item: ItemResult, line: number): PublishRecord {
  const key = item.item === undefined ? "" : channel.keyOf(item.item);
  const record: PublishRecord = { key, sku: item.sku, line, status: item.status, issues: item.issues };
  if (item.status === "accepted" && item.item !== undefined) {
    const values = channel.publishValues(item.item);
    record.hashes = sectionHashes(values, (field) => channel.sectionOf(field));
    record.valuesJson = JSON.stringify(values);
  }
  return record;
}

/** A channel's output of a batch before any item: all counts zero, no entries. */
export function emptyChannelOutput(): ChannelBatchOutput {
  return {
    variants: 0,
    accepted: 0,
    rejected: 0,
    filtered: 0,
    filteredBy: {},
    warned: 0,
    duplicates: 0,
    issues: [],
    acceptedKeys: { keys: [], lines: [], skus: [], warned: [] },
    feeds: {},
  };
}

export function feedOf(channel: Channel, feedId: string): FeedFormat {
  const feed = channel.feeds.find((candidate) => candidate.id === feedId);
  if (!feed) throw new Error(`channel ${channel.id} has no feed ${feedId}`);
  return feed;
}
