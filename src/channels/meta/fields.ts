import type { AttributesOf, FeedFieldSpec } from "../feed-attributes.js";

/**
 * The fields of a Meta catalog item (`PRODUCT_ITEM`), by their Commerce Manager column names:
 * first in the order of Meta's CSV template, then the other optional fields (Meta Business Help
 * Centre, "Data feed specifications for catalogs"). Values in Meta's spelling: `in stock`,
 * `all ages`, `9.99 USD`.
 */

const AVAILABILITY = ["in stock", "out of stock", "available for order", "discontinued"] as const;

export const META_FIELDS = [
  // The Commerce Manager CSV template, in its order
  {
    name: "id",
    kind: "text",
    maxLength: 100,
    description: "Unique content id (retailer_id); equals the pixel content_id.",
  },
  {
    name: "title",
    kind: "text",
    maxLength: 150,
    description: "Item title; 150 characters at most, 100 recommended.",
  },
  {
    name: "description",
    kind: "text",
    maxLength: 9999,
    description: "Plain-text description; 9999 characters at most, 5000 recommended.",
  },
  {
    name: "availability",
    kind: "enum",
    values: AVAILABILITY,
    // Meta has no confirmed preorder value: preorders and backorders are sold as available for order.
    aliases: { preorder: "available for order", backorder: "available for order" },
    description: "in stock, out of stock, available for order (preorder/backorder) or discontinued.",
  },
  {
    name: "condition",
    kind: "enum",
    values: ["new", "refurbished", "used"],
    description: "new, refurbished or used.",
  },
  { name: "price", kind: "price", description: "Price, e.g. 9.99 USD." },
  { name: "link", kind: "url", description: "Product page on the verified domain." },
  { name: "image_link", kind: "url", description: "Main image URL (at least 500×500 px)." },
  { name: "brand", kind: "text", maxLength: 100, description: "Brand; brand, gtin or mpn is required." },
  {
    name: "google_product_category",
    kind: "text",
    maxLength: 250,
    description: "Google taxonomy id or full path (sent as its id); an unknown one is left out.",
  },
  { name: "fb_product_category", kind: "text", description: "Meta's own category name or id." },
  {
    name: "quantity_to_sell_on_facebook",
    kind: "integer",
    description: "Units available (replaced inventory).",
  },
  { name: "sale_price", kind: "price", description: "Sale price, lower than price." },
  {
    name: "sale_price_effective_date",
    kind: "date_range",
    description: "Sale period as start/end in ISO 8601.",
  },
  {
    name: "item_group_id",
    kind: "text",
    maxLength: 100,
    description: "Shared by the variants of one product.",
  },
  {
    name: "gender",
    kind: "enum",
    values: ["female", "male", "unisex"],
    description: "female, male or unisex.",
  },
  { name: "color", kind: "text", maxLength: 200, description: "Colour." },
  { name: "size", kind: "text", maxLength: 200, description: "Size." },
  {
    name: "age_group",
    kind: "enum",
    values: ["adult", "all ages", "teen", "kids", "toddler", "infant", "newborn"],
    description: "adult, all ages, teen, kids, toddler, infant or newborn.",
  },
  { name: "material", kind: "text", maxLength: 200, description: "Material." },
  { name: "pattern", kind: "text", maxLength: 100, description: "Pattern or print." },
  {
    name: "shipping",
    kind: "shipping",
    description: "Shipping groups as Country:Region:Service:Price, comma-separated.",
  },
  { name: "shipping_weight", kind: "weight", description: "Shipping weight, e.g. 2 lb or 1 kg." },
  { name: "gtin", kind: "text", maxLength: 70, description: "GTIN (UPC, EAN, JAN, ISBN)." },
  {
    name: "internal_label",
    kind: "list",
    maxLength: 110,
    description: "Labels for filtering product sets (formerly product_tags).",
  },
  // Other optional fields
  {
    name: "additional_image_link",
    kind: "url_list",
    maxItems: 20,
    description: "Up to 20 more image URLs.",
  },
  { name: "mpn", kind: "text", maxLength: 100, description: "Manufacturer part number." },
  { name: "product_type", kind: "text", maxLength: 750, description: "The merchant's own category path." },
  {
    name: "rich_text_description",
    kind: "text",
    maxLength: 9999,
    description: "Description with a subset of HTML.",
  },
  {
    name: "additional_variant_attribute",
    kind: "text",
    description: "Other variant dimensions as Name:Value pairs, e.g. Scent:Fruity,Flavor:Apple.",
  },
  { name: "custom_label_0", kind: "text", maxLength: 100, description: "Label for product sets and ads, 0." },
  { name: "custom_label_1", kind: "text", maxLength: 100, description: "Label 1." },
  { name: "custom_label_2", kind: "text", maxLength: 100, description: "Label 2." },
  { name: "custom_label_3", kind: "text", maxLength: 100, description: "Label 3." },
  { name: "custom_label_4", kind: "text", maxLength: 100, description: "Label 4." },
  { name: "custom_number_0", kind: "integer", description: "Whole number for product set filters, 0." },
  { name: "custom_number_1", kind: "integer", description: "Number 1." },
  { name: "custom_number_2", kind: "integer", description: "Number 2." },
  { name: "custom_number_3", kind: "integer", description: "Number 3." },
  { name: "custom_number_4", kind: "integer", description: "Number 4." },
  { name: "origin_country", kind: "text", description: "Country of origin (ISO 3166-1 alpha-2)." },
  { name: "importer_name", kind: "text", description: "Importer's legal name (compliance)." },
  { name: "importer_address", kind: "text", description: "Importer's address (compliance)." },
  { name: "manufacturer_info", kind: "text", description: "Manufacturer's name and address (compliance)." },
  { name: "expiration_date", kind: "date", description: "ISO 8601 date the item stops showing." },
  { name: "mobile_link", kind: "url", description: "Mobile product page, when different." },
  { name: "status", kind: "enum", values: ["active", "archived"], description: "active or archived." },
] as const satisfies readonly FeedFieldSpec[];

export type MetaFieldName = (typeof META_FIELDS)[number]["name"];

/** The fields of a Meta item, feed text in Meta's spelling. */
export type MetaAttributes = AttributesOf<typeof META_FIELDS>;
