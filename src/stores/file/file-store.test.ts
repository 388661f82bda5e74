import { copyFile, mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../config/paths.js";
import { isOmnifeedError } from "../../core/errors.js";
import { OrderKeySchema, OrderSchema, type Order } from "../../core/order.js";
import { makeTempDir } from "../../../test/support/temp-dirs.js";
import { createFileStore } from "./index.js";

const DEMO_CATALOG = join(PACKAGE_ROOT, "fixtures/catalogs/demo/catalog.csv");
const context = { clock: () => new Date("2026-12-06T10:00:00.000Z") };

function order(orderId: string, buyerName = "Ann Buyer"): Order {
  return OrderSchema.parse({
    ...OrderKeySchema.parse({ marketplace: "amazon", account: "A1", orderId }),
    status: "unshipped",
    purchasedAt: "2026-12-05T08:00:00Z",
    currency: "USD",
    lines: [
      {
        lineId: "L1",
        sku: "TEE-ORG-WHI-S",
        title: "Tee, white",
        quantity: 2,
        unitPrice: { amount: 1999, currency: "USD" },
      },
      { lineId: "L2", sku: "TEE-ORG-BLA-M", quantity: 1, unitPrice: { amount: 2500, currency: "USD" } },
    ],
    shippingAddress: {
      name: buyerName,
      line1: "1 Main St",
      city: "Austin",
      region: "TX",
      postalCode: "73301",
      country: "US",
    },
    buyer: { name: buyerName },
    total: { amount: 6498, currency: "USD" },
  });
}

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

async function rowsOf(dir: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, "orders.csv"), "utf8"), { columns: true });
}

describe("file store orders", () => {
  it("writes the order as JSON in outbox/ and one orders.csv row per line, under one header", async () => {
    const dir = makeTempDir("fs-orders");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    const ref = await store.createOrder(order("1"), context);
    await store.createOrder(order("2"), context);
    expect(ref).toEqual({ storeOrderId: "amazon_A1_1", outcome: "created" });
    const json = JSON.parse(await readFile(join(dir, "outbox", "amazon_A1_1.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(json).toEqual({
      format: "omnifeed.file-store.order/1",
      storeOrderId: "amazon_A1_1",
      status: "open",
      createdAt: "2026-12-06T10:00:00.000Z",
      order: JSON.parse(JSON.stringify(order("1"))) as unknown,
    });
    const text = await readFile(join(dir, "orders.csv"), "utf8");
    expect(text.match(/^event,/gm)).toHaveLength(1);
    const rows = await rowsOf(dir);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      event: "created",
      at: "2026-12-06T10:00:00.000Z",
      store_order_id: "amazon_A1_1",
      order_id: "1",
      line_id: "L1",
      sku: "TEE-ORG-WHI-S",
      title: "Tee, white",
      quantity: "2",
      unit_price: "19.99",
      currency: "USD",
      order_total: "64.98",
      ship_name: "Ann Buyer",
      ship_country: "US",
    });
  });

  it("writes a buyer's text that a spreadsheet would run as a formula with a leading quote", async () => {
    const dir = makeTempDir("fs-formula");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    await store.createOrder(order("3", '=HYPERLINK("http://x.example","click")'), context);
    const [row] = await rowsOf(dir);
    expect(row!.ship_name).toBe(`'=HYPERLINK("http://x.example","click")`);
  });

  it("marks a cancelled order in its JSON and appends one cancellation row however often it is cancelled", async () => {
    const dir = makeTempDir("fs-cancel");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    const { storeOrderId } = await store.createOrder(order("4"), context);
    await Promise.all([store.cancelOrder(storeOrderId, context), store.cancelOrder(storeOrderId, context)]);
    await store.cancelOrder(storeOrderId, context);
    const json = JSON.parse(await readFile(join(dir, "outbox", `${storeOrderId}.json`), "utf8")) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ status: "cancelled", cancelledAt: "2026-12-06T10:00:00.000Z" });
    const rows = await rowsOf(dir);
    expect(rows.map((row) => `${row.event} ${row.sku}`)).toEqual([
      "created TEE-ORG-WHI-S",
      "created TEE-ORG-BLA-M",
      "cancelled ",
    ]);
    expect(await readdir(join(dir, "outbox"))).toEqual([".cancelled", `${storeOrderId}.json`]);
  });

  it("refuses orders without a catalog (config) and names the unsold SKU (rejected)", async () => {
    const dir = makeTempDir("fs-no-catalog");
    const bare = createFileStore({ dir });
    expect(isOmnifeedError(await errorOf(() => bare.createOrder(order("5"), context)), "config")).toBe(true);
    expect((await bare.check(context)).ok).toBe(false);
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    const unsold = OrderSchema.parse({ ...order("6"), lines: [{ ...order("6").lines[0]!, sku: "GONE-1" }] });
    const error = await errorOf(() => store.createOrder(unsold, context));
    expect(isOmnifeedError(error, "rejected")).toBe(true);
    expect((error as Error).message).toBe(
      "amazon/A1/6: the catalog catalog.csv does not sell SKU GONE-1; the order was not created",
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a damaged order file with a config error naming it", async () => {
    const dir = makeTempDir("fs-damaged");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    await store.createOrder(order("7"), context);
    await writeFile(join(dir, "outbox", "amazon_A1_7.json"), "{ half");
    const error = await errorOf(() => store.createOrder(order("7"), context));
    expect(isOmnifeedError(error, "config")).toBe(true);
    expect((error as Error).message).toContain(join(dir, "outbox", "amazon_A1_7.json"));
  });
});

