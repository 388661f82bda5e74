import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { loadConfigFile } from "../config/config-file.js";
import { startAmazonOrdersSimulator } from "../dev/simulators/amazon-orders.js";
import { startEbaySimulator } from "../dev/simulators/ebay.js";
import type { RunningSimulator } from "../dev/simulators/simulator.js";
import { configuredMarketplaces, marketplaceFor } from "../marketplaces/registry.js";
import { writeDemoSimulatorConfig } from "./simulator-config.js";

const started: RunningSimulator[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((simulator) => simulator.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

it("writes marketplaces blocks that reach the marketplace simulators with secrets in files", async () => {
  started.push(await startAmazonOrdersSimulator({ port: 0 }), await startEbaySimulator({ port: 0 }));
  const dir = await mkdtemp(join(tmpdir(), "omnifeed-simconfig-"));
  dirs.push(dir);
  const config = await loadConfigFile(
    await writeDemoSimulatorConfig(join(dir, "omnifeed.config.yaml"), started),
  );
  expect(configuredMarketplaces(config)).toEqual(["amazon", "ebay"]);
  expect(config.marketplaces?.amazon?.client_secret_file).toMatch(/\.secret$/);
  for (const id of configuredMarketplaces(config)) {
    // No environment at all: every credential comes from the files beside the config.
    const marketplace = marketplaceFor(config, id, { secret: () => undefined });
    const answer = await marketplace.check({ clock: () => new Date() });
    expect(answer.ok, `${id}: ${answer.detail}`).toBe(true);
  }
});
