import { afterEach, expect, it } from "vitest";
import { startAmazonOrdersSimulator } from "./amazon-orders.js";
import { startEbaySimulator } from "./ebay.js";
import {
  SIMULATOR_PORTS,
  simulatorInstructions,
  startSimulators,
  type MountedAmazonOrders,
} from "./run-simulators.js";
import type { RunningSimulator } from "./simulator.js";

const started: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((simulator) => simulator.close()));
});

it("gives eBay the port after the stores' and lists the marketplace simulators apart from channels", async () => {
  expect([SIMULATOR_PORTS.amazon, SIMULATOR_PORTS.woocommerce, SIMULATOR_PORTS.ebay]).toEqual([
    8643, 8645, 8646,
  ]);
  started.push(await startAmazonOrdersSimulator({ port: 0 }), await startEbaySimulator({ port: 0 }));
  const text = simulatorInstructions(started);
  expect(text).toContain(`amazon-orders simulator at ${started[0]!.url}`);
  expect(text).toContain(`ebay          simulator at ${started[1]!.url}`);
  expect(text).toContain("export EBAY_SIM_REFRESH_TOKEN=");
  started.push(await startAmazonOrdersSimulator({ port: 0 }));
  expect(simulatorInstructions(started).match(/export AMAZON_SIM_CLIENT_ID=/g)).toHaveLength(1);
  // Not a publishing channel: no `channels:` entry a merchant would paste for them.
  expect(text).toContain("channels: {}");
  expect(text).toMatch(/^marketplaces:\n {2}amazon:\n/m);
  expect(text).toContain("marketplace_ids:");
});

it("starts only the simulators asked for, on free ports, with the Amazon orders settle time given", async () => {
  const ran = await startSimulators({
    host: "127.0.0.1",
    freePorts: true,
    only: ["google", "amazon"],
    amazonOrdersSettleMs: 0,
  });
  started.push(...ran);
  expect(ran.map((simulator) => simulator.channel)).toEqual(["google", "amazon", "amazon-orders"]);
  const ports = ran.map((simulator) => Number(new URL(simulator.url).port));
  expect(ports.some((port) => (Object.values(SIMULATOR_PORTS) as number[]).includes(port))).toBe(false);
  // Settle 0: an order placed now is found by a search whose window ends now.
  const orders = ran[2] as MountedAmazonOrders;
  const { orderId } = orders.placeOrder({ lines: [{ sku: "MUG-RED", quantity: 1, unitPriceMinor: 1500 }] });
  const token = await fetch(`${String(orders.accountSettings.lwa_url)}/auth/o2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: orders.env[String(orders.accountSettings.refresh_token_env)]!,
      client_id: orders.env[String(orders.accountSettings.client_id_env)]!,
      client_secret: orders.env[String(orders.accountSettings.client_secret_env)]!,
    }),
  }).then((response) => response.json() as Promise<{ access_token: string }>);
  const query = new URLSearchParams({
    marketplaceIds: "ATVPDKIKX0DER",
    lastUpdatedAfter: new Date(Date.now() - 60_000).toISOString(),
    lastUpdatedBefore: new Date().toISOString(),
  });
  const found = await fetch(`${orders.url}/orders/2026-01-01/orders?${query.toString()}`, {
    headers: { "x-amz-access-token": token.access_token },
  });
  expect(found.status).toBe(200);
  expect(JSON.stringify(await found.json())).toContain(orderId);
});