describe("file store catalog checkpoints", () => {
  it("refuses to resume a catalog file that changed since the checkpoint, and a checkpoint that is not one", async () => {
    const dir = makeTempDir("fs-catalog");
    const file = join(dir, "catalog.csv");
    await copyFile(DEMO_CATALOG, file);
    const store = createFileStore({ dir, catalog: { file }, batchSize: 5 });
    const first = await store.readCatalog(context)[Symbol.asyncIterator]().next();
    const checkpoint = (first.value as { checkpoint: string }).checkpoint;
    expect(JSON.parse(checkpoint)).toMatchObject({ batches: 1 });
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const resume = async (from: string): Promise<void> => {
      for await (const page of store.readCatalog(context, from)) void page;
    };
    expect(isOmnifeedError(await errorOf(() => resume(checkpoint)), "conflict")).toBe(true);
    expect(isOmnifeedError(await errorOf(() => resume("page 3")), "config")).toBe(true);
  });
});

describe("file store inbox", () => {
  const header = "marketplace,account,order_id,sku,quantity,carrier,tracking_number";

  it("reads a file again until a call is handed the checkpoint that took it, then moves it to processed/", async () => {
    const dir = makeTempDir("fs-inbox");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    await store.createOrder(order("8"), context);
    const inbox = join(dir, "inbox");
    await store.createOrder(order("9"), context);
    const dropped = join(makeTempDir("fs-drop"), "day.csv");
    await writeFile(dropped, `${header}\namazon,A1,8,TEE-ORG-WHI-S,2,UPS,1Z1\n`);
    await store.importTracking(dropped, context);

    // A crash before the caller saved the checkpoint: the next read (from the old checkpoint) sees it again.
    const first = await store.shipmentsSince(undefined, context);
    const again = await store.shipmentsSince(undefined, context);
    expect(first.shipments).toHaveLength(1);
    expect(again.shipments).toEqual(first.shipments);
    expect(again.checkpoint).toBe(first.checkpoint);

    // Saved and handed back: not news any more, and moved out of the inbox.
    const next = await store.shipmentsSince(first.checkpoint, context);
    expect(next.shipments).toEqual([]);
    expect((await readdir(inbox)).filter((name) => name.endsWith(".csv"))).toEqual([]);
    expect(await readdir(join(inbox, "processed"))).toHaveLength(1);
  });

  it("reports bad rows of a file dropped by hand with file:line: field, keeps the good ones, and re-reads a rewritten file", async () => {
    const dir = makeTempDir("fs-inbox-bad");
    const store = createFileStore({ dir, catalog: { file: DEMO_CATALOG } });
    await store.createOrder(order("10"), context);
    await store.createOrder(order("11"), context);
    const inbox = join(dir, "inbox");
    await store.shipmentsSince(undefined, context); // No inbox yet: nothing, and no failure.
    await mkdir(inbox, { recursive: true });
    const file = join(inbox, "by-hand.csv");
    await writeFile(
      file,
      `${header}\namazon,A1,10,TEE-ORG-WHI-S,3,UPS,1Z1\namazon,A1,10,TEE-ORG-WHI-S,2,UPS,1Z1\namazon,A1,11,TEE-ORG-BLA-M,1,UPS,1Z2\n`,
    );
    const page = await store.shipmentsSince(undefined, context);
    expect(page.shipments.map((shipment) => shipment.trackingNumber)).toEqual(["1Z1", "1Z2"]);
    expect(page.issues).toEqual([
      {
        file,
        line: 2,
        field: "quantity",
        severity: "error",
        message: "the file ships 3 of SKU TEE-ORG-WHI-S but order amazon/A1/10 has 2",
      },
    ]);
    // The merchant fixes the file in place: its content changed, so it is read again and not moved.
    await writeFile(file, `${header}\namazon,A1,10,TEE-ORG-BLA-M,1,DHL,JD1\n`);
    const fixed = await store.shipmentsSince(page.checkpoint, context);
    expect(fixed.shipments.map((shipment) => shipment.trackingNumber)).toEqual(["JD1"]);
    expect(fixed.issues).toEqual([]);
  });
});
