import type { JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { OmnifeedError } from "../core/errors.js";
import type {
  InboxAnswer,
  WebhookDeliveryInput,
  WebhookEventPayload,
  WebhookInbox,
} from "./webhook-events.js";
import {
  DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS,
  WEBHOOK_EVENT_KIND,
  WebhookEventPayloadSchema,
  webhookDedupeIdOf,
} from "./webhook-events.js";

/**
 * The webhook inbox as a Redis stream (adr/0030). The server's receivers append each verified
 * delivery with one script that claims its dedupe key and `XADD`s it, so when `accept` resolves the
 * event is durable and a repeat of it is known. A relay in every worker that runs the fast lane
 * moves the stream's entries into that lane as `webhook-event` jobs in batches (one `addBulk` per
 * batch), where retries, Bull Board, the failed list and the queue gauges apply as to any job.
 *
 * The relay is at-least-once: it acknowledges an entry only once its job is in the queue, and a
 * relay that died holding entries has them taken over by another after {@link RelayOptions.claimIdleMs}.
 * The job id is the entry's (`wh-<entry id>`), so a batch relayed twice adds each job once while
 * that job is kept; the handlers are safe to run twice in any case (`WebhookEventHandler`).
 */

/** The stream of an installation's verified deliveries not yet relayed to the fast lane. */
export function webhookInboxKeyOf(installationPrefix: string): string {
  return `${installationPrefix}webhooks:inbox`;
}

/** Where entries the relay cannot read go (a payload this version does not understand). */
export function webhookDeadLetterKeyOf(installationPrefix: string): string {
  return `${installationPrefix}webhooks:dead`;
}

/** The job that will hold (or holds) a stream entry's event. */
export function webhookJobIdOf(entryId: string): string {
  return `wh-${entryId}`;
}

const RELAY_GROUP = "relay";

// KEYS: dedupe key, stream. ARGV: window ms, payload. A key already set answers the first
// delivery's job id; else the entry is appended and the key set to its job id for the window.
const ACCEPT_SCRIPT = `
local first = redis.call('GET', KEYS[1])
if first then return {0, first} end
local id = redis.call('XADD', KEYS[2], '*', 'payload', ARGV[2])
local job = 'wh-' .. id
redis.call('SET', KEYS[1], job, 'PX', ARGV[1])
return {1, job}
`;

export interface StreamInboxOptions {
  /** How long a dedupe key is remembered (default {@link DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS}). */
  dedupeWindowMs?: number | undefined;
  /** Clock of `receivedAt` (tests). */
  now?: (() => number) | undefined;
}

type AcceptCommand = (
  dedupeKey: string,
  stream: string,
  windowMs: string,
  payload: string,
) => Promise<[number, string]>;

/**
 * The server's inbox: `accept` runs one script (dedupe + `XADD`) on `redis`, whose connection
 * should fail fast while Redis is away so the receiver answers 503 and the sender retries.
 */
export function openStreamInbox(
  redis: Redis,
  installationPrefix: string,
  options: StreamInboxOptions = {},
): WebhookInbox {
  const windowMs = options.dedupeWindowMs ?? DEFAULT_WEBHOOK_DEDUPE_WINDOW_MS;
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new OmnifeedError(
      "config",
      `the webhook dedupe window must be a positive whole number of ms, not ${windowMs}`,
    );
  }
  const now = options.now ?? Date.now;
  const stream = webhookInboxKeyOf(installationPrefix);
  if (!("omnifeedInboxAccept" in redis)) {
    redis.defineCommand("omnifeedInboxAccept", { numberOfKeys: 2, lua: ACCEPT_SCRIPT });
  }
  const command = (redis as unknown as { omnifeedInboxAccept: AcceptCommand }).omnifeedInboxAccept.bind(
    redis,
  );
  return {
    async accept(delivery: WebhookDeliveryInput): Promise<InboxAnswer> {
      const payload = WebhookEventPayloadSchema.parse({
        name: WEBHOOK_EVENT_KIND,
        source: delivery.source,
        dedupeKey: delivery.dedupeKey,
        requestId: delivery.requestId,
        receivedAt: now(),
        event: delivery.event,
      });
      const dedupeKey = `${installationPrefix}${webhookDedupeIdOf(delivery.source, delivery.dedupeKey)}`;
      const [added, jobId] = await command(dedupeKey, stream, String(windowMs), JSON.stringify(payload));
      return { outcome: added === 1 ? "accepted" : "duplicate", jobId };
    },
  };
}

export interface RelayOptions {
  /**
   * A connection of the relay's own: it blocks on `XREADGROUP` (the relay closes it). Commands
   * must wait for a reconnection rather than fail (`connectRedis(url, { forQueues: true })`).
   */
  connection: Redis;
  installationPrefix: string;
  /** The fast lane's queue. */
  queue: Queue;
  /** Attempts, backoff and retention of the jobs (`jobOptionsOf(config)`). */
  jobOptions?: JobsOptions | undefined;
  /** This relay's name in the consumer group: the worker's id. */
  consumer: string;
  /** Entries moved per round trip (default 500). */
  batch?: number | undefined;
  /** How long `XREADGROUP` blocks waiting for an entry, in ms (default 1,000). */
  blockMs?: number | undefined;
  /** Entries another relay has held this long unacknowledged are taken over (default 30 s). */
  claimIdleMs?: number | undefined;
  /** How often this relay looks for such entries (default every 10 s). */
  claimEveryMs?: number | undefined;
  /** One line per thing an operator may want to know (a dead letter, Redis trouble). */
  log?: ((line: string) => void) | undefined;
}

