import type { ItemIssue } from "./issues.js";
import type { Money } from "./money.js";

/**
 * What publishing to a channel's API works with: an item as typed values split in sections, the
 * outcome the channel gave each item, and the issues in the channel's own words. Pure types: the
 * build makes records, `sync/` plans and stores, each channel's `publish.ts` renders and sends.
 */

/**
 * Every field of a channel item belongs to one section, so a price-only or stock-only change can
 * take the channel's cheap path (Merchant API update mask, Meta UPDATE with a few fields, Amazon
 * PATCH of one attribute) and a no-op change sends nothing.
 */
export const SECTIONS = ["content", "price", "inventory"] as const;
export type Section = (typeof SECTIONS)[number];

/** One hash per section of an item's channel payload (base64url, from `sync/section-hashes.ts`). */
export type SectionHashes = Readonly<Record<Section, string>>;

/**
 * A value of an item as the channel's API takes it before its own spelling: money stays `Money`
 * (not `"15.00 USD"`), counts stay numbers, flags booleans, lists arrays.
 */
export type PublishValue =
  string | number | boolean | Money | readonly PublishValue[] | { readonly [key: string]: PublishValue };

/** An item's fields by the channel's field name; absent fields are not keys. */
export type PublishValues = Readonly<Record<string, PublishValue>>;

/** A problem the channel itself reported about an item, kept verbatim (codes are the channel's). */
export interface ChannelIssue {
  code: string;
  message: string;
  severity: "error" | "warning" | "info";
  /** The channel's attribute, when it names one (`price`, `purchasable_offer.our_price`). */
  attribute?: string;
}

/** What the channel did with one change. */
export type OutcomeStatus =
  /** Taken by the channel (it may still disapprove it later: reconcile finds that). */
  | "accepted"
  /** Refused by the channel for this item; sending it again unchanged would be refused again. */
  | "rejected"
  /** Not applied for a reason that is not the item's (retries exhausted, run stopped): sent again next run. */
  | "failed";

export type ChangeOp = "create" | "update" | "delete";

/** The outcome of one change, one per change sent. */
export interface ItemOutcome {
  key: string;
  op: ChangeOp;
  status: OutcomeStatus;
  issues: ChannelIssue[];
  /** The channel's own id of the item (Merchant API product name, Meta product id, Amazon ASIN). */
  remoteId?: string;
  /** For `failed`: why, without secrets (an error kind and message). */
  error?: string;
}

/**
 * What the build yields for one variant on one channel when publishing: its key, what became of
 * it, and for an accepted item its typed values and section hashes. Feed files are rendered from
 * the same items; API payloads from these values.
 */
export interface PublishRecord {
  /** The channel key; `""` when the item has none (its mapping failed). */
  key: string;
  sku: string;
  /** The catalog line the variant came from. */
  line: number;
  status: "accepted" | "filtered" | "rejected";
  /**
   * Accepted items only: the typed values as JSON text. Build threads hand records over as text
   * (copied as one string, not as a tree of objects), and the planner reads the values only of the
   * items it sends — at a million items, most are unchanged. Read with `valuesOfRecord`.
   */
  valuesJson?: string;
  /** Accepted items only. */
  hashes?: SectionHashes;
  /** omnifeed's own issues with the item (mapping and validation), errors first. */
  issues: ItemIssue[];
}

/** A record's typed values (accepted items); `undefined` for the others. */
export function valuesOfRecord(record: Pick<PublishRecord, "valuesJson">): PublishValues | undefined {
  return record.valuesJson === undefined ? undefined : (JSON.parse(record.valuesJson) as PublishValues);
}
