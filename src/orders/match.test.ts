import { describe, expect, it } from "vitest";
import { OrderSchema, ShipmentSchema } from "../core/order.js";
import { orderOf } from "../../test/support/memory-marketplace.js";
import { shipmentLines } from "./fulfillment.js";
import { newRecord, type OrderRecord } from "./ledger.js";
import { isSkuRefusal, matchLines, soldLinesOf, storeOrderOf } from "./match.js";
import { skuMapOf } from "./sku-map.js";
import { overdueOf } from "./tracking.js";

const order = OrderSchema.parse({
  ...orderOf("M-1", [{ sku: "AMZ-A", quantity: 2 }, { sku: "B" }, { sku: "AMZ-A" }], {
    shipBy: "2026-12-03T00:00:00Z",
  }),
  marketplace: "amazon",
  account: "A1",
});
const map = skuMapOf([
  { marketplace: "amazon", from: "AMZ-A", to: "A" },
  { from: "AMZ-A", to: "WRONG" },
  { marketplace: "ebay", from: "B", to: "EBAY-B" },
]);
const imported = (): OrderRecord => ({
  ...newRecord(order, new Date("2026-12-01T00:00:00Z")),
  state: "imported",
  lines: matchLines(order, map),
});
const shipment = (shipmentId: string, lines: { sku: string; quantity: number }[]) =>
  ShipmentSchema.parse({ shipmentId, storeOrderId: "S-1", lines, trackingNumber: "T" });

describe("matchLines", () => {
  it("maps a marketplace SKU through the map (the marketplace's own row first) and keeps the rest", () => {
    expect(matchLines(order, map).map((line) => [line.marketplaceSku, line.sku])).toEqual([
      ["AMZ-A", "A"],
      ["B", "B"],
      ["AMZ-A", "A"],
    ]);
    expect(storeOrderOf(order, matchLines(order, map)).lines.map((line) => line.sku)).toEqual([
      "A",
      "B",
      "A",
    ]);
    expect(order.lines[0]!.sku).toBe("AMZ-A");
  });

  it("sums the sold units per store SKU", () => {
    expect(soldLinesOf(matchLines(order, map))).toEqual([
      { sku: "A", quantity: 3 },
      { sku: "B", quantity: 1 },
    ]);
  });

  it("tells a store's SKU refusal from other refusals", () => {
    expect(isSkuRefusal("Shopify: order not created: SKU X is not sold by the shop")).toBe(true);
    expect(isSkuRefusal("the shipping address has no postal code")).toBe(false);
  });
});

describe("shipmentLines", () => {
  it("spreads a store SKU over the marketplace lines with units left, in line order", () => {
    expect(shipmentLines(imported(), shipment("F1", [{ sku: "A", quantity: 3 }]))).toEqual({
      lines: [
        { lineId: "M-1-L1", sku: "AMZ-A", quantity: 2 },
        { lineId: "M-1-L3", sku: "AMZ-A", quantity: 1 },
      ],
    });
  });

  it("counts what earlier shipments took, and refuses units the order does not have left", () => {
    const record: OrderRecord = {
      ...imported(),
      shipments: [
        {
          shipmentId: "F1",
          state: "sent",
          attempts: 1,
          lines: [{ lineId: "M-1-L1", sku: "AMZ-A" as never, quantity: 2 }],
        },
      ],
    };
    expect(shipmentLines(record, shipment("F2", [{ sku: "A", quantity: 1 }]))).toEqual({
      lines: [{ lineId: "M-1-L3", sku: "AMZ-A", quantity: 1 }],
    });
    expect(shipmentLines(record, shipment("F2", [{ sku: "A", quantity: 2 }]))).toEqual({
      reason: "the shipment carries 1 more of SKU A than the order has left to ship",
    });
    // The same shipment again is not counted against itself.
    expect(shipmentLines(record, shipment("F1", [{ sku: "A", quantity: 2 }]))).toHaveProperty("lines");
  });
});

describe("overdueOf", () => {
  it("reports an imported order past its ship-by date with units unshipped, and nothing before it", () => {
    expect(overdueOf(imported(), new Date("2026-12-02T00:00:00Z"))).toEqual([]);
    expect(overdueOf(imported(), new Date("2026-12-04T00:00:00Z"))).toEqual([
      { key: imported().key, deadline: "2026-12-03T00:00:00Z", state: "not_shipped" },
    ]);
  });
});
