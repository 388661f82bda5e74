import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OrderSchema } from "../../src/core/order.js";
import { newRecord } from "../../src/orders/ledger.js";
import { SqliteOrderLedger } from "../../src/orders/ledger-sqlite.js";
import { orderOf } from "../support/memory-marketplace.js";
import { DEMO, freshDir, omnifeed } from "./cli.js";

/** A config with the file store, a SKU map and the embedded ledger in `dir`; one unmatched order in the ledger. */
async function setup() {
  const dir = freshDir("orders-cli");
  await writeFile(
    join(dir, "sku-map.csv"),
    "marketplace,marketplace_sku,store_sku\namazon,AMZ-TEE-WHITE-S,TEE-ORG-WHI-S\n",
  );
  const config = join(dir, "omnifeed.config.yaml");
  await writeFile(
    config,
    [
      `catalog: { file: ${join(DEMO, "catalog.csv")} }`,
      "stores: { file: { dir: store } }",
      "orders: { store: file, sku_map: sku-map.csv, ledger_file: orders.sqlite }",
    ].join("\n"),
  );
  const ledger = SqliteOrderLedger.open(join(dir, "orders.sqlite"));
  const order = OrderSchema.parse({
    ...orderOf("114-0000001-0000001", [{ sku: "AMZ-TEE-WHITE-S", quantity: 2 }]),
    marketplace: "amazon",
    account: "A1",
  });
  await ledger.put({
    ...newRecord(order, new Date("2026-12-01T11:00:00Z")),
    state: "unmatched",
    reason: "the catalog catalog.csv does not sell SKU AMZ-TEE-WHITE-S; the order was not created",
  });
  await ledger.close();
  return { dir, config };
}

describe("omnifeed orders", () => {
  it("lists a held order with its reason, retries it once mapped into one store order, and lists it imported", async () => {
    const { dir, config } = await setup();
    const held = await omnifeed(["orders", "list", "--config", config, "--status", "unmatched", "--json"]);
    expect(held.code, held.stderr).toBe(0);
    const [line] = held.stdout
      .trim()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line).toMatchObject({ order: "amazon/A1/114-0000001-0000001", state: "unmatched" });
    expect(String(line!.reason)).toContain("AMZ-TEE-WHITE-S");
    expect(held.stdout).not.toContain("Jane Buyer");

    for (const expected of ["imported", "already_imported"]) {
      const retry = await omnifeed([
        "orders",
        "retry",
        "amazon/A1/114-0000001-0000001",
        "--config",
        config,
        "--json",
      ]);
      expect(retry.code, retry.stderr).toBe(0);
      expect(JSON.parse(retry.stdout)).toMatchObject({ outcome: expected });
    }
    const outbox = (await readdir(join(dir, "store", "outbox"))).filter((name) => name.endsWith(".json"));
    expect(outbox).toHaveLength(1);

    const listed = await omnifeed(["orders", "list", "--config", config]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/amazon\/A1\/114-0000001-0000001 {2}imported → file /);
    expect(listed.stdout).toContain("1 imported, 0 waiting to import, 0 unmatched");
    const json = await omnifeed(["orders", "list", "--config", config, "--json"]);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ sold: [{ sku: "TEE-ORG-WHI-S", quantity: 2 }] });
  }, 60_000);

  it("a malformed order id, an unknown status and a marketplace the config lacks are clear errors (exit 2)", async () => {
    const { config } = await setup();
    const bad = await omnifeed(["orders", "retry", "amazon-only", "--config", config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("amazon-only: expected marketplace/account/orderId");
    const status = await omnifeed(["orders", "list", "--config", config, "--status", "lost"]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain("unknown status lost");
    const pull = await omnifeed(["orders", "pull", "--config", config, "--marketplace", "ebay"]);
    expect(pull.code).toBe(2);
    expect(pull.stderr).toContain("marketplaces.ebay: no marketplaces.ebay block in omnifeed.config.yaml");
  }, 60_000);

  it("tracking push records the store's fulfillments and names orders whose marketplace is not configured", async () => {
    const { dir, config } = await setup();
    await omnifeed(["orders", "retry", "amazon/A1/114-0000001-0000001", "--config", config]);
    const csv = join(dir, "shipped.csv");
    await writeFile(
      csv,
      "marketplace,account,order_id,sku,quantity,carrier,tracking_number\namazon,A1,114-0000001-0000001,TEE-ORG-WHI-S,1,UPS,1Z001\n",
    );
    expect((await omnifeed(["tracking", "import", csv, "--config", config])).code).toBe(0);
    const push = await omnifeed(["tracking", "push", "--config", config, "--json"]);
    expect(push.code, push.stderr).toBe(0);
    const result = JSON.parse(push.stdout) as {
      collected: { shipments: { outcome: string }[] };
      skipped: unknown[];
    };
    expect(result.collected.shipments).toEqual([expect.objectContaining({ outcome: "waiting" })]);
    expect(result.skipped).toEqual([
      { marketplace: "amazon", account: "A1", orderId: "114-0000001-0000001" },
    ]);
    const listed = await omnifeed(["orders", "list", "--config", config, "--json"]);
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({
      shipments: [
        {
          state: "waiting",
          trackingNumber: "1Z001",
          lines: [{ lineId: "114-0000001-0000001-L1", quantity: 1 }],
        },
      ],
    });
  }, 60_000);
});
