import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { storeBlockOf } from "../../src/dev/simulators/run-simulators.js";
import { startShopifySimulator } from "../../src/dev/simulators/shopify.js";
import { startWooCommerceSimulator } from "../../src/dev/simulators/woocommerce.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import { connectRedis } from "../../src/infra/redis.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, omnifeed } from "./cli.js";
import {
  REDIS_URL,
  UNDER_CI,
  installationPrefix,
  redisProblem,
  runsOf,
  startWorkerProcess,
  testPrefix,
  waitFor,
  writeInstallation,
} from "./jobs-support.js";

/**
 * Workers on real Redis with the catalog in a Shopify shop or a WooCommerce site (their
 * simulators, in this process): the on-demand and the scheduled build read the store through the
 * import spool and build in one piece, even where a file catalog of the same size would be cut
 * into chunk jobs; `import` checks the store's items.
 */

const unreachable = await redisProblem();
if (unreachable !== undefined && !UNDER_CI) console.warn(`[did not run] store jobs on Redis: ${unreachable}`);

describe.skipIf(unreachable !== undefined && !UNDER_CI)("workers with a store catalog", () => {
  const prefix = testPrefix();
  afterAll(async () => {
    const redis = connectRedis(REDIS_URL, { name: "omnifeed-test" });
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  const catalog = generateStoreCatalog({ variants: 120, seed: 9 });
  const stores = {
    shopify: async () => {
      const sim = await startShopifySimulator({
        port: 0,
        catalog,
        throttle: { maximumAvailable: 1000, restoreRate: 10_000 },
      });
      return { sim, block: { ...storeBlockOf(sim), mode: "paged" } };
    },
    woocommerce: async () => {
      const sim = await startWooCommerceSimulator({ port: 0, catalog });
      return { sim, block: storeBlockOf(sim) };
    },
  } as const;

  for (const store of ["shopify", "woocommerce"] as const) {
    it(`import and build-feeds, on demand and on a schedule, read catalog.store ${store} and write its feeds`, async () => {
      expect(unreachable, "Redis is needed under CI").toBeUndefined();
      const { sim, block } = await stores[store]();
      const dir = freshDir(`jobs-${store}`);
      const env = { REDIS_URL, OMNIFEED_REDIS_PREFIX: prefix, ...sim.env };
      const config = writeInstallation(dir, `${store}-shop`, {
        catalog: { store },
        stores: { [store]: block },
        // One batch a chunk: a file catalog this size would be shared out as chunk jobs.
        build: { chunk_batches: 1 },
        schedules: { feeds: { job: "build-feeds", cron: "*/2 * * * * *" } },
      });
      const worker = await startWorkerProcess(config, env);
      try {
        const waited = await omnifeed(["run", "build-feeds", "--config", config, "--wait"], env);
        expect(waited.code, `${waited.stderr}\n${worker.log()}`).toBe(0);
        expect(waited.stdout).toMatch(/^build-feeds \(build-feeds\) succeeded in [\d.]+ s, attempt 1/);
        // Built in one piece: no chunk jobs.
        expect(waited.stdout).not.toMatch(/chunks on/);
        const variants = catalog.reduce((sum, product) => sum + product.variants.length, 0);
        const accepted = Number(/google: (\d+) accepted/.exec(waited.stdout)?.[1]);
        expect(accepted).toBeGreaterThan(variants / 2);

        // `import` reads the store and checks every item, writing nothing.
        const checked = await omnifeed(["run", "import", "--config", config, "--wait"], env);
        expect(checked.code, `${checked.stderr}\n${worker.log()}`).toBe(0);
        expect(checked.stdout).toMatch(/^import \(import\) succeeded/);

        const prefixOf = installationPrefix(prefix, `${store}-shop`);
        await waitFor(
          async () => (await runsOf(prefixOf, "feeds")).some((run) => run.outcome === "succeeded"),
          30_000,
          () => worker.log(),
        );
        const [scheduled] = await runsOf(prefixOf, "feeds");
        expect(scheduled).toMatchObject({ kind: "build-feeds", outcome: "succeeded" });
        expect(scheduled!.channels.find((channel) => channel.channel === "google")?.accepted).toBe(accepted);
      } finally {
        worker.child.kill("SIGTERM");
        await worker.exited;
        await sim.close();
      }
      // The feed holds the shop's products, read over its Admin API through the spool.
      const out = join(dir, `${store}-shop-out`);
      const google = readFileSync(join(out, "google.xml"), "utf8");
      for (const product of catalog.filter((entry) => entry.status === "active").slice(0, 5)) {
        expect(google).toContain(`/products/${product.handle}`);
      }
      expect(readdirSync(join(out, ".omnifeed-spool")).some((file) => file.startsWith(store))).toBe(true);
      expect(sim.calls.some((call) => call.status === 200)).toBe(true);
    }, 120_000);
  }
});