export interface RunningRelay {
  /** Entries relayed so far by this relay. */
  relayed(): number;
  /** Stops after the batch in hand is relayed; closes the relay's connection. */
  close(): Promise<void>;
}

/** Consumers that have held nothing for this long are removed from the group (dead workers). */
const FORGET_CONSUMER_AFTER_MS = 24 * 3600 * 1000;

type StreamEntry = [id: string, fields: string[]];

/** Starts the relay loop; it runs until {@link RunningRelay.close}. */
export async function startWebhookRelay(options: RelayOptions): Promise<RunningRelay> {
  const redis = options.connection;
  const stream = webhookInboxKeyOf(options.installationPrefix);
  const deadLetters = webhookDeadLetterKeyOf(options.installationPrefix);
  const batch = options.batch ?? 500;
  const blockMs = options.blockMs ?? 1_000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimEveryMs = options.claimEveryMs ?? 10_000;
  const log = options.log ?? (() => undefined);
  await ensureGroup(redis, stream);

  let stopping = false;
  let relayed = 0;
  let lastClaim = 0;

  async function relay(entries: readonly StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const jobs: { name: string; data: WebhookEventPayload; opts: JobsOptions }[] = [];
    const dead: string[] = [];
    for (const [id, fields] of entries) {
      const payload = readPayload(fields);
      if (payload === undefined) dead.push(id);
      else
        jobs.push({
          name: WEBHOOK_EVENT_KIND,
          data: payload,
          opts: { ...options.jobOptions, jobId: webhookJobIdOf(id) },
        });
    }
    if (jobs.length > 0) await options.queue.addBulk(jobs);
    const done = redis.multi();
    for (const id of dead) {
      const fields = entries.find(([entryId]) => entryId === id)?.[1] ?? [];
      done.rpush(deadLetters, JSON.stringify({ id, fields }));
    }
    const ids = entries.map(([id]) => id);
    done.xack(stream, RELAY_GROUP, ...ids);
    done.xdel(stream, ...ids);
    await done.exec();
    relayed += jobs.length;
    if (dead.length > 0) {
      log(
        `webhook relay: ${dead.length} inbox entr${dead.length === 1 ? "y" : "ies"} unreadable, kept in ${deadLetters}`,
      );
    }
  }

  /** Entries a dead relay held: taken over, then relayed like new ones. */
  async function claimAbandoned(): Promise<void> {
    let cursor = "0-0";
    do {
      const answer = (await redis.xautoclaim(
        stream,
        RELAY_GROUP,
        options.consumer,
        claimIdleMs,
        cursor,
        "COUNT",
        batch,
      )) as [string, StreamEntry[] | null[], string[]?];
      cursor = answer[0];
      // Entries deleted meanwhile come back as nulls (Redis 6.2) or in the third element (7.0).
      const entries = (answer[1] as (StreamEntry | null)[]).filter(
        (entry): entry is StreamEntry => entry !== null,
      );
      await relay(entries);
    } while (cursor !== "0-0" && !stopping);
    await forgetIdleConsumers();
  }

  async function forgetIdleConsumers(): Promise<void> {
    const consumers = (await redis.xinfo("CONSUMERS", stream, RELAY_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info = new Map<string, unknown>();
      for (let at = 0; at + 1 < fields.length; at += 2) info.set(String(fields[at]), fields[at + 1]);
      const name = String(info.get("name"));
      if (
        name !== options.consumer &&
        Number(info.get("pending")) === 0 &&
        Number(info.get("idle")) > FORGET_CONSUMER_AFTER_MS
      ) {
        await redis.xgroup("DELCONSUMER", stream, RELAY_GROUP, name);
      }
    }
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        if (Date.now() - lastClaim >= claimEveryMs) {
          lastClaim = Date.now();
          await claimAbandoned();
        }
        const answer = (await redis.xreadgroup(
          "GROUP",
          RELAY_GROUP,
          options.consumer,
          "COUNT",
          batch,
          "BLOCK",
          blockMs,
          "STREAMS",
          stream,
          ">",
        )) as [string, StreamEntry[]][] | null;
        await relay(answer?.[0]?.[1] ?? []);
        failures = 0;
      } catch (error) {
        if (stopping) break;
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        // The group goes with the stream if someone deletes the key: make it again.
        if (message.includes("NOGROUP")) await ensureGroup(redis, stream).catch(() => undefined);
        if (failures === 1 || failures % 30 === 0) log(`webhook relay: ${message}; trying again`);
        await sleep(Math.min(200 * failures, 2_000));
      }
    }
  })();

  return {
    relayed: () => relayed,
    async close() {
      stopping = true;
      // The loop ends after its current XREADGROUP (at most `blockMs`) and the batch it brings.
      await loop;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The relay group, reading from the stream's start so entries written before any worker ran are relayed. */
async function ensureGroup(redis: Redis, stream: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", stream, RELAY_GROUP, "0", "MKSTREAM");
  } catch (error) {
    if (!(error instanceof Error && error.message.includes("BUSYGROUP"))) throw error;
  }
}

function readPayload(fields: readonly string[]): WebhookEventPayload | undefined {
  const at = fields.indexOf("payload");
  const text = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
  if (text === undefined) return undefined;
  try {
    const parsed = WebhookEventPayloadSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
