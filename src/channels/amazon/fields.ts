import type { ChannelField } from "../channel.js";

/**
 * The flat fields an Amazon mapping fills. `toItem` turns them into the listing's attribute shapes
 * (arrays of value objects with `marketplace_id` and `language_tag`); which attributes a product
 * type requires is decided by its definition (Product Type Definitions API), not here.
 */
export const AMAZON_FIELDS = [
  { name: "sku", description: "Seller SKU of the listing, at most 40 characters." },
  { name: "product_type", description: "Amazon product type, e.g. SHIRT, HEADPHONES, CANDLE." },
  { name: "item_name", description: "Title (item_name), at most 200 characters." },
  { name: "brand", description: "Brand name." },
  { name: "manufacturer", description: "Manufacturer name." },
  { name: "model_number", description: "Manufacturer's model number." },
  { name: "part_number", description: "Manufacturer's part number." },
  { name: "product_description", description: "Description (plain text or limited HTML)." },
  { name: "bullet_point", description: "Key features, one bullet per list value." },
  { name: "generic_keyword", description: "Search terms; list values are joined with spaces." },
  { name: "item_type_keyword", description: "Item type keyword that places the item in browse nodes." },
  { name: "recommended_browse_nodes", description: "Browse node id(s) for the item." },
  {
    name: "externally_assigned_product_identifier",
    description: "GTIN; its type follows its length (12 upc, 13 or 8 ean, 14 gtin, 10 isbn).",
  },
  {
    name: "external_product_id_type",
    description: "upc, ean, gtin, isbn or jan, when the length does not say.",
  },
  { name: "merchant_suggested_asin", description: "ASIN of the existing catalog item the offer is for." },
  {
    name: "condition_type",
    description:
      "new_new, used_like_new, refurbished_refurbished, …; new, used and refurbished are read too.",
  },
  { name: "condition_note", description: "Description of a used or refurbished item's condition." },
  { name: "list_price", description: "List price (suggested retail price), e.g. 19.99 USD." },
  { name: "our_price", description: "Selling price, e.g. 15.00 USD." },
  { name: "sale_price", description: "Discounted price during the sale period." },
  { name: "sale_price_start", description: "Start of the sale (ISO 8601; sent in UTC)." },
  { name: "sale_price_end", description: "End of the sale (ISO 8601; sent in UTC)." },
  { name: "quantity", description: "Units offered (merchant-fulfilled)." },
  { name: "handling_time", description: "Most business days before shipping (lead_time_to_ship_max_days)." },
  { name: "merchant_shipping_group", description: "Shipping template id from Seller Central." },
  { name: "main_image", description: "Main image, a public https URL." },
  { name: "other_images", description: "Up to 8 more https image URLs." },
  { name: "swatch_image", description: "Colour swatch image, https URL." },
  { name: "color", description: "Colour." },
  { name: "size", description: "Size." },
  { name: "material", description: "Material." },
  { name: "pattern", description: "Pattern." },
  { name: "style", description: "Style." },
  { name: "department", description: "Department, e.g. mens, womens, unisex-adult." },
  { name: "target_gender", description: "male, female or unisex." },
  { name: "age_range_description", description: "Age range, e.g. Adult, Kid." },
  { name: "country_of_origin", description: "Country of origin (ISO 3166-1 alpha-2)." },
  { name: "item_weight", description: "Weight of the item, e.g. 1.2 kg." },
  { name: "item_package_weight", description: "Weight of the package." },
  { name: "item_dimensions", description: "Item length × width × height, e.g. 20 x 10 x 5 cm." },
  { name: "item_package_dimensions", description: "Package length × width × height." },
  { name: "number_of_items", description: "Number of items in the package." },
  {
    name: "parent_sku",
    description: "SKU of the variation parent, which must already exist on Amazon (it is not sent).",
  },
  { name: "variation_theme", description: "Variation theme of the parent, e.g. SIZE/COLOR." },
] as const satisfies readonly ChannelField[];

export type AmazonFieldName = (typeof AMAZON_FIELDS)[number]["name"];
