import { describe, expect, it } from "vitest";
import { shippingGroupsOf, shippingGroupText } from "./shipping-groups.js";

describe("shipping groups", () => {
  it("reads the text form, several groups separated by commas", () => {
    expect(shippingGroupsOf("US:CA:Overnight:16.00 USD, US::Ground:6.49 USD", undefined)).toEqual([
      { country: "US", region: "CA", service: "Overnight", price: "16.00 USD" },
      { country: "US", service: "Ground", price: "6.49 USD" },
    ]);
  });

  it("keeps a thousands separator inside a price and takes the item's currency", () => {
    expect(shippingGroupsOf("us::Freight:1,299", "USD")).toEqual([
      { country: "US", service: "Freight", price: "1299.00 USD" },
    ]);
  });

  it("keeps incomplete groups for validation to report", () => {
    expect(shippingGroupsOf(["DE"], "EUR")).toEqual([{ country: "DE", price: "" }]);
    expect(shippingGroupsOf("", "EUR")).toBeUndefined();
  });

  it("writes the text form", () => {
    expect(shippingGroupText({ country: "US", service: "Standard", price: "4.99 USD" })).toBe(
      "US::Standard:4.99 USD",
    );
  });
});
