import { OmnifeedError } from "../core/errors.js";
import type { FeedFormat } from "../feeds/format.js";
import type { ChannelDescriptor } from "../mapping/types.js";
import { amazonChannel } from "./amazon/index.js";
import type { Channel } from "./channel.js";
import { googleChannel } from "./google/index.js";
import { metaChannel } from "./meta/index.js";

/** Every channel omnifeed knows, registered by hand. */
export const channels: readonly Channel[] = [googleChannel, metaChannel, amazonChannel];

/** The channel with this id; an unknown id is a configuration error. */
export function channelById(id: string): Channel {
  const channel = channels.find((candidate) => candidate.id === id);
  if (!channel) {
    throw new OmnifeedError(
      "config",
      `unknown channel "${id}" (known: ${channels.map((known) => known.id).join(", ")})`,
    );
  }
  return channel;
}

/** The feed format with this id and the channel that writes it; an unknown id is a configuration error. */
export function feedById(id: string): { channel: Channel; feed: FeedFormat } {
  for (const channel of channels) {
    const feed = channel.feeds.find((candidate) => candidate.id === id);
    if (feed) return { channel, feed };
  }
  const known = channels.flatMap((channel) => channel.feeds.map((feed) => feed.id));
  throw new OmnifeedError("config", `unknown feed "${id}" (known: ${known.join(", ")})`);
}

/** What the mapping needs to know about a channel. */
export function descriptorOf<S>(channel: Channel<S>): ChannelDescriptor<S> {
  return {
    id: channel.id,
    fieldNames: channel.fields.map((field) => field.name),
    settingsSchema: channel.settingsSchema,
    accountKeys: Object.keys(channel.accountSchema.shape),
    defaultMappingFile: channel.defaultMappingFile,
  };
}
