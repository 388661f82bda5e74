import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { prepareRun, type PreparedRun } from "../../src/pipeline/plan.js";
import { openPublishEnvironment, type PublishEnvironment } from "../../src/pipeline/publish-environment.js";
import { runPublish } from "../../src/pipeline/publish.js";
import { propagateSale } from "../../src/pipeline/stock-publish.js";
import { SPOOL_DIR_NAME } from "../../src/pipeline/store-spool.js";
import { memoryProducts, memoryStore, type MemoryStore } from "../support/memory-store-source.js";
import { makeTempDir } from "../support/temp-dirs.js";

/**
 * A store catalog (Shopify, WooCommerce) takes the units off when the order is created there, so
 * the stock push reads the store as it is now and holds nothing back: no sale counted twice. The
 * push reads the store only until it has found the sold SKUs.
 */
describe("stock propagation from a store catalog", () => {
  const SKU = "SKU-3-0";
  let meta: Awaited<ReturnType<typeof startMetaSimulator>>;
  let store: MemoryStore;
  let run: PreparedRun;
  let environment: PublishEnvironment;
  const quantityOnMeta = () => meta.items().get(SKU)?.fields.quantity_to_sell_on_facebook;

  beforeAll(async () => {
    meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    for (const [name, value] of Object.entries(meta.env)) vi.stubEnv(name, value);
    store = memoryStore(memoryProducts(60));
    store.products[2]!.variants[0]!.quantity = 3;
    const dir = makeTempDir("stock-store");
    run = await prepareRun(
      {
        store: "shopify",
        options: { store_url: "https://acme.example", page_size: 10 },
        spool: { dir: join(dir, SPOOL_DIR_NAME), resume: false },
        source: store.source,
        context: { clock: () => new Date(), secret: () => undefined },
      },
      [
        {
          id: "meta",
          account: { ...meta.accountSettings, rate_limit_per_second: 500, rate_limit_burst: 50 },
        },
      ],
    );
    environment = await openPublishEnvironment({
      backend: "embedded",
      file: join(dir, "state.sqlite"),
      workspace: "store",
      lock: { ttlMs: 30_000, waitMs: 30_000 },
    });
  });

  afterAll(async () => {
    await environment?.close();
    await meta?.close();
    vi.unstubAllEnvs();
  });

  const publish = () =>
    runPublish(run, {
      store: environment.store,
      workspace: "store",
      dryRun: false,
      force: false,
      maxShrink: 0.2,
      limiterFor: environment.limiterFor,
      stockHolds: environment.stockHolds,
      workers: 0,
    });

  it("sends the store's stock after the sale, once, and the next publish sends nothing", async () => {
    expect((await publish()).status).toBe("published");
    expect(quantityOnMeta()).toBe(3);

    // The order is created in the store, which takes the 2 units off; then the sale is propagated.
    store.products[2]!.variants[0]!.quantity = 1;
    const pagesBefore = store.pages;
    meta.resetCalls();
    const pushed = await propagateSale(
      run,
      { sold: [{ sku: SKU, quantity: 2 }], orderKey: "amazon/A1/333", fromChannel: "amazon" },
      {
        store: environment.store,
        stockHolds: environment.stockHolds,
        workspace: "store",
        limiterFor: environment.limiterFor,
      },
    );
    // 1 in the store, not 1 − 2: the store's read already shows the sale.
    expect(quantityOnMeta()).toBe(1);
    expect(pushed.held).toEqual({});
    expect(await environment.stockHolds.held()).toEqual(new Map());
    // The SKU is on the first page: the push did not read the other five.
    expect(store.pages - pagesBefore).toBe(1);

    meta.resetCalls();
    const next = await publish();
    expect(next.channels[0]!.counts).toMatchObject({ creates: 0, updates: 0, deletes: 0 });
    expect(meta.calls.filter((call) => call.path.endsWith("/items_batch"))).toEqual([]);
  });
});
