import type { ChannelId } from "../core/ids.js";
import { isOmnifeedError } from "../core/errors.js";
import type { RemoteItem } from "../channels/publisher.js";
import { openChannelAccount } from "./channel-accounts.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import type { ItemState, StateStore } from "../sync/state-store.js";
import type { ExplainResult } from "./explain.js";
import type { PreparedRun } from "./plan.js";

/**
 * The publishing half of `explain` (ARCHITECTURE.md invariant 7): per channel, the last outcome
 * the state store keeps for the item and what the channel holds now, read from its API.
 */
export interface ExplainPublishing {
  channel: ChannelId;
  key: string;
  /** The state scope the outcome was read from. */
  scope?: string;
  state?: ItemState;
  remote?: RemoteItem;
  /** The channel holds nothing under this key (read from its API). */
  remoteMissing?: boolean;
  /** Why the channel could not be asked (no account settings, an unreachable API…). */
  unavailable?: string;
}

export async function explainPublishing(
  run: PreparedRun,
  explained: ExplainResult,
  options: {
    /** Absent when no state was ever kept here (no embedded state file yet). */
    store: StateStore | undefined;
    workspace: string;
    limiterFor: (key: string, limit: RateLimit) => RateLimiter;
    signal?: AbortSignal;
  },
): Promise<ExplainPublishing[]> {
  const signal = options.signal ?? new AbortController().signal;
  const results: ExplainPublishing[] = [];
  for (const { channel: id, result } of explained.channels) {
    const prepared = run.channels.find(({ channel }) => channel.id === id);
    if (!prepared || result.item === undefined) continue;
    const key = prepared.channel.keyOf(result.item);
    const entry: ExplainPublishing = { channel: id, key };
    results.push(entry);
    try {
      const account = await openChannelAccount(prepared, { ...options, signal });
      entry.scope = account.scope;
      const [state] = options.store ? await options.store.get(entry.scope, [key]) : [];
      if (state) entry.state = state;
      const [remote] = await account.publisher.get([key], account.context);
      if (remote) entry.remote = remote;
      else entry.remoteMissing = true;
    } catch (error) {
      if (!isOmnifeedError(error)) throw error;
      entry.unavailable = error.message;
    }
  }
  return results;
}
