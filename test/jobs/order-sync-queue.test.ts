import { Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis } from "../../src/infra/redis.js";
import { bullPrefixOf, queueNameOf } from "../../src/jobs/lanes.js";
import { openQueues } from "../../src/jobs/queues.js";
import { REDIS_URL, UNDER_CI, redisProblem, testPrefix, waitFor } from "../e2e/jobs-support.js";
import { deleteKeysUnder } from "../support/redis-keys.js";

/**
 * `order-sync` on the real fast-lane queue: notifications of one order queue one job while it
 * waits, and one more (never two) when one comes while the order's sync runs.
 */
const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI) console.warn(`[did not run] order-sync queue: ${unreachable}`);

describe.skipIf(unreachable !== undefined && !UNDER_CI)("order-sync deduplication", () => {
  const prefix = testPrefix();
  afterAll(async () => {
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("queues one sync per waiting order, and a follow-up for a notification during the running sync", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test", forQueues: true });
    const queues = openQueues(redis, prefix, {});
    const sync = (orderId: string) =>
      queues.enqueue("order-sync", { name: "order-sync", marketplace: "amazon", account: "A1", orderId });
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let worker: Worker | undefined;
    try {
      const first = await sync("111-0000001-0000001");
      expect((await sync("111-0000001-0000001")).id).toBe(first.id);
      expect((await sync("111-0000002-0000001")).id).not.toBe(first.id);

      worker = new Worker(
        queueNameOf("fast"),
        async (job) => {
          ran.push(String((job.data as { orderId: string }).orderId));
          if (ran.length === 1) await gate;
        },
        { connection: redis, prefix: bullPrefixOf(prefix), concurrency: 1 },
      );
      await waitFor(() => ran.length === 1, 10_000);
      // The first order's sync is running: two more notifications of it make one follow-up.
      await sync("111-0000001-0000001");
      await sync("111-0000001-0000001");
      release();
      await waitFor(
        () => ran.length === 3,
        10_000,
        () => ran.join(", "),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ran.toSorted()).toEqual(["111-0000001-0000001", "111-0000001-0000001", "111-0000002-0000001"]);
    } finally {
      release();
      await worker?.close();
      await queues.close();
      await redis.quit();
    }
  });
});
