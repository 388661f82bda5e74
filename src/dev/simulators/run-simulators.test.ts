import { afterEach, expect, it } from "vitest";
import { startAmazonOrdersSimulator } from "./amazon-orders.js";
import { startEbaySimulator } from "./ebay.js";
import { SIMULATOR_PORTS, simulatorInstructions } from "./run-simulators.js";
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
