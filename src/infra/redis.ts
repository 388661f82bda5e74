import { Redis } from "ioredis";
import { OmnifeedError } from "../core/errors.js";

/**
 * The one place omnifeed opens Redis connections (state store, shared token buckets, queues).
 * A Redis that is down must say so in one clear line within a second or two, not hang a CLI run
 * or a worker start; and the URL it names must never show the password it carries.
 */

export interface ConnectRedisOptions {
  /** Shown by `CLIENT LIST` (`omnifeed-state`, `omnifeed-worker`), so an operator can tell connections apart. */
  name?: string;
  /** How long one connection attempt may take (default 2,000 ms). */
  connectTimeoutMs?: number;
  /**
   * A connection for BullMQ queues and workers: commands wait in the offline queue while Redis is
   * away instead of failing after one retry, so a worker rides out a restart (BullMQ requires
   * `maxRetriesPerRequest: null` for its blocking commands).
   */
  forQueues?: boolean;
}

/** What the connection last failed with, kept per connection so a command error can say why. */
const lastFailure = new WeakMap<Redis, string>();
const urls = new WeakMap<Redis, string>();

/** `url` with any password replaced by `***` (and a user kept), safe for logs and messages. */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: it may still hold a secret, so none of it is shown.
    return "(a Redis URL that cannot be parsed)";
  }
  if (parsed.password !== "") parsed.password = "***";
  return parsed.toString();
}

/**
 * Opens a connection to `url` (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS).
 * Connects at once; a command sent while Redis is unreachable fails after one reconnect attempt
 * instead of waiting in the offline queue, so callers see the outage quickly. Reconnection goes on
 * in the background (capped at 2 s apart), so a worker rides out a Redis restart.
 */
export function connectRedis(url: string, options: ConnectRedisOptions = {}): Redis {
  const shown = redactRedisUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OmnifeedError("config", `${shown}: expected redis://[user:password@]host:port[/db]`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new OmnifeedError("config", `${shown}: expected a redis:// or rediss:// URL`);
  }
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: options.forQueues ? null : 1,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
  });
  urls.set(redis, url);
  // Without a listener ioredis prints every connection error to stderr itself; the error is kept
  // to explain the next failing command instead.
  redis.on("error", (error: Error) => lastFailure.set(redis, describe(error)));
  redis.on("ready", () => lastFailure.delete(redis));
  return redis;
}

/**
 * Resolves once `redis` is ready; a Redis that cannot be reached within `timeoutMs` (default
 * 3,000 ms) gives `transient` "cannot reach Redis at redis://host:port: <why>", a refused password
 * `auth`. Open-time callers (the state store, a worker start) wait on it, so a wrong URL is one
 * clear line at the start rather than a failure deep inside a run.
 */
export async function whenRedisReady(redis: Redis, timeoutMs = 3_000): Promise<void> {
  if (redis.status === "ready") return;
  try {
    // PING waits for the connection (offline queue) and fails after the reconnect attempts allowed.
    await Promise.race([
      redis.ping(),
      new Promise<never>((_resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
  } catch (error) {
    throw redisFailure(redis, error);
  }
}

/**
 * A Redis command's failure as an OmnifeedError: connection trouble is `transient` with the
 * redacted URL and the socket's reason, a refused password `auth`, anything else `transient`.
 * The ioredis error is not kept as `cause`: it carries the command's arguments (AUTH's password).
 */
export function redisFailure(redis: Redis, error: unknown): OmnifeedError {
  if (error instanceof OmnifeedError) return error;
  const shown = redactRedisUrl(urls.get(redis) ?? "");
  const reason = describe(error);
  const socket = lastFailure.get(redis);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(`${reason} ${socket ?? ""}`)) {
    return new OmnifeedError("auth", `Redis at ${shown} refused the credentials in its URL`);
  }
  if (isRedisConnectionFailure(redis, error)) {
    const why = socket && !reason.includes(socket) ? `${socket} (${reason})` : reason;
    return new OmnifeedError("transient", `cannot reach Redis at ${shown}: ${why}`);
  }
  return new OmnifeedError("transient", `Redis at ${shown} failed: ${reason}`);
}

/**
 * Whether a command failed because the connection is down (Redis restarting, the network cut),
 * rather than because Redis refused the command: only the first is worth waiting out.
 */
export function isRedisConnectionFailure(redis: Redis, error: unknown): boolean {
  return (
    redis.status !== "ready" ||
    /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNRESET|EPIPE|Connection is closed|max retries per request|no answer within/i.test(
      describe(error),
    )
  );
}

/** An error's message, with any URL in it redacted (ioredis names the host, never the password; be sure). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const text = typeof code === "string" && !message.includes(code) ? `${code} ${message}` : message;
  return text.replace(/rediss?:\/\/[^\s]+/g, (match) => redactRedisUrl(match));
}
