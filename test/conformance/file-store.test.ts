import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { orderKeyText, type OrderKey } from "../../src/core/order.js";
import { createFileStore } from "../../src/stores/file/index.js";
import { readOutboxOrder } from "../../src/stores/file/outbox.js";
import { makeTempDir } from "../support/temp-dirs.js";
import { ROOT } from "../e2e/cli.js";
import { describeStoreConformance } from "./store.js";

const CATALOG = join(ROOT, "fixtures/catalogs/demo/catalog.csv");

describeStoreConformance("file", () => {
  const dir = makeTempDir("file-store");
  // Five records a page: the demo catalog spans several pages.
  const store = createFileStore({ dir, catalog: { file: CATALOG }, batchSize: 5 });
  const context = { clock: () => new Date() };
  let files = 0;
  return Promise.resolve({
    store,
    context,
    seed: { skus: ["TEE-ORG-WHI-S", "TEE-ORG-BLA-M"], currency: "USD" },
    async fulfill(storeOrderId, lines, tracking) {
      const entry = await readOutboxOrder(store.layout, storeOrderId);
      if (!entry) throw new Error(`no order ${storeOrderId} to fulfill`);
      const { marketplace, account, orderId } = entry.order;
      files += 1;
      const file = join(makeTempDir("tracking"), `shipped-${files}.csv`);
      const rows = lines.map((line) =>
        [
          marketplace,
          account,
          orderId,
          line.sku,
          line.quantity,
          tracking.carrier,
          tracking.number,
          tracking.url ?? "",
        ].join(","),
      );
      await writeFile(
        file,
        ["marketplace,account,order_id,sku,quantity,carrier,tracking_number,tracking_url", ...rows].join(
          "\n",
        ),
      );
      const result = await store.importTracking(file, context);
      if (result.issues.length > 0 || result.accepted !== lines.length) {
        throw new Error(`tracking import refused rows: ${JSON.stringify(result.issues)}`);
      }
    },
    async countOrders(key: OrderKey) {
      // Counted from the files themselves, not through the store's naming of them.
      let count = 0;
      for (const name of await readdir(store.layout.outbox).catch(() => [])) {
        if (!name.endsWith(".json")) continue;
        const json = JSON.parse(await readFile(join(store.layout.outbox, name), "utf8")) as {
          order: OrderKey;
        };
        if (orderKeyText(json.order) === orderKeyText(key)) count += 1;
      }
      return count;
    },
    async isCancelled(storeOrderId) {
      return (await readOutboxOrder(store.layout, storeOrderId))?.status === "cancelled";
    },
    // The temp folders go with the test file (test/support/temp-dirs.ts).
    teardown: () => Promise.resolve(),
  });
});
