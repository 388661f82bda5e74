import { describe, expect, it } from "vitest";
import { checkGtin, gs1CheckDigit, hasRestrictedPrefix } from "./gtin.js";

describe("checkGtin", () => {
  it.each([
    ["UPC-A", "036000291452", "upc"],
    ["EAN-13", "4006381333931", "ean"],
    ["GTIN-14", "10012345678902", "gtin"],
    ["EAN-8", "96385074", "ean"],
    ["ISBN-10", "0306406152", "isbn"],
    ["ISBN-10 with X", "080442957X", "isbn"],
  ])("accepts a valid %s", (_kind, gtin, type) => {
    expect(checkGtin(gtin)).toEqual({ ok: true, type });
  });

  it.each([
    ["UPC-A", "036000291453", "upc"],
    ["EAN-13", "4006381333932", "ean"],
    ["GTIN-14", "10012345678901", "gtin"],
    ["EAN-8", "96385075", "ean"],
    ["ISBN-10", "0306406153", "isbn"],
  ])("rejects a %s with a wrong check digit", (_kind, gtin, type) => {
    expect(checkGtin(gtin)).toEqual({ ok: false, problem: "check_digit", type });
  });

  it("rejects other lengths and non-digits", () => {
    expect(checkGtin("12345")).toEqual({ ok: false, problem: "bad_length" });
    expect(checkGtin("03600029145A")).toEqual({ ok: false, problem: "not_digits" });
    expect(checkGtin("0360-0029-1452")).toEqual({ ok: false, problem: "not_digits" });
  });

  it("computes the GS1 check digit", () => {
    expect(gs1CheckDigit("03600029145")).toBe(2);
    expect(gs1CheckDigit("400638133393")).toBe(1);
    expect(gs1CheckDigit("9638507")).toBe(4);
  });
});

describe("hasRestrictedPrefix", () => {
  it("flags restricted-circulation and coupon prefixes", () => {
    expect(hasRestrictedPrefix("2012345678903")).toBe(true); // EAN-13 20–29
    expect(hasRestrictedPrefix("212345678907")).toBe(true); // UPC number system 2
    expect(hasRestrictedPrefix("0412345678908")).toBe(true);
    expect(hasRestrictedPrefix("9912345678900")).toBe(true);
  });

  it("leaves ordinary GTINs alone", () => {
    expect(hasRestrictedPrefix("036000291452")).toBe(false);
    expect(hasRestrictedPrefix("4006381333931")).toBe(false);
    expect(hasRestrictedPrefix("96385074")).toBe(false);
  });
});
