import { describe, expect, it } from "vitest";
import { OrderKeySchema } from "../../core/order.js";
import { parseTrackingCsv, shipmentIdOf, shipmentsOf, trackingCsvText } from "./tracking-csv.js";

const HEADER = "marketplace,account,order_id,sku,quantity,carrier,tracking_number";
const key = OrderKeySchema.parse({ marketplace: "amazon", account: "A1", orderId: "1" });

describe("parseTrackingCsv", () => {
  it("matches header names in any case and order, with a BOM and CRLF lines", () => {
    const text =
      "\ufeffCARRIER , Tracking_Number,SKU,Quantity,Order_ID,Account,MARKETPLACE\r\nUPS,1Z,S1,2,1,A1,amazon\r\n";
    const parsed = parseTrackingCsv(text, "t.csv");
    expect(parsed.issues).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, key, sku: "S1", quantity: 2, carrier: "UPS", trackingNumber: "1Z" },
    ]);
  });

  it("refuses every row when a required column is missing, naming the column at line 1", () => {
    const parsed = parseTrackingCsv(
      "marketplace,account,order_id,sku,quantity,carrier\namazon,A1,1,S1,1,UPS\n",
      "t.csv",
    );
    expect(parsed.rows).toEqual([]);
    expect(parsed.read).toBe(1);
    expect(parsed.issues).toEqual([
      {
        file: "t.csv",
        line: 1,
        field: "tracking_number",
        severity: "error",
        message: "required column missing from the header",
      },
    ]);
  });

  it("reports each bad field at the row's first line, past quoted line breaks and blank lines, and keeps the rest", () => {
    const text = [
      HEADER,
      'amazon,A1,1,S1,1,UPS,"1Z',
      '2"',
      "",
      "amazon,A1,1,S2,-1,UPS,1Z3",
      "amazon,,1,S3,1,UPS,1Z4",
      "amazon,A1,1,S4,1,UPS,1Z5",
    ].join("\n");
    const parsed = parseTrackingCsv(text, "t.csv");
    expect(parsed.rows.map((row) => [row.line, row.sku])).toEqual([
      [2, "S1"],
      [7, "S4"],
    ]);
    expect(parsed.issues.map((issue) => `${issue.line}:${issue.field}`)).toEqual(["5:quantity", "6:account"]);
  });

  it("reports a quote never closed at its line, keeping the rows before it", () => {
    const parsed = parseTrackingCsv(
      `${HEADER}\namazon,A1,1,S1,1,UPS,1Z\namazon,A1,1,S2,1,UPS,"1Z\n`,
      "t.csv",
    );
    expect(parsed.rows.map((row) => row.sku)).toEqual(["S1"]);
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]!.message).toContain("never closed");
  });

  it("says an empty file is empty", () => {
    expect(parseTrackingCsv("", "t.csv").issues[0]).toMatchObject({ line: 1, severity: "error" });
  });
});

describe("shipmentsOf", () => {
  it("makes one shipment per order, carrier and number, summing a SKU's rows, with a stable id", () => {
    const text = [
      `${HEADER},tracking_url`,
      "amazon,A1,1,S1,1,UPS,1Z,https://t.example/1Z",
      "amazon,A1,1,S2,1,UPS,1Z,",
      "amazon,A1,1,S1,1,UPS,1Z,",
      "amazon,A1,1,S3,1,DHL,1Z,",
    ].join("\n");
    const shipments = shipmentsOf(parseTrackingCsv(text, "t.csv").rows, () => "store-1");
    expect(shipments).toEqual([
      {
        shipmentId: shipmentIdOf(key, "UPS", "1Z"),
        order: key,
        storeOrderId: "store-1",
        carrier: "UPS",
        trackingNumber: "1Z",
        trackingUrl: "https://t.example/1Z",
        lines: [
          { sku: "S1", quantity: 2 },
          { sku: "S2", quantity: 1 },
        ],
        cancelled: false,
      },
      expect.objectContaining({ shipmentId: shipmentIdOf(key, "DHL", "1Z"), carrier: "DHL" }),
    ]);
    expect(shipmentIdOf(key, "UPS", "1Z")).not.toBe(shipmentIdOf(key, "DHL", "1Z"));
  });

  it("round-trips through the inbox file it writes", () => {
    const rows = parseTrackingCsv(
      `${HEADER},shipped_at\namazon,A1,1,"S,1",3,UPS,"1Z ""x""",2026-12-01\n`,
      "t.csv",
    ).rows;
    expect(parseTrackingCsv(trackingCsvText(rows), "again.csv").rows).toEqual(rows);
  });
});
