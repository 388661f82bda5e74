import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OrderSchema } from "../../src/core/order.js";
import { pushTrackingJob } from "../../src/jobs/order-processors.js";
import { dedupeIdOf, PAYLOAD_SCHEMAS, LANE_OF } from "../../src/jobs/payloads.js";
import { importOrder } from "../../src/orders/import.js";
import { receiveOrder } from "../../src/orders/pull.js";
import { createFileStore } from "../../src/stores/file/index.js";
import { orderOf } from "../support/memory-marketplace.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { DEMO_CATALOG, orderContext, REDIS_URL, redisLedger } from "./order-harness.js";

describe("order job kinds", () => {
  it("run in the fast lane; three notifications of one order queue one order-sync", () => {
    expect([LANE_OF["orders-pull"], LANE_OF["order-sync"], LANE_OF["tracking-push"]]).toEqual([
      "fast",
      "fast",
      "fast",
    ]);
    const payload = (orderId: string) =>
      PAYLOAD_SCHEMAS["order-sync"].parse({
        name: "order-sync",
        marketplace: "amazon",
        account: "A1",
        orderId,
      });
    const ids = ["111-1", "111-1", "111-1", "222-2"].map((id) => dedupeIdOf("order-sync", payload(id)));
    expect(new Set(ids).size).toBe(2);
    expect(
      PAYLOAD_SCHEMAS["order-sync"].safeParse({ name: "x", marketplace: "amazon", account: "A1" }).success,
    ).toBe(false);
  });

  describe("tracking-push processor", () => {
    const base = `omnifeed-test:${randomUUID()}:`;
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await drop?.();
    });

    it("reads the store's fulfillments into the Redis ledger and reports what it could not push", async () => {
      // The worker's environment: its Redis and its key prefix (the installation's is <prefix>default:).
      process.env.REDIS_URL ??= REDIS_URL;
      process.env.OMNIFEED_REDIS_PREFIX = base;
      const redis = await redisLedger(`${base}default:`);
      drop = redis.drop;
      const dir = makeTempDir("order-jobs");
      const store = createFileStore({ dir: join(dir, "store"), catalog: { file: DEMO_CATALOG } });
      const order = OrderSchema.parse({
        ...orderOf("JOB-1", [{ sku: "TEE-ORG-WHI-S" }]),
        marketplace: "amazon",
        account: "A1",
      });
      const context = orderContext(redis.ledger, store);
      await receiveOrder(order, context);
      await importOrder(order, context);
      const csv = join(dir, "shipped.csv");
      await writeFile(
        csv,
        "marketplace,account,order_id,sku,quantity,carrier,tracking_number\namazon,A1,JOB-1,TEE-ORG-WHI-S,1,UPS,1Z-JOB\n",
      );
      await store.importTracking(csv, { clock: () => new Date() });
      const config = join(dir, "omnifeed.config.yaml");
      await writeFile(config, `catalog: { file: ${DEMO_CATALOG} }\nstores: { file: { dir: store } }\n`);

      const report = await pushTrackingJob(
        { name: "tracking-push" },
        { configFile: config, signal: new AbortController().signal },
      );
      expect(report.summary).toContain("1 store shipments read");
      const record = await redis.ledger.get(order);
      expect(record?.shipments).toEqual([
        expect.objectContaining({ state: "waiting", trackingNumber: "1Z-JOB" }),
      ]);
    });
  });
});
