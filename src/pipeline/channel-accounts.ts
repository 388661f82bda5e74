import type { Channel } from "../channels/channel.js";
import type { ChannelPublisher, PublishContext } from "../channels/publisher.js";
import { publisherOf } from "../channels/publishers.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import type { UpdateBudget } from "../sync/delta-plan.js";
import type { PreparedChannel, PreparedRun } from "./plan.js";

/** One channel account of a run, ready to publish to: its API, quota, budget and state scope. */
export interface ChannelAccount {
  channel: Channel;
  publisher: ChannelPublisher;
  context: PublishContext;
  budget: UpdateBudget | undefined;
  /** The state scope: `<workspace>/<channel>/<account>`. */
  scope: string;
}

export interface AccountOptions {
  workspace: string;
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  signal: AbortSignal;
}

/**
 * Builds a channel's publisher from its account settings (a missing key or secret is a `config`
 * error naming it, before the catalog is read) with the account's token bucket, keyed by channel
 * and account so every process publishing to it shares one.
 */
export async function openChannelAccount(
  { channel, account }: Pick<PreparedChannel, "channel" | "account">,
  options: AccountOptions,
): Promise<ChannelAccount> {
  const definition = publisherOf(channel.id);
  const settings = account ?? {};
  const publisher = await definition.create(settings);
  return {
    channel,
    publisher,
    context: {
      signal: options.signal,
      limiter: options.limiterFor(`${channel.id}:${publisher.account}`, definition.rateLimit(settings)),
    },
    budget: definition.updateBudget?.(settings),
    scope: `${options.workspace}/${channel.id}/${publisher.account}`,
  };
}

/** Every channel account of the run, opened together (all settings checked before any work). */
export function openChannelAccounts(run: PreparedRun, options: AccountOptions): Promise<ChannelAccount[]> {
  return Promise.all(run.channels.map((channel) => openChannelAccount(channel, options)));
}
