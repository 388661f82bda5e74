import { describe, expect, it } from "vitest";
import {
  apiNameOf,
  localInventoriesOf,
  moneyOfPrice,
  priceOf,
  productAttributesOf,
  valuesOfProduct,
} from "./api-payload.js";

describe("Merchant API prices", () => {
  it("writes micros as int64 strings and reads them back by the currency's minor unit", () => {
    expect(priceOf({ amount: 1599, currency: "USD" })).toEqual({
      amountMicros: "15990000",
      currencyCode: "USD",
    });
    expect(priceOf({ amount: 1500, currency: "JPY" })).toEqual({
      amountMicros: "1500000000",
      currencyCode: "JPY",
    });
    expect(moneyOfPrice({ amountMicros: "15990000", currencyCode: "USD" })).toEqual({
      amount: 1599,
      currency: "USD",
    });
    expect(moneyOfPrice({ amountMicros: 1500000000, currencyCode: "JPY" })).toEqual({
      amount: 1500,
      currency: "JPY",
    });
    expect(moneyOfPrice({ amountMicros: "1234", currencyCode: "KWD" })).toBeUndefined();
    // A price finer than a cent is not a price omnifeed sent: reconcile sees a drift, not a rounding.
    expect(moneyOfPrice({ amountMicros: "15995000", currencyCode: "USD" })).toBeUndefined();
    expect(moneyOfPrice({ currencyCode: "USD" })).toEqual({ amount: 0, currency: "USD" });
    expect(moneyOfPrice("15.00 USD")).toBeUndefined();
  });
});

describe("productAttributesOf", () => {
  it("names fields as the API does and spells enums, dates, measures and lists its way", () => {
    expect(apiNameOf("additional_image_link")).toBe("additionalImageLinks");
    expect(apiNameOf("custom_label_0")).toBe("customLabel0");
    expect(
      productAttributesOf({
        id: "SKU-1",
        availability: "backorder",
        availability_date: "2026-02-24T11:07+0100",
        energy_efficiency_class: "A+++",
        pickup_method: "ship to store",
        pickup_sla: "2-day",
        included_destination: ["Shopping_ads"],
        size_type: ["petite", "maternity"],
        gtin: "4006381333931",
        unit_pricing_measure: "750ml",
        unit_pricing_base_measure: "100ml",
        product_weight: { value: 1.2, unit: "kg" },
        product_detail: ["General:Material:Cotton: organic"],
        sale_price_effective_date: { start: "2026-11-27T00:00-0800", end: "2026-12-01T23:59-0800" },
        custom_label_0: "summer",
        is_bundle: false,
        local_inventory: [{ store_code: "S1", quantity: 1, availability: "in_stock" }],
      }),
    ).toEqual({
      availability: "BACKORDER",
      availabilityDate: "2026-02-24T10:07:00.000Z",
      energyEfficiencyClass: "APPP",
      pickupMethod: "SHIP_TO_STORE",
      pickupSla: "TWO_DAY",
      includedDestinations: ["SHOPPING_ADS"],
      sizeTypes: ["PETITE", "MATERNITY"],
      gtins: ["4006381333931"],
      unitPricingMeasure: { value: 750, unit: "ml" },
      unitPricingBaseMeasure: { value: "100", unit: "ml" },
      productWeight: { value: 1.2, unit: "kg" },
      productDetails: [
        { sectionName: "General", attributeName: "Material", attributeValue: "Cotton: organic" },
      ],
      salePriceEffectiveDate: { startTime: "2026-11-27T08:00:00.000Z", endTime: "2026-12-02T07:59:00.000Z" },
      customLabel0: "summer",
      isBundle: false,
    });
  });

  it("turns store rows into localInventories bodies", () => {
    expect(
      localInventoriesOf({
        local_inventory: [
          { store_code: "S1", quantity: 3, availability: "in_stock", pickup_method: "not supported" },
          {
            store_code: "S2",
            quantity: 0,
            availability: "out_of_stock",
            price: { amount: 999, currency: "EUR" },
          },
        ],
      }),
    ).toEqual([
      {
        storeCode: "S1",
        localInventoryAttributes: { availability: "IN_STOCK", quantity: "3", pickupMethod: "NOT_SUPPORTED" },
      },
      {
        storeCode: "S2",
        localInventoryAttributes: {
          availability: "OUT_OF_STOCK",
          quantity: "0",
          price: { amountMicros: "9990000", currencyCode: "EUR" },
        },
      },
    ]);
    expect(localInventoriesOf({ title: "no stores" })).toEqual([]);
  });
});

describe("valuesOfProduct", () => {
  it("reads the API's attributes back into the values the build yields", () => {
    const sent = {
      title: "Tee",
      price: { amount: 1500, currency: "USD" },
      availability: "in_stock",
      condition: "refurbished",
      gtin: "4006381333931",
      product_type: ["A > B", "C"],
      multipack: 3,
      pickup_method: "ship to store",
      pickup_sla: "multi-week",
      energy_efficiency_class: "A++",
      adult: false,
      shipping: [{ country: "US", price: { amount: 0, currency: "USD" } }],
    };
    expect(valuesOfProduct(productAttributesOf(sent))).toEqual(sent);
  });
});
