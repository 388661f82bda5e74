import type { ChannelId } from "../core/ids.js";
import type { ChangeOp, ChannelIssue, ItemOutcome, PublishValues, Section } from "../core/publish.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";

/**
 * One change to send: what the delta planner (`sync/delta-plan.ts`) decided for one item key.
 * A `create` carries every section; an `update` names the sections whose hash changed, and the
 * channel sends only those (its cheap path); a `delete` carries the key alone.
 */
export interface Change {
  op: ChangeOp;
  key: string;
  /** `create`: every section; `update`: the changed ones; `delete`: none. */
  sections: readonly Section[];
  /** The item's typed values (`create`, `update`); every field, whichever sections changed. */
  values?: PublishValues;
  /** The channel's id of the item, when a previous publish learnt it. */
  remoteId?: string;
}

/** What the channel holds for one item now, in the same typed values the build yields. */
export interface RemoteItem {
  key: string;
  /** The fields the channel reports, read back into typed values (`Money`, numbers…). */
  values: PublishValues;
  /** `active`: live; `rejected`: the channel disapproved or suppressed it; `pending`: not yet processed. */
  status: "active" | "rejected" | "pending";
  issues: ChannelIssue[];
  remoteId?: string;
}

/** What a publisher gets from the run: cancellation, the account's shared quota, a clock for tests. */
export interface PublishContext {
  signal: AbortSignal;
  /** The account's token bucket (shared through Redis by every process, or per process). */
  limiter: RateLimiter;
}

/**
 * A channel's API, for one account: sends changes and reads back what it holds. All HTTP lives in
 * the channel's `client.ts`; the publisher turns typed values into the channel's payloads and the
 * channel's answers into per-item outcomes. Registered in `channels/publishers.ts`.
 */
export interface ChannelPublisher {
  channel: ChannelId;
  /**
   * Names the account the state and the token bucket are kept under, e.g. `123456789/10987654321`
   * (merchant id / data source). Never a secret.
   */
  account: string;
  /** The most changes one `send` takes (Meta: 5,000 requests per items_batch call). */
  maxBatch: number;
  /**
   * For APIs called once per item: how many changes go to one `send`, so their outcomes are stored
   * this often. A worker killed mid-publish has sent at most this many changes whose outcomes were
   * not yet stored; the job's next attempt sends those again (an upsert on the channel).
   */
  checkpointEvery?: number;
  /**
   * Sends the changes and waits until the channel has processed them (polling a batch or a feed
   * where the channel works asynchronously). Returns one outcome per change, in any order. Throws
   * only when the whole call cannot go on (bad credentials: `auth`; bad settings: `config`).
   */
  send(changes: readonly Change[], context: PublishContext): Promise<ItemOutcome[]>;
  /** Every item the channel holds for the account, page by page. */
  list(context: PublishContext): AsyncIterable<RemoteItem[]>;
  /** The items with these keys, as the channel holds them; a key it does not hold is left out. */
  get(keys: readonly string[], context: PublishContext): Promise<RemoteItem[]>;
  /**
   * Asks the channel to check creates without applying them (Amazon's `mode=VALIDATION_PREVIEW`),
   * for `omnifeed validate --remote`: `accepted` or `rejected` with the channel's issues, per
   * change. Absent when the channel's API has no such check.
   */
  preview?(changes: readonly Change[], context: PublishContext): Promise<ItemOutcome[]>;
}

/**
 * How a channel publishes: builds its publisher from the account settings (`channels.<id>.account`:
 * ids, endpoints, where the secrets are) and says the API's rate limit. Registered in
 * `channels/publishers.ts`.
 */
export interface PublisherDefinition {
  channel: ChannelId;
  /** The publisher has `preview` (the API checks items without applying them). */
  previews?: boolean;
  /**
   * Checks the account settings needed to publish (a `config` error names the missing key) and
   * reads the secrets they point at. Makes no call.
   */
  create(account: Readonly<Record<string, unknown>>): Promise<ChannelPublisher>;
  /** The rate limit for the account's write calls: the account's `rate_limit` setting or the published one. */
  rateLimit(account: Readonly<Record<string, unknown>>): RateLimit;
  /**
   * Updates the channel wants per item per window (Google: about two per product per day); the
   * planner defers what goes beyond. `undefined`: no budget.
   */
  updateBudget?(
    account: Readonly<Record<string, unknown>>,
  ): { updates: number; windowMs: number } | undefined;
}
