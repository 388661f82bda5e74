import { mapCarrier, type CarrierMapping } from "../carriers.js";

/**
 * Store carrier names → eBay `shippingCarrierCode` values (eBay's ShippingCarrierCodeType, the
 * list `GeteBayDetails` with `DetailName=ShippingCarrierDetails` returns; reference §1.3).
 * Merchants add their own in `marketplaces.ebay.carriers`; anything else goes as `Other` and the
 * push reports the name as typed.
 */
export const EBAY_CARRIERS: Readonly<Record<string, string>> = {
  UPS: "UPS",
  "United Parcel Service": "UPS",
  USPS: "USPS",
  "US Postal Service": "USPS",
  "United States Postal Service": "USPS",
  FedEx: "FedEx",
  "Federal Express": "FedEx",
  DHL: "DHL",
  "DHL Express": "DHL",
  "Royal Mail": "RoyalMail",
  Parcelforce: "ParcelForce",
  DPD: "DPD",
  GLS: "GLS",
  Hermes: "Hermes",
  "Deutsche Post": "DeutschePost",
  "Canada Post": "CanadaPost",
  "Australia Post": "AustraliaPost",
  OnTrac: "OnTrac",
  TNT: "TNT",
  Yodel: "Yodel",
};

export function ebayCarrier(name: string | undefined, extra?: Record<string, string>): CarrierMapping {
  return mapCarrier(name, EBAY_CARRIERS, extra, "Other");
}
