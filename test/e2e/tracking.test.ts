import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OrderKeySchema, type Shipment } from "../../src/core/order.js";
import { createFileStore } from "../../src/stores/file/index.js";
import { suiteOrder } from "../conformance/store.js";
import { DEMO, freshDir, omnifeed } from "./cli.js";

const CATALOG = join(DEMO, "catalog.csv");
const context = { clock: () => new Date("2026-12-06T09:00:00Z") };

/** A file store in a fresh folder holding one order of two lines (amazon/A1/111-1). */
async function storeWithOrder(dir: string) {
  const store = createFileStore({ dir, catalog: { file: CATALOG } });
  const key = OrderKeySchema.parse({ marketplace: "amazon", account: "A1", orderId: "111-1" });
  await store.createOrder(suiteOrder(key, ["TEE-ORG-WHI-S", "TEE-ORG-BLA-M"], "USD"), context);
  return store;
}

const HEADER =
  "Marketplace, Account ,ORDER_ID,sku,quantity,carrier,tracking_number,tracking_url,shipped_at,note";

describe("omnifeed tracking import", () => {
  it("keeps the good rows, refuses each bad one with file:line: field, and exits 3", async () => {
    const dir = freshDir("tracking-store");
    const store = await storeWithOrder(dir);
    const file = join(freshDir("tracking-in"), "shipped today.csv");
    await writeFile(
      file,
      [
        HEADER,
        "amazon,A1,111-1,TEE-ORG-WHI-S,1,UPS,1Z999,https://ups.example/1Z999,2026-12-06T08:00:00Z,first box",
        "amazon,A1,111-1,TEE-ORG-BLA-M,two,UPS,1Z999,,,bad quantity",
        "amazon,A1,999-9,TEE-ORG-BLA-M,1,UPS,1Z998,,,unknown order",
        'amazon,A1,111-1,TEE-ORG-BLA-M,1,DHL,"JD01',
        '4600",,,tracking number over two lines',
        "amazon,A1,111-1,NOT-IN-ORDER,1,UPS,1Z999,,,sku not in the order",
        "amazon,A1,111-1,TEE-ORG-WHI-S,1,UPS,1Z997,,yesterday,bad date and too many",
      ].join("\n"),
    );
    const result = await omnifeed(["tracking", "import", file, "--store-dir", dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
    const out = result.stdout;
    expect(out).toContain("shipped today.csv:1: warning: note: unknown column, ignored");
    expect(out).toContain('shipped today.csv:3: quantity: "two" is not a whole number above 0');
    expect(out).toContain(
      "shipped today.csv:4: order_id: no order amazon/A1/999-9 in the file store's outbox",
    );
    expect(out).toContain(
      "shipped today.csv:7: sku: SKU NOT-IN-ORDER is not a line of order amazon/A1/111-1",
    );
    expect(out).toContain('shipped today.csv:8: shipped_at: "yesterday" is not an ISO 8601 date');
    expect(out).toMatch(/accepted 2 of 6 rows \(1 order, 2 shipments\) into .*inbox/);
    expect(out).toContain("refused 4 rows: fix them and import them again");

    // The good rows are in the inbox, in the documented columns, and read as two packages.
    const inbox = (await readdir(join(dir, "inbox"))).filter((name) => name.endsWith(".csv"));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}-shipped_today\.csv$/);
    const written = await readFile(join(dir, "inbox", inbox[0]!), "utf8");
    expect(written.split("\n")[0]).toBe(
      "marketplace,account,order_id,sku,quantity,carrier,tracking_number,tracking_url,shipped_at",
    );
    const page = await store.shipmentsSince(undefined, context);
    expect(page.issues ?? []).toEqual([]);
    const byNumber: Record<string, Shipment> = Object.fromEntries(
      page.shipments.map((shipment): [string, Shipment] => [shipment.trackingNumber ?? "", shipment]),
    );
    expect(Object.keys(byNumber).sort()).toEqual(["1Z999", "JD01\n4600"]);
    expect(byNumber["1Z999"]).toMatchObject({
      storeOrderId: "amazon_A1_111-1",
      order: { marketplace: "amazon", account: "A1", orderId: "111-1" },
      carrier: "UPS",
      trackingUrl: "https://ups.example/1Z999",
      shippedAt: "2026-12-06T08:00:00Z",
      lines: [{ sku: "TEE-ORG-WHI-S", quantity: 1 }],
    });
    expect(byNumber["JD01\n4600"]).toMatchObject({
      carrier: "DHL",
      lines: [{ sku: "TEE-ORG-BLA-M", quantity: 1 }],
    });
  });

  it("prints JSON with --json and exits 0 when every row is accepted; the folder comes from stores.file.dir", async () => {
    const base = freshDir("tracking-config");
    await storeWithOrder(join(base, "my-store"));
    await writeFile(join(base, "omnifeed.config.yaml"), "stores:\n  file:\n    dir: my-store\n");
    const file = join(base, "ok.csv");
    await writeFile(file, `${HEADER}\namazon,A1,111-1,TEE-ORG-BLA-M,1,USPS,9400,,,\n`);
    const result = await omnifeed([
      "tracking",
      "import",
      file,
      "--config",
      join(base, "omnifeed.config.yaml"),
      "--json",
    ]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ read: 1, accepted: 1, refused: 0, orders: 1, shipments: 1 });
    expect(String(json.inboxFile)).toContain("my-store");
    expect(await readdir(join(base, "my-store", "inbox"))).toHaveLength(1);
  });

  it("exits 2 naming the file when it does not exist, and writes nothing", async () => {
    const dir = freshDir("tracking-missing");
    const result = await omnifeed(["tracking", "import", join(dir, "nope.csv"), "--store-dir", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nope\.csv: tracking file not found/);
    expect(await readdir(dir)).toEqual([]);
  });
});
