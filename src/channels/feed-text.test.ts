import { describe, expect, it } from "vitest";
import {
  dateRangeOf,
  dimensionTextOf,
  enumReader,
  moneyOfPriceText,
  priceTextOf,
  textListOf,
  textOf,
  weightTextOf,
  yesNoOf,
} from "./feed-text.js";

describe("feed text readers", () => {
  it("reads text, trimming and treating blank as absent", () => {
    expect(textOf("  Acme  ")).toBe("Acme");
    expect(textOf("   ")).toBeUndefined();
    expect(textOf(12)).toBe("12");
    expect(textOf(["Red", "Blue"])).toBe("Red, Blue");
    expect(textOf({ amount: 1500, currency: "USD" })).toBe("15.00 USD");
  });

  it("reads prices from Money and from override text", () => {
    expect(priceTextOf({ amount: 1999, currency: "USD" }, undefined)).toBe("19.99 USD");
    expect(priceTextOf("USD 15", undefined)).toBe("15.00 USD");
    expect(priceTextOf("12.5", "EUR")).toBe("12.50 EUR");
    expect(priceTextOf("1,299.00 USD", undefined)).toBe("1299.00 USD");
    expect(priceTextOf("cheap", "USD")).toBe("cheap");
    expect(priceTextOf({ amount: 500, currency: "JPY" }, undefined)).toBe("500 JPY");
  });

  it("reads feed price text back as Money", () => {
    expect(moneyOfPriceText("15.00 USD")).toEqual({ amount: 1500, currency: "USD" });
    expect(moneyOfPriceText("15 USD")).toEqual({ amount: 1500, currency: "USD" });
    expect(moneyOfPriceText("USD 15.00")).toBeUndefined();
    expect(moneyOfPriceText("15.00")).toBeUndefined();
  });

  it("splits URL lists given as one override string, not other lists", () => {
    expect(textListOf("https://a.test/1.jpg, https://a.test/2,3.jpg", true)).toEqual([
      "https://a.test/1.jpg",
      "https://a.test/2,3.jpg",
    ]);
    expect(textListOf("Home > Kitchen, Dining", false)).toEqual(["Home > Kitchen, Dining"]);
    expect(textListOf(["a", "", " b "], false)).toEqual(["a", "b"]);
    expect(textListOf([], false)).toBeUndefined();
  });

  it("reads flags as yes/no", () => {
    expect(yesNoOf(false)).toBe("no");
    expect(yesNoOf("TRUE")).toBe("yes");
    expect(yesNoOf("0")).toBe("no");
    expect(yesNoOf("maybe")).toBe("maybe");
  });

  it("spells weights and package sides", () => {
    expect(weightTextOf({ value: 1.2, unit: "kg" })).toBe("1.2 kg");
    expect(weightTextOf({ value: 0.1 + 0.2, unit: "lb" })).toBe("0.3 lb");
    const box = { length: 250, width: 120, height: 0.5, unit: "mm" as const };
    expect(dimensionTextOf(box, "length")).toBe("25 cm");
    expect(dimensionTextOf(box, "height")).toBe("0.05 cm");
    expect(dimensionTextOf({ length: 1, width: 2, height: 3, unit: "ft" }, "width")).toBe("24 in");
    expect(dimensionTextOf("8 in", "length")).toBe("8 in");
  });

  it("reads a sale period from text or a pair of dates", () => {
    expect(dateRangeOf("2026-11-27 00:00-0800/2026-12-01T23:59-0800")).toBe(
      "2026-11-27T00:00-0800/2026-12-01T23:59-0800",
    );
    expect(dateRangeOf(["2026-11-27", "2026-12-01"])).toBe("2026-11-27/2026-12-01");
    expect(dateRangeOf(["2026-11-27", undefined])).toBe("2026-11-27/");
  });

  it("reads closed lists whatever the spelling, with aliases", () => {
    const read = enumReader(["in stock", "out of stock", "available for order"], {
      preorder: "available for order",
    });
    expect(read("in_stock")).toBe("in stock");
    expect(read("Out Of Stock")).toBe("out of stock");
    expect(read("preorder")).toBe("available for order");
    expect(read("sold out")).toBe("sold out");
    expect(read(undefined)).toBeUndefined();
  });
});
