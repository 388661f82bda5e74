import { channelById } from "../channels/registry.js";
import { OmnifeedError } from "../core/errors.js";
import type { ChannelId } from "../core/ids.js";
import { ChannelIdSchema } from "../core/ids.js";
import { didYouMean } from "../core/did-you-mean.js";

/** `--set` values per channel: key → text, in the order given (a later one wins). */
export type AccountFlags = ReadonlyMap<ChannelId, Readonly<Record<string, string>>>;

const SET_SHAPE = "--set expects <channel>.<key>=<value>, e.g. amazon.seller_id=A1EXAMPLE";

/**
 * Parses repeated `--set <channel>.<key>=<value>`. Only account keys may be set this way (adr/0009);
 * an unknown channel or key is a usage error that names the valid ones.
 */
export function parseAccountFlags(values: readonly string[]): AccountFlags {
  const accounts = new Map<ChannelId, Record<string, string>>();
  for (const value of values) {
    const equals = value.indexOf("=");
    const dot = value.indexOf(".");
    if (equals < 0 || dot <= 0 || dot > equals)
      throw new OmnifeedError("config", `${SET_SHAPE}; got "${value}"`);
    const channelText = value.slice(0, dot);
    const key = value.slice(dot + 1, equals);
    const id = ChannelIdSchema.safeParse(channelText);
    if (!id.success) {
      throw new OmnifeedError(
        "config",
        `--set ${value}: unknown channel "${channelText}"${didYouMean(channelText, ChannelIdSchema.options)} ` +
          `(known: ${ChannelIdSchema.options.join(", ")})`,
      );
    }
    const known = Object.keys(channelById(id.data).accountSchema.shape);
    if (!known.includes(key)) {
      const valid = known.length
        ? `valid keys: ${known.map((name) => `${id.data}.${name}`).join(", ")}`
        : `${id.data} has no account settings`;
      throw new OmnifeedError(
        "config",
        `--set ${value}: unknown setting "${key}"${didYouMean(key, known)}; ${valid}`,
      );
    }
    accounts.set(id.data, { ...accounts.get(id.data), [key]: value.slice(equals + 1) });
  }
  return accounts;
}

/**
 * A channel's account: the config file's `channels.<id>.account` with `--set` over it, checked
 * against the channel's account schema.
 */
export function resolveAccount(
  id: ChannelId,
  fromFile: Readonly<Record<string, unknown>> | undefined,
  fromFlags: Readonly<Record<string, string>> | undefined,
): Record<string, unknown> {
  const parsed = channelById(id).accountSchema.safeParse({ ...fromFile, ...fromFlags });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const given = fromFlags?.[key] !== undefined ? `--set ${id}.${key}` : `channels.${id}.account.${key}`;
    return `${given}: ${issue.message}`;
  });
  throw new OmnifeedError("config", problems.join("; "));
}
