import type { ItemIssue } from "../../core/issues.js";
import type { MappingResult } from "../../mapping/types.js";
import { channelKeyText } from "../channel-key.js";
import { compileAttributeReader } from "../feed-attributes.js";
import { screenIdentifierAttributes } from "../identifiers.js";
import type { ShippingGroup } from "../shipping-groups.js";
import type { GoogleSettings } from "./config.js";
import type { GoogleAttributes } from "./fields.js";
import { GOOGLE_FIELDS } from "./fields.js";
import { screenGoogleCategory } from "./taxonomy.js";

/**
 * One row of the local inventory feed (https://support.google.com/merchants/answer/3061342): the
 * item's stock at one store, joined to the online item by `id`.
 */
export interface GoogleLocalInventoryRow {
  /** The store code as in the Business Profile (case-sensitive). */
  store_code: string;
  id: string;
  quantity: number;
  price?: string;
  availability: "in_stock" | "out_of_stock";
  pickup_method?: string;
  pickup_sla?: string;
}

/** A Google Merchant Center item: one variant. */
export interface GoogleItem {
  /**
   * Feed attributes in the spec's order, values in feed spelling (`15.00 USD`, `in_stock`, `yes`).
   * Every known attribute is a key; the ones the item lacks are `undefined`.
   */
  attributes: GoogleAttributes;
  /** Stock per store from the allocated `stock.locations`; empty without store inventory. */
  localInventory: GoogleLocalInventoryRow[];
}

const readAttributes = compileAttributeReader(GOOGLE_FIELDS);

// Default shipping groups are built once per settings object, not once per item.
const defaultsCache = new WeakMap<GoogleSettings, GoogleAttributes>();

function defaultsOf(settings: GoogleSettings): GoogleAttributes {
  let defaults = defaultsCache.get(settings);
  if (defaults === undefined) {
    defaults = settings.shipping
      ? {
          shipping: settings.shipping.map((group) => {
            const shipping: ShippingGroup = { country: group.country, price: group.price };
            if (group.region !== undefined) shipping.region = group.region;
            if (group.postal_code !== undefined) shipping.postal_code = group.postal_code;
            if (group.service !== undefined) shipping.service = group.service;
            for (const key of [
              "min_handling_time",
              "max_handling_time",
              "min_transit_time",
              "max_transit_time",
            ] as const) {
              const days = group[key];
              if (days !== undefined) shipping[key] = String(days);
            }
            return shipping;
          }),
        }
      : {};
    defaultsCache.set(settings, defaults);
  }
  return defaults;
}

const NO_ROWS: GoogleLocalInventoryRow[] = [];

/**
 * Mapped fields → a Google item. Pure; unreadable values are kept as text for `validate` to
 * report. Lists longer than Google takes are cut here, with a warning. An invalid GTIN or MPN is
 * left out or rejects the item (`invalid_identifiers`); a category path becomes its taxonomy id.
 */
export function toGoogleItem(
  mapped: MappingResult,
  settings: GoogleSettings,
): { item: GoogleItem; issues: ItemIssue[] } {
  const { attributes, issues } = readAttributes(mapped.fields, defaultsOf(settings));
  // Cleaned before the local inventory rows copy it: every feed writes the same id.
  if (attributes.id !== undefined) attributes.id = channelKeyText(attributes.id) || undefined;
  screenIdentifierAttributes(attributes, settings.invalid_identifiers, issues);
  if (attributes.google_product_category !== undefined) {
    attributes.google_product_category = screenGoogleCategory(attributes.google_product_category, issues);
  }
  const item: GoogleItem = { attributes, localInventory: localInventoryOf(attributes, mapped, settings) };
  return { item, issues };
}

// Local inventory: https://support.google.com/merchants/answer/3061342 — one row per store, the
// pickup method and time from the item or else the settings.
function localInventoryOf(
  attributes: GoogleAttributes,
  mapped: MappingResult,
  settings: GoogleSettings,
): GoogleLocalInventoryRow[] {
  const locations = mapped.stock.locations;
  if (locations.length === 0) return NO_ROWS;
  const id = attributes.id ?? "";
  const pickupMethod = attributes.pickup_method ?? settings.local_inventory?.pickup_method;
  const pickupSla = attributes.pickup_sla ?? settings.local_inventory?.pickup_sla;
  return locations.map(({ location, quantity }) => {
    const row: GoogleLocalInventoryRow = {
      store_code: location,
      id,
      quantity,
      availability: quantity > 0 ? "in_stock" : "out_of_stock",
    };
    if (attributes.price !== undefined) row.price = attributes.price;
    if (pickupMethod !== undefined) row.pickup_method = pickupMethod;
    if (pickupSla !== undefined) row.pickup_sla = pickupSla;
    return row;
  });
}
