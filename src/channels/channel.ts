import type { z } from "zod";
import type { Product, Variant } from "../core/catalog.js";
import type { ChannelId } from "../core/ids.js";
import { hasErrors, type ItemIssue } from "../core/issues.js";
import type { PublishValues, Section } from "../core/publish.js";
import type { FeedFormat } from "../feeds/format.js";
import type { CompiledMapping, MappingResult, TraceStep } from "../mapping/types.js";

/** A channel's account schema: a flat object, so `--set <channel>.<key>=<value>` can name every key. */
export type AccountSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;

export interface ChannelField {
  name: string;
  description: string;
}

/**
 * A sales channel: the fields its mapping may fill, how mapped fields become its item, its
 * published rules, and the feed files it can write. Registered by hand in `channels/registry.ts`.
 */
export interface Channel<Settings = unknown, Item = unknown> {
  id: ChannelId;
  title: string;
  /** The settings the channel works with: the mapping's `settings:` block and the account, merged. */
  settingsSchema: z.ZodType<Settings>;
  /**
   * `channels.<id>.account` in omnifeed.config.yaml and `--set <id>.<key>=…`: who sells, where.
   * Its keys are not allowed in mapping files (adr/0009).
   */
  accountSchema: AccountSchema;
  fields: readonly ChannelField[];
  /** Absolute path of `channel-mappings/<id>.yaml`. */
  defaultMappingFile: string;
  feeds: readonly FeedFormat<Item, Settings>[];
  /** Feeds written when neither the command line nor the mapping names any. */
  defaultFeeds: readonly string[];
  /** Pure: mapped fields → the channel's item. Structural problems (unreadable price) are issues. */
  toItem(mapped: MappingResult, settings: Settings): { item: Item; issues: ItemIssue[] };
  /** The channel's published rules for one item; `error` excludes it, `warning` keeps it. */
  validate(item: Item, settings: Settings): ItemIssue[];
  /** The channel's name for the item key, as in the mapping: `id`, `sku`. */
  keyField: string;
  /**
   * The key the channel knows an accepted item by, exactly as every feed format of the channel
   * writes it (cleaned once by `toItem`). Unique within a feed: a later item with the same key is
   * left out. Publishing state is keyed by it too.
   */
  keyOf(item: Item): string;
  /**
   * The item as typed values for the channel's API (`core/publish.ts`): money as `Money`, counts
   * as numbers, flags as booleans. Feed files render the item itself; API payloads render these.
   */
  publishValues(item: Item): PublishValues;
  /** The section (content, price, inventory) a field of `publishValues` belongs to. */
  sectionOf(field: string): Section;
}

export type ItemStatus = "accepted" | "filtered" | "rejected";

/** What became of one variant on one channel. */
export interface ItemResult<Item = unknown> {
  sku: string;
  status: ItemStatus;
  /** Present unless the mapping failed outright. */
  item?: Item;
  /** Mapping issues and validation issues, errors first. */
  issues: ItemIssue[];
  excludedBy?: { filter: string; reason: string };
  firedRules: string[];
  mapped: MappingResult["fields"];
  trace?: TraceStep[];
}

/** The channel transform: mapping, overrides, shaping and validation of one variant. Pure. */
export function transformVariant<S, I>(
  channel: Channel<S, I>,
  mapping: CompiledMapping<S>,
  product: Product,
  variant: Variant,
  options: { trace?: boolean } = {},
): ItemResult<I> {
  const mapped = mapping.evaluate(product, variant, options);
  const { item, issues: shapeIssues } = channel.toItem(mapped, mapping.settings);
  const issues = [...mapped.issues, ...shapeIssues, ...channel.validate(item, mapping.settings)];
  issues.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  const base = {
    sku: variant.sku,
    item,
    issues,
    firedRules: mapped.firedRules,
    mapped: mapped.fields,
    ...(mapped.trace ? { trace: mapped.trace } : {}),
  };
  if (mapped.excludedBy) return { ...base, status: "filtered", excludedBy: mapped.excludedBy };
  const rejected = hasErrors(issues);
  return { ...base, status: rejected ? "rejected" : "accepted" };
}
