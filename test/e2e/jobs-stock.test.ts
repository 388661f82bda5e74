import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/config-file.js";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { connectRedis } from "../../src/infra/redis.js";
import { installationPrefixOf } from "../../src/jobs/lanes.js";
import { openQueues } from "../../src/jobs/queues.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed } from "./cli.js";
import {
  DEMO_LINES,
  REDIS_URL,
  UNDER_CI,
  redisProblem,
  runsOf,
  startWorkerProcess,
  testPrefix,
  waitFor,
  writeInstallation,
} from "./jobs-support.js";

/**
 * The `stock` job on a real worker and Redis: an order's sale queued by the order pipeline runs in
 * the fast lane and reaches the Google and Meta simulators through their stock path.
 */
const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI) console.warn(`[did not run] stock job on Redis: ${unreachable}`);

describe.skipIf(unreachable !== undefined && !UNDER_CI)("the stock job", () => {
  const prefix = testPrefix();
  const SKU = "TEE-ORG-WHI-S";
  afterAll(async () => {
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("runs in the fast lane and sends the sold SKU's stock to Google and Meta", async () => {
    expect(unreachable, "Redis is needed under CI").toBeUndefined();
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0 });
    const meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    const fast = { rate_limit_per_second: 500, rate_limit_burst: 50 };
    const dir = freshDir("jobs-stock");
    const config = writeInstallation(dir, "shop", {
      // Two units left of the SKU: the sale empties it.
      catalogLines: DEMO_LINES.map((line) => line.replace(`"sku":"${SKU}",`, `"sku":"${SKU}","quantity":2,`)),
      channels: {
        google: { ...google.accountSettings, ...fast },
        meta: { ...meta.accountSettings, ...fast },
      },
    });
    const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...google.env, ...meta.env };
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test", forQueues: true });
    const queues = openQueues(redis, installationPrefixOf(prefix, "shop"), await loadConfigFile(config));
    let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    try {
      const published = await omnifeed(["publish", "--config", config, "--state", "redis", "--quiet"], env);
      expect(published.code, published.stderr).toBe(0);
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("IN_STOCK");
      google.resetCalls();
      meta.resetCalls();

      worker = await startWorkerProcess(config, env);
      const queued = await queues.enqueue("stock", {
        name: "stock",
        orderKey: "amazon/A1DEMOSELLER00/111-0000001-0000009",
        fromChannel: "amazon",
        sold: [{ sku: SKU, quantity: 2, line: "1" }],
      });
      expect(queued.lane).toBe("fast");
      const runs = () => runsOf(installationPrefixOf(prefix, "shop"), "stock");
      const log = () => worker!.log();
      await waitFor(async () => (await runs()).length > 0, 30_000, log);
      const [run] = await runs();
      expect(run, log()).toMatchObject({ kind: "stock", lane: "fast", outcome: "succeeded" });
      expect(run!.summary).toContain(`stock of ${SKU}`);

      expect(google.items().get(SKU)?.productAttributes.availability).toBe("OUT_OF_STOCK");
      // The demo's Meta mapping leaves out-of-stock items out: the item still gets its stock now.
      expect(meta.items().get(SKU)?.fields).toMatchObject({
        availability: "out of stock",
        quantity_to_sell_on_facebook: 0,
      });
      expect(
        google.calls.filter((call) => call.method === "POST" && call.path.includes("productInputs:insert")),
      ).toEqual([]);
    } finally {
      worker?.child.kill("SIGTERM");
      if (worker) await worker.exited;
      await queues.close();
      await redis.quit();
      await google.close();
      await meta.close();
    }
  });
});
