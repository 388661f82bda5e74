import { mapCarrier, type CarrierMapping } from "../carriers.js";

/**
 * Store carrier names → Amazon `carrierCode` values (confirmShipment `packageDetail.carrierCode`;
 * Amazon's carrier list, reference §5). Spellings are compared without case or punctuation
 * (`carriers.ts`); merchants add their own in `marketplaces.amazon.carriers`. Anything else goes
 * as `Other` + `carrierName`, which Amazon accepts but cannot track as well.
 */
export const AMAZON_CARRIERS: Readonly<Record<string, string>> = {
  UPS: "UPS",
  "UPS Ground": "UPS",
  "United Parcel Service": "UPS",
  USPS: "USPS",
  "US Postal Service": "USPS",
  "United States Postal Service": "USPS",
  FedEx: "FedEx",
  "Federal Express": "FedEx",
  "FedEx Ground": "FedEx",
  DHL: "DHL",
  "DHL Express": "DHL",
  "Royal Mail": "Royal Mail",
  Parcelforce: "Parcelforce",
  "Parcelforce Worldwide": "Parcelforce",
  DPD: "DPD",
  GLS: "GLS",
  Hermes: "Hermes Logistik Gruppe",
  "Hermes Logistik Gruppe": "Hermes Logistik Gruppe",
  "Deutsche Post": "Deutsche Post",
  "Canada Post": "Canada Post",
  "Australia Post": "Australia Post",
  "Japan Post": "Japan Post",
  OnTrac: "OnTrac",
  TNT: "TNT",
  Yodel: "Yodel",
  "La Poste": "La Poste",
  Colissimo: "Colissimo",
  Chronopost: "Chronopost",
  Correos: "Correos",
  "Poste Italiane": "Poste Italiane",
  PostNL: "PostNL",
  Purolator: "Purolator",
};

/** The store's carrier name as Amazon's `carrierCode` (+ `carrierName` when `Other`). */
export function amazonCarrier(name: string | undefined, extra?: Record<string, string>): CarrierMapping {
  return mapCarrier(name, AMAZON_CARRIERS, extra, "Other");
}
