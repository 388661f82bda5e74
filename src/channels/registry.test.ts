import { existsSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { ChannelIdSchema } from "../core/ids.js";
import { channelById, channels, descriptorOf, feedById } from "./registry.js";

describe("channel registry", () => {
  it("registers every channel id once", () => {
    expect(channels.map((channel) => channel.id).sort()).toEqual([...ChannelIdSchema.options].sort());
  });

  it("finds channels and feeds by id", () => {
    expect(channelById("meta").title).toBe("Meta catalog");
    const { channel, feed } = feedById("google-local-inventory");
    expect(channel.id).toBe("google");
    expect(feed.fileName(undefined, 1)).toBe("google-local-inventory.tsv");
  });

  it("reports unknown ids as configuration errors", () => {
    expect(() => channelById("ebay")).toThrow(/unknown channel "ebay" \(known: google, meta, amazon\)/);
    try {
      feedById("google-atom");
      expect.unreachable();
    } catch (error) {
      expect(isOmnifeedError(error, "config")).toBe(true);
    }
  });

  it("gives unique feed ids, default feeds the channel writes, and unique field names", () => {
    const feedIds = channels.flatMap((channel) => channel.feeds.map((feed) => feed.id));
    expect(new Set(feedIds).size).toBe(feedIds.length);
    for (const channel of channels) {
      for (const id of channel.defaultFeeds) expect(channel.feeds.map((feed) => feed.id)).toContain(id);
      const names = channel.fields.map((field) => field.name);
      expect(new Set(names).size, channel.id).toBe(names.length);
      for (const field of channel.fields)
        expect(field.description, `${channel.id}.${field.name}`).not.toBe("");
    }
  });

  it("describes a channel for the mapping", () => {
    const google = channelById("google");
    const descriptor = descriptorOf(google);
    expect(descriptor.id).toBe("google");
    expect(descriptor.fieldNames[0]).toBe("id");
    expect(descriptor.fieldNames).toContain("custom_label_4");
    expect(descriptor.settingsSchema).toBe(google.settingsSchema);
    expect(basename(descriptor.defaultMappingFile)).toBe("google.yaml");
    for (const channel of channels) expect(existsSync(channel.defaultMappingFile), channel.id).toBe(true);
  });
});
