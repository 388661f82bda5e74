import type { z } from "zod";
import type { Availability, Dimensions, LocationStock, Product, Variant, Weight } from "../core/catalog.js";
import type { ChannelId } from "../core/ids.js";
import type { ItemIssue } from "../core/issues.js";
import type { Money } from "../core/money.js";

/** What a mapped field holds. Channels turn these into their own spellings. */
export type FieldValue =
  string | number | boolean | Money | Weight | Dimensions | LocationStock | readonly FieldValue[] | undefined;

/** Stock as offered to one channel, after its allocation policy. */
export interface AllocatedStock {
  /** Units offered; `undefined` when the catalog does not track stock for the variant. */
  quantity: number | undefined;
  /** Units offered per location (store code), same policy applied per location. */
  locations: LocationStock[];
  /**
   * `preorder`/`backorder`/`out_of_stock` from the catalog are kept; otherwise in or out of stock
   * from the offered quantity (in stock when untracked).
   */
  availability: Availability;
}

export interface TraceStep {
  kind: "allocation" | "field" | "rule" | "filter" | "override";
  /** Field name, rule id or filter id. */
  id: string;
  detail: string;
}

export interface MappingResult {
  /** Set when a filter dropped the item; fields are still filled in for `explain`. */
  excludedBy?: { filter: string; reason: string };
  /** Output field → value, in the mapping's field order; `undefined` means absent. */
  fields: Record<string, FieldValue>;
  stock: AllocatedStock;
  /** Ids of the rules whose condition held. */
  firedRules: string[];
  /** Problems met while mapping, e.g. a lookup miss (warnings) or a bad transform input. */
  issues: ItemIssue[];
  /** Filled only when asked for (`explain`). */
  trace?: TraceStep[];
}

/** What the mapping needs to know about a channel; kept apart from `Channel` to avoid a cycle. */
export interface ChannelDescriptor<S = unknown> {
  id: ChannelId;
  /** Output field names the channel knows; anything else in a mapping file is an error. */
  fieldNames: readonly string[];
  /** Validates the `settings:` block of the mapping file (after merging) with the account over it. */
  settingsSchema: z.ZodType<S>;
  /** Settings of the account (omnifeed.config.yaml, `--set`): a mapping file must not set them. */
  accountKeys?: readonly string[];
  /** Absolute path of the built-in `channel-mappings/<id>.yaml`. */
  defaultMappingFile: string;
}

export interface CompiledMapping<S = unknown> {
  channel: ChannelId;
  /** Files the mapping was read from, the built-in default first. */
  files: readonly string[];
  settings: S;
  /** Feed ids written when none are asked for. */
  feeds: readonly string[] | undefined;
  /** Output fields in declared order: the columns of tabular feeds. */
  fieldNames: readonly string[];
  /** Pure and deterministic: no I/O, no clock. */
  evaluate(product: Product, variant: Variant, options?: { trace?: boolean }): MappingResult;
}
