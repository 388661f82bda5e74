import type { ChannelIssue, OutcomeStatus, SectionHashes } from "../core/publish.js";

/**
 * What omnifeed remembers of one item on one channel account, so the next publish sends only what
 * changed and `explain` can say what happened to it.
 */
export interface ItemState {
  /** The channel key (Google `id`, Meta `id`, Amazon `sku`). */
  key: string;
  /**
   * The section hashes of the payload last sent and taken (accepted or rejected): what the channel
   * holds as far as we know. `null` when nothing was taken yet (a failed first send).
   */
  hashes: SectionHashes | null;
  /** When the channel last took a change of this item (ms since epoch); 0 when never. */
  publishedAt: number;
  /** The last outcome: accepted, rejected with the channel's issues, or failed (sent again next run). */
  outcome: { status: OutcomeStatus; issues: ChannelIssue[]; at: number; error?: string };
  /** The channel's own id of the item, once known. */
  remoteId?: string;
  /**
   * Updates sent in the current budget window, for channels that ask for few updates per item
   * (Google Merchant API: about two per product per day).
   */
  budget?: { windowStart: number; count: number };
}

/**
 * Where publishing state lives: one embedded file for CLI runs (`state-sqlite.ts`), Redis for
 * workers on several machines (`state-redis.ts`). Both pass `test/conformance/state-store.ts`.
 * A `scope` names one channel account in one workspace (`<workspace>/<channel>/<account>`); scopes
 * never see each other's items.
 */
export interface StateStore {
  readonly backend: "embedded" | "redis";
  /** The states of `keys`, in the same order; `undefined` for a key never stored. */
  get(scope: string, keys: readonly string[]): Promise<(ItemState | undefined)[]>;
  /** Stores each state under its key, replacing what was there. */
  put(scope: string, states: readonly ItemState[]): Promise<void>;
  /** Forgets these keys (after the channel confirmed their delete). */
  remove(scope: string, keys: readonly string[]): Promise<void>;
  /** Every state of the scope, in pages of about `pageSize`, in no set order. */
  scan(scope: string, pageSize?: number): AsyncIterable<ItemState[]>;
  /** How many keys the scope holds. */
  count(scope: string): Promise<number>;
  /**
   * Runs `task` while holding the scope's lock, so two publishes to one account never interleave.
   * Waits up to `waitMs` for the lock, then throws `conflict`. A holder that died loses the lock
   * after `ttlMs`; a live holder keeps it renewed.
   */
  withLock<T>(
    scope: string,
    task: () => Promise<T>,
    options?: { waitMs?: number; ttlMs?: number },
  ): Promise<T>;
  close(): Promise<void>;
}
