import { describe, expect, it } from "vitest";
import {
  addToMoney,
  moneyWithEnding,
  multiplyMoney,
  roundMoney,
  roundWith,
  withPriceEnding,
} from "./money.js";

const usd = (amount: number) => ({ amount, currency: "USD" });
const jpy = (amount: number) => ({ amount, currency: "JPY" });

describe("money arithmetic", () => {
  it("multiplies to the minor unit, half up, never below zero", () => {
    expect(multiplyMoney(usd(1999), 1.2)).toEqual(usd(2399));
    expect(multiplyMoney(usd(1005), 0.5)).toEqual(usd(503));
    expect(multiplyMoney(usd(1000), -1)).toEqual(usd(0));
  });

  it("adds amounts in major units of the price's currency", () => {
    expect(addToMoney(usd(1999), 2.5)).toEqual(usd(2249));
    expect(addToMoney(jpy(1500), 3)).toEqual(jpy(1503));
    expect(addToMoney(usd(100), -5)).toEqual(usd(0));
  });

  it("rounds to decimals in major units: nearest, up or down", () => {
    expect(roundMoney(usd(2345), 0, "nearest")).toEqual(usd(2300));
    expect(roundMoney(usd(2350), 0, "nearest")).toEqual(usd(2400));
    expect(roundMoney(usd(2301), 0, "up")).toEqual(usd(2400));
    expect(roundMoney(usd(2399), -1, "down")).toEqual(usd(2000));
    expect(roundMoney(usd(2345), 2, "up")).toEqual(usd(2345));
    expect(roundMoney(jpy(1234), 1, "nearest")).toEqual(jpy(1234));
    expect(roundWith(2.5, "nearest")).toBe(3);
  });

  it("gives charm endings at or above the price", () => {
    expect(moneyWithEnding(usd(2345), 0.99)).toEqual(usd(2399));
    expect(moneyWithEnding(usd(2345), 9.99)).toEqual(usd(2999));
    expect(moneyWithEnding(usd(2399), 0.99)).toEqual(usd(2399));
    expect(moneyWithEnding(usd(2400), 0.99)).toEqual(usd(2499));
    expect(moneyWithEnding(jpy(1234), 0.99)).toBeUndefined();
    expect(moneyWithEnding(jpy(1234), 80)).toEqual(jpy(1280));
    expect(withPriceEnding(2345, 2, 0.5)).toBe(2350);
  });
});
