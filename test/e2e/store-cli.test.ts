import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import type { RunningSimulator } from "../../src/dev/simulators/simulator.js";
import { storeBlockOf } from "../../src/dev/simulators/run-simulators.js";
import { startShopifySimulator, type ShopifySimulator } from "../../src/dev/simulators/shopify.js";
import { generateStoreCatalog } from "../../src/dev/simulators/store-catalog.js";
import {
  startWooCommerceSimulator,
  type WooCommerceSimulator,
} from "../../src/dev/simulators/woocommerce.js";
import { freshDir, omnifeed } from "./cli.js";

/** `--catalog shopify` / `--catalog woocommerce` through the built CLI, against the simulators. */
describe("the CLI with a store catalog", () => {
  let shopify: ShopifySimulator;
  let woo: WooCommerceSimulator;
  let google: RunningSimulator;
  let dir: string;
  let config: string;
  let env: Record<string, string>;
  const catalog = generateStoreCatalog({ variants: 400, seed: 3 });
  beforeAll(async () => {
    shopify = await startShopifySimulator({ port: 0, catalog, processingDelayMs: 20 });
    woo = await startWooCommerceSimulator({ port: 0, catalog });
    google = await startGoogleSimulator({ port: 0 });
    dir = freshDir("store-cli");
    config = join(dir, "omnifeed.config.yaml");
    await writeFile(
      config,
      stringify({
        catalog: { store: "shopify" },
        stores: {
          shopify: { ...storeBlockOf(shopify), mode: "bulk", bulk_poll_ms: 20 },
          woocommerce: storeBlockOf(woo),
        },
        channels: { google: { account: google.accountSettings }, meta: {} },
        output: { dir: join(dir, "out") },
      }),
    );
    env = { ...shopify.env, ...woo.env, ...google.env };
  });
  afterAll(async () => {
    await shopify?.close();
    await woo?.close();
    await google?.close();
  });

  it("checks the connection of each store, and says why a wrong token fails", async () => {
    const ok = await omnifeed(["catalog", "check", "--config", config, "--catalog", "woocommerce"], env);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok woocommerce: .*WooCommerce REST v3.*published products/);
    const fromConfig = await omnifeed(["catalog", "check", "--config", config, "--json"], env);
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({ ok: true, kind: "store", format: "shopify" });
    const bad = await omnifeed(["catalog", "check", "--config", config], {
      ...env,
      [String(storeBlockOf(shopify).access_token_env)]: "shpat_wrong",
    });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^FAILED shopify: /);
    expect(bad.stdout).not.toContain("shpat_wrong");
  });

  it("exports the same feeds with --catalog shopify and --catalog woocommerce", async () => {
    const outs = [join(dir, "feeds-shopify"), join(dir, "feeds-woo")];
    for (const [store, out] of [
      ["shopify", outs[0]!],
      ["woocommerce", outs[1]!],
    ] as const) {
      const result = await omnifeed(
        [
          "export",
          "--config",
          config,
          "--catalog",
          store,
          "--channel",
          "google,meta",
          "--out",
          out,
          "--quiet",
        ],
        env,
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`catalog ${store}:`);
    }
    for (const name of ["google.xml", "meta.csv"]) {
      expect(await readFile(join(outs[1]!, name), "utf8")).toBe(await readFile(join(outs[0]!, name), "utf8"));
    }
  });

  it("validates, explains and dry-runs a publish from the store of catalog.store", async () => {
    const validate = await omnifeed(["validate", "--config", config, "--json"], env);
    const summary = JSON.parse(validate.stdout.trim().split("\n").at(-1)!) as {
      catalog: { variants: number };
    };
    expect(summary.catalog.variants).toBe(400);
    const sku = catalog[2]!.variants[0]!.sku;
    const explain = await omnifeed(
      ["explain", sku, "--config", config, "--catalog", "woocommerce", "--offline"],
      env,
    );
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(new RegExp(`^SKU ${sku} — woocommerce:\\S+ \\d+/\\d+ \\(woocommerce\\)`));
    expect(explain.stdout).toContain(`"sku":"${sku}"`);
    const publish = await omnifeed(
      [
        "publish",
        "--config",
        config,
        "--channel",
        "google",
        "--dry-run",
        "--state-file",
        join(dir, "state.sqlite"),
      ],
      env,
    );
    expect(publish.stderr).toBe("");
    expect(publish.code).toBe(0);
  });

  it("names the missing stores block instead of reading a file called shopify", async () => {
    const bare = join(dir, "bare.yaml");
    await writeFile(bare, stringify({ channels: { google: {} } }));
    const result = await omnifeed([
      "export",
      "--config",
      bare,
      "--catalog",
      "shopify",
      "--out",
      join(dir, "x"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no stores.shopify block");
  });
});
