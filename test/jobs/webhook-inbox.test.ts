import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisUrlFromEnv } from "../../src/config/env.js";
import { connectRedis } from "../../src/infra/redis.js";
import { installationPrefixOf } from "../../src/jobs/lanes.js";
import { openQueues, type JobQueues } from "../../src/jobs/queues.js";
import type { WebhookDeliveryInput } from "../../src/jobs/webhook-events.js";
import {
  openStreamInbox,
  startWebhookRelay,
  webhookDeadLetterKeyOf,
  webhookInboxKeyOf,
  type RunningRelay,
} from "../../src/jobs/webhook-inbox.js";
import { deleteKeysUnder } from "../support/redis-keys.js";

/**
 * The webhook inbox stream and its relay into the fast lane (adr/0030), on real Redis: what the
 * server's `accept` stores and answers, and that every stored delivery becomes exactly one job —
 * including entries written before any worker ran, entries a dead relay held, and a batch relayed
 * twice.
 */

const REDIS_URL = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";

let redis: Redis;
const closers: (() => Promise<unknown>)[] = [];
const prefixes: string[] = [];

beforeAll(() => {
  redis = connectRedis(REDIS_URL, { name: "omnifeed-test-webhook-inbox", forQueues: true });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const prefix of prefixes.splice(0)) await deleteKeysUnder(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

function installation(): { prefix: string; queues: JobQueues } {
  const base = `omnifeed-test:${randomUUID()}:`;
  prefixes.push(base);
  const prefix = installationPrefixOf(base, "inbox");
  const queues = openQueues(redis, prefix, {});
  closers.push(() => queues.close());
  return { prefix, queues };
}

function delivery(n: number, source = "amazon"): WebhookDeliveryInput {
  return {
    source,
    dedupeKey: `${source}:notification-${n}`,
    requestId: `req-${n}`,
    event: {
      type: "orders_changed",
      account: "A1SELLER",
      orderIds: [`112-0000000-${String(n).padStart(7, "0")}`],
    },
  };
}

async function relayOf(
  prefix: string,
  queues: JobQueues,
  consumer: string,
  options: { claimIdleMs?: number; claimEveryMs?: number } = {},
): Promise<RunningRelay> {
  const relay = await startWebhookRelay({
    connection: connectRedis(REDIS_URL, { name: `omnifeed-test-relay-${consumer}`, forQueues: true }),
    installationPrefix: prefix,
    queue: queues.byLane.fast,
    consumer,
    blockMs: 100,
    ...options,
  });
  closers.push(() => relay.close());
  return relay;
}

const jobIds = async (queues: JobQueues): Promise<string[]> =>
  (await queues.byLane.fast.getJobs(["waiting", "prioritized", "delayed"])).map((job) => job.id!).sort();

describe("webhook inbox stream", () => {
  it("stores a delivery once and answers its repeats with the first delivery's job id", async () => {
    const { prefix } = installation();
    const inbox = openStreamInbox(redis, prefix, { dedupeWindowMs: 60_000, now: () => 1_700_000_000_000 });
    const first = await inbox.accept(delivery(1));
    expect(first.outcome).toBe("accepted");
    expect(first.jobId).toMatch(/^wh-\d+-\d+$/);
    expect(await inbox.accept(delivery(1))).toEqual({ outcome: "duplicate", jobId: first.jobId });
    // The same key from another source is another delivery.
    expect((await inbox.accept({ ...delivery(1), source: "ebay" })).outcome).toBe("accepted");
    const entries = await redis.xrange(webhookInboxKeyOf(prefix), "-", "+");
    expect(entries).toHaveLength(2);
    expect(`wh-${entries[0]![0]}`).toBe(first.jobId);
    expect(JSON.parse(entries[0]![1][1]!)).toEqual({
      name: "webhook-event",
      source: "amazon",
      dedupeKey: "amazon:notification-1",
      requestId: "req-1",
      receivedAt: 1_700_000_000_000,
      event: { type: "orders_changed", account: "A1SELLER", orderIds: ["112-0000000-0000001"] },
    });
    // No order id or delivery id in any key name: the dedupe key is a digest.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.join(" ")).not.toContain("notification-1");
  });

  it("forgets a delivery after the dedupe window", async () => {
    const { prefix } = installation();
    const inbox = openStreamInbox(redis, prefix, { dedupeWindowMs: 50 });
    expect((await inbox.accept(delivery(2))).outcome).toBe("accepted");
    expect((await inbox.accept(delivery(2))).outcome).toBe("duplicate");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await inbox.accept(delivery(2))).outcome).toBe("accepted");
  });

  it("refuses a window that is not a positive whole number of ms", () => {
    const { prefix } = installation();
    expect(() => openStreamInbox(redis, prefix, { dedupeWindowMs: 0 })).toThrow(/dedupe window/);
    expect(() => openStreamInbox(redis, prefix, { dedupeWindowMs: 1.5 })).toThrow(/dedupe window/);
  });
});

