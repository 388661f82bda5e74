import { expect, it } from "vitest";
import { amazonCarrier } from "./amazon/carriers.js";
import { ebayCarrier } from "./ebay/carriers.js";

it("maps store carrier names whatever their case and punctuation", () => {
  expect(amazonCarrier("royal-mail")).toEqual({ code: "Royal Mail", known: true });
  expect(amazonCarrier("UNITED STATES POSTAL SERVICE")).toEqual({ code: "USPS", known: true });
  expect(ebayCarrier("Royal Mail")).toEqual({ code: "RoyalMail", known: true });
  expect(ebayCarrier(" fed-ex ")).toEqual({ code: "FedEx", known: true });
});

it("sends unknown carriers as Other with the name as typed, and reports them unknown", () => {
  expect(amazonCarrier("Acme Couriers")).toEqual({ code: "Other", name: "Acme Couriers", known: false });
  expect(ebayCarrier("Acme Couriers")).toEqual({ code: "Other", name: "Acme Couriers", known: false });
  expect(amazonCarrier(undefined)).toEqual({ code: "Other", name: "Unknown", known: false });
});

it("lets the merchant's own names win over the table", () => {
  expect(amazonCarrier("Evri", { Evri: "Hermes Logistik Gruppe" })).toEqual({
    code: "Hermes Logistik Gruppe",
    known: true,
  });
  expect(amazonCarrier("DHL", { dhl: "DHL Kargo" })).toEqual({ code: "DHL Kargo", known: true });
  expect(amazonCarrier("Local Van", { "local van": "Other" })).toEqual({
    code: "Other",
    name: "Local Van",
    known: true,
  });
});
