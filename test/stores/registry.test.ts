import { describe, expect, it } from "vitest";
import { closedAfterEach } from "../support/closed-after-each.js";
import { ConfigFileSchema } from "../../src/config/config-file.js";
import { isOmnifeedError } from "../../src/core/errors.js";
import { OrderKeySchema } from "../../src/core/order.js";
import { storeBlockOf } from "../../src/dev/simulators/run-simulators.js";
import { startShopifySimulator } from "../../src/dev/simulators/shopify.js";
import type { RunningSimulator } from "../../src/dev/simulators/simulator.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import { startWooCommerceSimulator } from "../../src/dev/simulators/woocommerce.js";
import { storeFor } from "../../src/stores/registry.js";
import { suiteOrder } from "../conformance/store.js";

const closeAfterwards = closedAfterEach();

const catalog = generateStoreCatalog({ variants: 30, seed: 9 });
const sku = catalog
  .flatMap((product) => product.variants)
  .find((variant) => variant.inventory.reduce((sum, level) => sum + level.quantity, 0) >= 5)!.sku;

const starts = {
  shopify: () =>
    startShopifySimulator({ port: 0, catalog, throttle: { maximumAvailable: 1000, restoreRate: 10_000 } }),
  woocommerce: () => startWooCommerceSimulator({ port: 0, catalog }),
} as const;

describe("storeFor", () => {
  for (const id of ["shopify", "woocommerce"] as const) {
    it(`builds the ${id} store from stores.${id}, secrets by their environment names, and imports an order`, async () => {
      const sim: RunningSimulator = closeAfterwards(await starts[id]());
      // The config block `omnifeed dev simulators` prints; the secrets as the environment holds them.
      const config = ConfigFileSchema.parse({ stores: { [id]: storeBlockOf(sim) } });
      const env: Record<string, string> = sim.env;
      const store = storeFor(config, id, { secret: (name) => env[name] });
      expect(store.id).toBe(id);
      const key = OrderKeySchema.parse({
        marketplace: "amazon",
        account: "A1REGISTRY",
        orderId: `112-${id.length}000-0000001`,
      });
      const created = await store.createOrder(suiteOrder(key, [sku], "USD"), { clock: () => new Date() });
      expect(created.outcome).toBe("created");
      const found = await store.findOrder(key, { clock: () => new Date() });
      expect(found?.storeOrderId).toBe(created.storeOrderId);
    });
  }

  it("says which block is missing when the config has no connection for the store", () => {
    const config = ConfigFileSchema.parse({});
    for (const id of ["shopify", "woocommerce"] as const) {
      let error: unknown;
      try {
        storeFor(config, id);
      } catch (caught) {
        error = caught;
      }
      expect(isOmnifeedError(error, "config")).toBe(true);
      expect((error as Error).message).toContain(`stores.${id}`);
    }
  });
});
