import { describe, expect, it } from "vitest";
import type { LocationStock } from "../../core/catalog.js";
import type { FieldValue, MappingResult } from "../../mapping/types.js";
import { GoogleSettingsSchema } from "./config.js";
import { GOOGLE_FIELDS } from "./fields.js";
import { googleChannel } from "./index.js";
import { toGoogleItem } from "./transform.js";

/** Names of the attributes an item has, in order (every known attribute is a key; absent ones are undefined). */
function presentKeys(attributes: object): string[] {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
}

function mappedOf(fields: Record<string, FieldValue>, locations: LocationStock[] = []): MappingResult {
  return {
    fields,
    stock: { quantity: undefined, locations, availability: "in_stock" },
    firedRules: [],
    issues: [],
  };
}

const settings = GoogleSettingsSchema.parse({ link: "https://demo.omnifeed.dev" });

describe("toGoogleItem", () => {
  it("spells mapped values as feed text, in the spec's order", () => {
    const { item, issues } = toGoogleItem(
      mappedOf({
        price: { amount: 1500, currency: "USD" },
        title: "Acme Tee – Red – M",
        id: "TS-RED-M",
        availability: "in stock",
        sale_price: { amount: 1200, currency: "USD" },
        sale_price_effective_date: ["2026-11-27T00:00-0800", "2026-12-01T23:59-0800"],
        identifier_exists: false,
        shipping_weight: { value: 1.2, unit: "kg" },
        shipping_length: { length: 300, width: 200, height: 50, unit: "mm" },
        additional_image_link: ["https://demo.omnifeed.dev/i/2.jpg", "https://demo.omnifeed.dev/i/3.jpg"],
        product_type: "Apparel > Tops > T-Shirts",
        condition: "NEW",
        gender: "Unisex",
        multipack: 2,
      }),
      settings,
    );
    expect(issues).toEqual([]);
    expect(item.attributes).toEqual({
      id: "TS-RED-M",
      title: "Acme Tee – Red – M",
      additional_image_link: ["https://demo.omnifeed.dev/i/2.jpg", "https://demo.omnifeed.dev/i/3.jpg"],
      availability: "in_stock",
      price: "15.00 USD",
      sale_price: "12.00 USD",
      sale_price_effective_date: "2026-11-27T00:00-0800/2026-12-01T23:59-0800",
      product_type: ["Apparel > Tops > T-Shirts"],
      identifier_exists: "no",
      condition: "new",
      multipack: "2",
      gender: "unisex",
      shipping_weight: "1.2 kg",
      shipping_length: "30 cm",
    });
    const order = GOOGLE_FIELDS.map((field) => field.name as string);
    expect(Object.keys(item.attributes)).toEqual(order);
    const keys = presentKeys(item.attributes);
    expect(keys).toHaveLength(14);
    expect(keys).toEqual([...keys].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  });

  it("accepts every field as a plain string, as per-item overrides give them", () => {
    const { item } = toGoogleItem(
      mappedOf({
        id: " SKU-1 ",
        price: "USD 19.5",
        sale_price: "9.99",
        availability: "Out_Of_Stock",
        additional_image_link: "https://a.test/1.jpg,https://a.test/2.jpg",
        adult: "true",
        shipping: "US::Standard:4.99 USD,CA::Standard:9.99",
        shipping_weight: "3 lb",
        pickup_method: "Ship_To_Store",
      }),
      settings,
    );
    expect(item.attributes).toEqual({
      id: "SKU-1",
      additional_image_link: ["https://a.test/1.jpg", "https://a.test/2.jpg"],
      availability: "out_of_stock",
      price: "19.50 USD",
      sale_price: "9.99 USD",
      adult: "yes",
      shipping: [
        { country: "US", service: "Standard", price: "4.99 USD" },
        { country: "CA", service: "Standard", price: "9.99 USD" },
      ],
      shipping_weight: "3 lb",
      pickup_method: "ship to store",
    });
  });

  it("keeps what it cannot read for validation to report", () => {
    const { item } = toGoogleItem(
      mappedOf({ price: "about ten dollars", availability: "sold out" }),
      settings,
    );
    expect(item.attributes.price).toBe("about ten dollars");
    expect(item.attributes.availability).toBe("sold out");
  });

  it("drops additional images beyond 10 with a warning", () => {
    const images = Array.from({ length: 12 }, (_, index) => `https://a.test/${index}.jpg`);
    const { item, issues } = toGoogleItem(mappedOf({ additional_image_link: images }), settings);
    expect(item.attributes.additional_image_link).toEqual(images.slice(0, 10));
    expect(issues).toEqual([
      expect.objectContaining({ code: "too_many_values", field: "additional_image_link" }),
    ]);
  });

  it("uses the settings' shipping groups when the mapping gives none", () => {
    const withShipping = GoogleSettingsSchema.parse({
      shipping: [{ country: "US", service: "Standard", price: "4.99 USD", max_handling_time: 2 }],
    });
    const { item } = toGoogleItem(mappedOf({ id: "A", shipping_label: "bulky" }), withShipping);
    expect(item.attributes.shipping).toEqual([
      { country: "US", service: "Standard", price: "4.99 USD", max_handling_time: "2" },
    ]);
    expect(presentKeys(item.attributes)).toEqual(["id", "shipping", "shipping_label"]);
    const own = toGoogleItem(mappedOf({ id: "A", shipping: "US::Express:9.99 USD" }), withShipping);
    expect(own.item.attributes.shipping).toEqual([{ country: "US", service: "Express", price: "9.99 USD" }]);
  });

  it("makes one local inventory row per allocated location", () => {
    const local = GoogleSettingsSchema.parse({
      local_inventory: { pickup_method: "buy", pickup_sla: "same day" },
    });
    const { item } = toGoogleItem(
      mappedOf({ id: "TS-RED-M", price: { amount: 1500, currency: "USD" } }, [
        { location: "STORE-001", quantity: 5 },
        { location: "STORE-002", quantity: 0 },
      ]),
      local,
    );
    expect(item.localInventory).toEqual([
      {
        store_code: "STORE-001",
        id: "TS-RED-M",
        quantity: 5,
        price: "15.00 USD",
        availability: "in_stock",
        pickup_method: "buy",
        pickup_sla: "same day",
      },
      {
        store_code: "STORE-002",
        id: "TS-RED-M",
        quantity: 0,
        price: "15.00 USD",
        availability: "out_of_stock",
        pickup_method: "buy",
        pickup_sla: "same day",
      },
    ]);
    expect(toGoogleItem(mappedOf({ id: "X" }), settings).item.localInventory).toEqual([]);
  });

  it("lets the item's pickup fields win over the settings", () => {
    const local = GoogleSettingsSchema.parse({ local_inventory: { pickup_method: "buy" } });
    const { item } = toGoogleItem(
      mappedOf({ id: "A", pickup_method: "reserve", pickup_sla: "next day" }, [
        { location: "S1", quantity: 1 },
      ]),
      local,
    );
    expect(item.localInventory[0]).toMatchObject({ pickup_method: "reserve", pickup_sla: "next day" });
  });

  it("cleans the id once, so the item and its store rows carry the same key", () => {
    const { item } = toGoogleItem(
      mappedOf({ id: "TEE\tTAB-03\n" }, [{ location: "STORE-001", quantity: 1 }]),
      settings,
    );
    expect(item.attributes.id).toBe("TEE TAB-03");
    expect(item.localInventory[0]!.id).toBe("TEE TAB-03");
    expect(googleChannel.keyOf(item)).toBe("TEE TAB-03");
  });

  it("leaves out an id of nothing but control characters, so validation reports it missing", () => {
    expect(toGoogleItem(mappedOf({ id: "\t\u0001" }), settings).item.attributes.id).toBeUndefined();
  });

  it("never carries an invalid gtin or mpn: drops them with a warning, or rejects under invalid_identifiers: reject", () => {
    const junk = mappedOf({ id: "A", gtin: "3.65275E+11", mpn: "3.65275E+11" });
    const dropped = toGoogleItem(junk, settings);
    expect([dropped.item.attributes.gtin, dropped.item.attributes.mpn]).toEqual([undefined, undefined]);
    expect(dropped.issues.map((issue) => `${issue.severity}:${issue.code}`)).toEqual([
      "warning:gtin_spreadsheet_damage",
      "warning:mpn_spreadsheet_damage",
    ]);
    const rejected = toGoogleItem(junk, { ...settings, invalid_identifiers: "reject" });
    expect(rejected.item.attributes.gtin).toBeUndefined();
    expect(rejected.issues.map((issue) => issue.severity)).toEqual(["error", "error"]);
    expect(toGoogleItem(mappedOf({ id: "A", gtin: "36000291452" }), settings).item.attributes.gtin).toBe(
      "036000291452",
    );
  });

  it("sends a category path as its id and leaves out a category Google does not know", () => {
    const path = "Apparel & Accessories > Clothing Accessories > Hats";
    expect(toGoogleItem(mappedOf({ google_product_category: path }), settings).item.attributes).toMatchObject(
      {
        google_product_category: "173",
      },
    );
    const unknown = toGoogleItem(mappedOf({ google_product_category: "Hats" }), settings);
    expect(unknown.item.attributes.google_product_category).toBeUndefined();
    expect(unknown.issues.map((issue) => issue.code)).toEqual(["google_product_category_unknown"]);
  });
});
