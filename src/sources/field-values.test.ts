import { describe, expect, it } from "vitest";
import {
  createFieldSite,
  readAvailability,
  readDate,
  readDimensions,
  readGender,
  readInventory,
  readList,
  readMoney,
  readQuantity,
  readUrl,
  readWeight,
  resetFieldSite,
} from "./field-values.js";
import type { RowIssue } from "../core/issues.js";

function site() {
  const issues: RowIssue[] = [];
  return { site: resetFieldSite(createFieldSite("catalog.csv", issues), 7, "SKU-1"), issues };
}

describe("field values", () => {
  it("reads prices in the usual spellings and reports the others with file, line, column and id", () => {
    const { site: s, issues } = site();
    expect(readMoney(s, "Price", "1,299.00", "USD")).toEqual({ amount: 129900, currency: "USD" });
    expect(readMoney(s, "Price", "EUR 19.9", "USD")).toEqual({ amount: 1990, currency: "EUR" });
    expect(readMoney(s, "Price", "  ", "USD")).toBeUndefined();
    expect(readMoney(s, "Price", "12,99 €", "USD")).toBeUndefined();
    expect(readMoney(s, "Price", "19.999", "USD")).toEqual({ amount: 2000, currency: "USD" });
    expect(issues).toEqual([
      {
        file: "catalog.csv",
        line: 7,
        field: "Price",
        id: "SKU-1",
        severity: "error",
        message: '"12,99 €" is not a price',
      },
      {
        file: "catalog.csv",
        line: 7,
        field: "Price",
        id: "SKU-1",
        severity: "warning",
        message: '"19.999" has more decimals than USD allows; rounded',
      },
    ]);
    expect(s.errors).toBe(1);
  });

  it("reads quantities: negative stock is 0, fractions are errors", () => {
    const { site: s, issues } = site();
    expect(readQuantity(s, "Stock", "-3")).toBe(0);
    expect(readQuantity(s, "Stock", "12")).toBe(12);
    expect(readQuantity(s, "Stock", "1.5")).toBeUndefined();
    expect(issues.map((issue) => issue.message)).toEqual(['"1.5" is not a whole number']);
  });

  it("accepts the spellings merchants use for enums", () => {
    const { site: s, issues } = site();
    expect(readAvailability(s, "availability", "in stock")).toBe("in_stock");
    expect(readAvailability(s, "availability", "Out-of-Stock")).toBe("out_of_stock");
    expect(readAvailability(s, "availability", "onbackorder")).toBe("backorder");
    expect(readGender(s, "gender", "Women")).toBe("female");
    expect(readGender(s, "gender", "kids")).toBeUndefined();
    expect(issues[0]?.message).toBe('"kids" is not a gender: expected male, female or unisex');
  });

  it("checks dates against the calendar, not only their digits", () => {
    const { site: s, issues } = site();
    expect(readDate(s, "sale_price_start", "2026-11-27T00:00-08:00")).toBe("2026-11-27T00:00-08:00");
    expect(readDate(s, "sale_price_start", "2026-11-27 23:59:59")).toBe("2026-11-27 23:59:59");
    expect(readDate(s, "sale_price_start", "2026-13-45")).toBeUndefined();
    expect(readDate(s, "sale_price_start", "next week")).toBeUndefined();
    expect(issues).toHaveLength(2);
  });

  it("reads URLs, lists, weights, dimensions and store stock", () => {
    const { site: s, issues } = site();
    expect(readUrl(s, "link", "https://shop.example.com/p/1")).toBe("https://shop.example.com/p/1");
    expect(readUrl(s, "link", "shop.example.com/p/1")).toBeUndefined();
    expect(readList(" a, ,b ,c")).toEqual(["a", "b", "c"]);
    expect(readWeight(s, "weight", "1.2 kg")).toEqual({ value: 1.2, unit: "kg" });
    expect(readWeight(s, "weight", "3lbs")).toEqual({ value: 3, unit: "lb" });
    expect(readWeight(s, "weight", "350", "g")).toEqual({ value: 350, unit: "g" });
    expect(readWeight(s, "weight", "heavy")).toBeUndefined();
    expect(readDimensions(s, "dimensions", "30 x 20 x 10 cm")).toEqual({
      length: 30,
      width: 20,
      height: 10,
      unit: "cm",
    });
    expect(readDimensions(s, "dimensions", "12×8×2in")).toEqual({
      length: 12,
      width: 8,
      height: 2,
      unit: "in",
    });
    expect(readInventory(s, "inventory", "STORE-001:5, STORE-002:0")).toEqual([
      { location: "STORE-001", quantity: 5 },
      { location: "STORE-002", quantity: 0 },
    ]);
    expect(readInventory(s, "inventory", "STORE-001:five")).toEqual([]);
    expect(issues.map((issue) => issue.field)).toEqual(["link", "weight", "inventory"]);
  });
});