describe("webhook relay", () => {
  it("moves deliveries stored before it started, and those after, into the fast lane as one job each", async () => {
    const { prefix, queues } = installation();
    const inbox = openStreamInbox(redis, prefix);
    const early = [];
    for (let n = 1; n <= 3; n += 1) early.push((await inbox.accept(delivery(n))).jobId);
    const relay = await relayOf(prefix, queues, "worker-a");
    const late = [];
    for (let n = 4; n <= 1_203; n += 1) late.push((await inbox.accept(delivery(n))).jobId);
    await expect.poll(() => relay.relayed(), { timeout: 10_000 }).toBe(1_203);
    expect(await jobIds(queues)).toEqual([...early, ...late].sort());
    const [job] = await queues.byLane.fast.getJobs(["waiting"], 0, 0);
    expect(job?.name).toBe("webhook-event");
    expect(job?.data).toMatchObject({ source: "amazon", event: { type: "orders_changed" } });
    // Relayed entries leave the stream: its length is the backlog.
    expect(await redis.xlen(webhookInboxKeyOf(prefix))).toBe(0);
    expect(await redis.xpending(webhookInboxKeyOf(prefix), "relay")).toEqual([0, null, null, null]);
  });

  it("takes over what a dead relay held and adds each job once, even for a batch it had already added", async () => {
    const { prefix, queues } = installation();
    const inbox = openStreamInbox(redis, prefix);
    const stream = webhookInboxKeyOf(prefix);
    const ids = [];
    for (let n = 1; n <= 4; n += 1) ids.push((await inbox.accept(delivery(n))).jobId);
    // A relay read all four, added the first two as jobs, then died before acknowledging.
    await redis.xgroup("CREATE", stream, "relay", "0", "MKSTREAM");
    const read = (await redis.xreadgroup(
      "GROUP",
      "relay",
      "dead-worker",
      "COUNT",
      10,
      "STREAMS",
      stream,
      ">",
    )) as [string, [string, string[]][]][];
    expect(read[0]![1]).toHaveLength(4);
    await queues.byLane.fast.addBulk(
      read[0]![1].slice(0, 2).map(([id, fields]) => ({
        name: "webhook-event",
        data: JSON.parse(fields[1]!) as object,
        opts: { jobId: `wh-${id}` },
      })),
    );
    const relay = await relayOf(prefix, queues, "worker-b", { claimIdleMs: 100, claimEveryMs: 50 });
    await expect.poll(() => redis.xlen(stream), { timeout: 10_000 }).toBe(0);
    expect(relay.relayed()).toBe(4);
    expect(await jobIds(queues)).toEqual([...ids].sort());
  });

  it("keeps an entry it cannot read in the dead-letter list and relays the rest", async () => {
    const { prefix, queues } = installation();
    const inbox = openStreamInbox(redis, prefix);
    const good = (await inbox.accept(delivery(1))).jobId;
    await redis.xadd(webhookInboxKeyOf(prefix), "*", "payload", '{"name":"webhook-event","source":"amazon"}');
    const relay = await relayOf(prefix, queues, "worker-a");
    await expect.poll(() => redis.llen(webhookDeadLetterKeyOf(prefix)), { timeout: 10_000 }).toBe(1);
    expect(relay.relayed()).toBe(1);
    expect(await jobIds(queues)).toEqual([good]);
    expect(await redis.xlen(webhookInboxKeyOf(prefix))).toBe(0);
  });

  it("goes on relaying after its stream was deleted under it", async () => {
    const { prefix, queues } = installation();
    const inbox = openStreamInbox(redis, prefix);
    const relay = await relayOf(prefix, queues, "worker-a");
    await redis.del(webhookInboxKeyOf(prefix));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const id = (await inbox.accept(delivery(9))).jobId;
    await expect.poll(() => relay.relayed(), { timeout: 10_000 }).toBe(1);
    expect(await jobIds(queues)).toEqual([id]);
  });
});
