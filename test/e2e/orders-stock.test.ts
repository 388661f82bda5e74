import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startAmazonOrdersSimulator } from "../../src/dev/simulators/amazon-orders.js";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { freshDir, omnifeed } from "./cli.js";
import { DEMO_LINES, writeInstallation } from "./jobs-support.js";

/**
 * `omnifeed orders pull` with no Redis and no worker: the sale of each order it imports is pushed
 * to the other channels at once (propagateSale on the embedded state), or it says why not.
 */
const SKU = "TEE-ORG-WHI-S";

describe("omnifeed orders pull: the sale's stock", () => {
  it("pushes an imported Amazon order's stock to Google and Meta, and says why not when no channel is left", async () => {
    const google = await startGoogleSimulator({ port: 0, processingDelayMs: 0 });
    const meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    const amazon = await startAmazonOrdersSimulator({
      port: 0,
      settleMs: 0,
      rateLimits: { searchOrders: null, getOrder: null, confirmShipment: null },
    });
    const fast = { rate_limit_per_second: 500, rate_limit_burst: 50 };
    const dir = freshDir("orders-stock");
    const marketplaces = {
      amazon: {
        ...amazon.accountSettings,
        settle_minutes: 0,
        rate_limits: {
          search_orders: { per_second: 50, burst: 20 },
          get_order: { per_second: 50, burst: 20 },
          confirm_shipment: { per_second: 50, burst: 20 },
        },
      },
    };
    const install = (name: string, channels: Record<string, Record<string, unknown>>) => {
      // The embedded state file goes in output.dir.
      mkdirSync(join(dir, `${name}-out`), { recursive: true });
      return writeInstallation(dir, name, {
        catalogLines: DEMO_LINES.map((line) =>
          line.replace(`"sku":"${SKU}",`, `"sku":"${SKU}","quantity":2,`),
        ),
        channels,
        stores: { file: { dir: join(dir, `${name}-store`) } },
        more: { orders: { store: "file", ledger_file: join(dir, `${name}-orders.sqlite`) }, marketplaces },
      });
    };
    const env = { ...google.env, ...meta.env, ...amazon.env, REDIS_URL: "" };
    try {
      const config = install("shop", {
        google: { ...google.accountSettings, ...fast },
        meta: { ...meta.accountSettings, ...fast },
      });
      const published = await omnifeed(["publish", "--config", config, "--quiet"], env);
      expect(published.code, published.stderr).toBe(0);
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("IN_STOCK");

      const { orderId } = amazon.placeOrder({ lines: [{ sku: SKU, quantity: 2, unitPriceMinor: 2500 }] });
      const pulled = await omnifeed(["orders", "pull", "--config", config], env);
      expect(pulled.code, pulled.stderr).toBe(0);
      const key = `amazon/${String(amazon.accountSettings.seller_id)}/${orderId}`;
      expect(pulled.stdout).toContain(`${key}: stock of ${SKU}`);
      expect(pulled.stdout).toMatch(/google \([^)]*\): 1 updated/);
      expect(google.items().get(SKU)?.productAttributes.availability).toBe("OUT_OF_STOCK");
      expect(meta.items().get(SKU)?.fields).toMatchObject({ quantity_to_sell_on_facebook: 0 });

      // An installation that publishes to Amazon only: the sale's own channel is left out.
      const only = install("amazon-only", {});
      const second = amazon.placeOrder({ lines: [{ sku: SKU, quantity: 1, unitPriceMinor: 2500 }] });
      const json = await omnifeed(["orders", "pull", "--config", only, "--json"], env);
      expect(json.code, json.stderr).toBe(0);
      expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
      expect(json.stderr).toContain(
        `stock not pushed for amazon/${String(amazon.accountSettings.seller_id)}/${second.orderId}: the config enables no channel but amazon, where the sale was made`,
      );
    } finally {
      await amazon.close();
      await google.close();
      await meta.close();
    }
  }, 90_000);
});
