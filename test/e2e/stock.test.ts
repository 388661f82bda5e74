import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { DEMO, freshDir, omnifeed as run } from "./cli.js";
import { writeCalls } from "./simulator-calls.js";

/**
 * `omnifeed stock push` through the real CLI: a manual sale pushed to the channels' stock path,
 * recorded once per `--order`, and clear errors for bad flags and unknown SKUs.
 */
describe("omnifeed stock push", () => {
  const SKU = "TEE-ORG-WHI-S";
  let google: Awaited<ReturnType<typeof startGoogleSimulator>>;
  let meta: Awaited<ReturnType<typeof startMetaSimulator>>;
  let config: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    google = await startGoogleSimulator({ port: 0, processingDelayMs: 0 });
    meta = await startMetaSimulator({ port: 0, processingDelayMs: 0 });
    const dir = freshDir("stock-cli");
    // The demo catalog with a total of 3 units for the SKU.
    const lines = readFileSync(join(DEMO, "catalog.jsonl"), "utf8").trimEnd().split("\n");
    const catalog = lines.map((line) => line.replace(`"sku":"${SKU}",`, `"sku":"${SKU}","quantity":3,`));
    writeFileSync(join(dir, "catalog.jsonl"), `${catalog.join("\n")}\n`);
    config = join(dir, "omnifeed.config.yaml");
    const fast = { rate_limit_per_second: 500, rate_limit_burst: 50 };
    writeFileSync(
      config,
      stringify({
        catalog: {
          file: "catalog.jsonl",
          options: { currency: "USD", store_url: "https://demo.omnifeed.dev" },
        },
        channels: {
          google: { account: { ...google.accountSettings, ...fast } },
          meta: { account: { ...meta.accountSettings, ...fast } },
        },
        state: { file: "state.sqlite" },
      }),
    );
    env = { ...google.env, ...meta.env };
    const published = await run(["publish", "--config", config, "--quiet"], env);
    expect(published.code, published.stderr).toBe(0);
  });

  afterAll(async () => {
    await google?.close();
    await meta?.close();
  });

  it("records a sale and sends the SKU's stock alone; the same --order again counts once", async () => {
    google.resetCalls();
    meta.resetCalls();
    const pushed = await run(
      ["stock", "push", "--config", config, "--sku", `${SKU}:1`, "--from", "amazon", "--order", "manual/1"],
      env,
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain(`held (sold, not yet in the catalog): ${SKU} 1`);
    expect(pushed.stdout).toMatch(/meta \(.+\): 1 updated, 0 already in step/);
    expect(meta.items().get(SKU)?.fields.quantity_to_sell_on_facebook).toBe(2);
    // Google shows availability only: 2 left is still in stock, nothing to send there.
    expect(pushed.stdout).toMatch(/google \(.+\): 0 updated, 1 already in step/);
    expect(writeCalls("google", google.calls)).toEqual([]);

    const again = await run(
      ["stock", "push", "--config", config, "--sku", `${SKU}:1`, "--order", "manual/1", "--json"],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { held: Record<string, number> }).held).toEqual({ [SKU]: 1 });
    expect(writeCalls("meta", meta.calls)).toHaveLength(1);
  });

  it("says which SKU the catalog lacks (exit 3) and refuses a bad --sku (exit 2)", async () => {
    const missing = await run(["stock", "push", "--config", config, "--sku", "NO-SUCH-SKU"], env);
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stdout).toContain("not in the catalog: NO-SUCH-SKU");

    const zero = await run(["stock", "push", "--config", config, "--sku", `${SKU}:0`], env);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain(`--sku ${SKU}:0: the sold quantity must be above 0`);

    const none = await run(["stock", "push", "--config", config], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--sku");
  });
});
