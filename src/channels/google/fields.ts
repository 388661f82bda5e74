import type { AttributesOf, FeedFieldSpec } from "../feed-attributes.js";

/**
 * The attributes of a Google Merchant Center item, in the order of the product data specification
 * (https://support.google.com/merchants/answer/7052112), which is the order of the XML feed.
 * Limits and closed lists are the published ones (see `docs/channels.md`).
 */
export const GOOGLE_FIELDS = [
  // Basic product data
  {
    name: "id",
    kind: "text",
    maxLength: 50,
    description: "Unique item id, kept stable forever; usually the SKU.",
  },
  { name: "title", kind: "text", maxLength: 150, description: "Item title, 1–150 characters." },
  {
    name: "description",
    kind: "text",
    maxLength: 5000,
    description: "Plain-text description, 1–5000 characters.",
  },
  {
    name: "link",
    kind: "url",
    maxLength: 2000,
    description: "Landing page (http/https) on the verified domain.",
  },
  { name: "image_link", kind: "url", maxLength: 2000, description: "Main image URL." },
  {
    name: "additional_image_link",
    kind: "url_list",
    maxLength: 2000,
    maxItems: 10,
    description: "Up to 10 more image URLs.",
  },
  {
    name: "lifestyle_image_link",
    kind: "url_list",
    maxLength: 2000,
    maxItems: 20,
    description: "Images of the item in use.",
  },
  { name: "mobile_link", kind: "url", maxLength: 2000, description: "Mobile landing page, when different." },
  { name: "canonical_link", kind: "url", maxLength: 2000, description: "Canonical URL of the landing page." },
  // Price and availability
  {
    name: "availability",
    kind: "enum",
    values: ["in_stock", "out_of_stock", "preorder", "backorder"],
    description: "in_stock, out_of_stock, preorder or backorder.",
  },
  // https://support.google.com/merchants/answer/7052112 — required when availability is preorder or backorder.
  {
    name: "availability_date",
    kind: "date",
    maxLength: 25,
    description: "ISO 8601 date a preorder or backorder item ships; required for those.",
  },
  {
    name: "cost_of_goods_sold",
    kind: "price",
    description: "Cost of goods, e.g. 8.00 USD (reporting only).",
  },
  {
    name: "expiration_date",
    kind: "date",
    maxLength: 25,
    description: "ISO 8601 date the item stops showing.",
  },
  { name: "price", kind: "price", description: "Price as on the landing page, e.g. 15.00 USD." },
  { name: "sale_price", kind: "price", description: "Sale price, lower than price." },
  // https://support.google.com/merchants/answer/6324460 — start/end, each ISO 8601 with time zone.
  {
    name: "sale_price_effective_date",
    kind: "date_range",
    maxLength: 51,
    description: "Sale period as start/end in ISO 8601.",
  },
  { name: "unit_pricing_measure", kind: "text", description: "Measure of the item, e.g. 750ml." },
  { name: "unit_pricing_base_measure", kind: "text", description: "Base of the unit price, e.g. 100ml." },
  // Product category
  {
    name: "google_product_category",
    kind: "text",
    maxLength: 750,
    description: "Google taxonomy id or full path (sent as its id); an unknown one is left out.",
  },
  {
    name: "product_type",
    kind: "list",
    maxLength: 750,
    maxItems: 5,
    description: "The merchant's own category path(s), e.g. Home > Kitchen > Mugs.",
  },
  // Product identifiers
  { name: "brand", kind: "text", maxLength: 70, description: "Brand; required for new products." },
  {
    name: "gtin",
    kind: "text",
    maxLength: 50,
    description: "Manufacturer GTIN: UPC, EAN, JAN, ISBN or ITF-14.",
  },
  {
    name: "mpn",
    kind: "text",
    maxLength: 70,
    description: "Manufacturer part number, when there is no GTIN.",
  },
  // https://support.google.com/merchants/answer/6324478 — no for custom goods without GTIN or brand + MPN.
  {
    name: "identifier_exists",
    kind: "flag",
    values: ["yes", "no"],
    description: "no when the item has neither GTIN nor brand + MPN.",
  },
  // Detailed product description
  {
    name: "condition",
    kind: "enum",
    values: ["new", "refurbished", "used"],
    description: "new, refurbished or used.",
  },
  { name: "adult", kind: "flag", values: ["yes", "no"], description: "yes for sexually suggestive items." },
  { name: "multipack", kind: "integer", description: "Number of identical items sold together (> 1)." },
  {
    name: "is_bundle",
    kind: "flag",
    values: ["yes", "no"],
    description: "yes for a merchant-defined bundle.",
  },
  {
    name: "energy_efficiency_class",
    kind: "enum",
    values: ["A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"],
    description: "EU energy label class.",
  },
  {
    name: "min_energy_efficiency_class",
    kind: "enum",
    values: ["A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"],
    description: "Lowest class of the label's scale.",
  },
  {
    name: "max_energy_efficiency_class",
    kind: "enum",
    values: ["A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"],
    description: "Highest class of the label's scale.",
  },
  {
    name: "age_group",
    kind: "enum",
    values: ["newborn", "infant", "toddler", "kids", "adult"],
    description: "newborn, infant, toddler, kids or adult; required for apparel.",
  },
  {
    name: "color",
    kind: "text",
    maxLength: 100,
    description: "Colour(s), up to 3 joined by /; required for apparel.",
  },
  {
    name: "gender",
    kind: "enum",
    values: ["male", "female", "unisex"],
    description: "male, female or unisex; required for apparel.",
  },
  { name: "material", kind: "text", maxLength: 200, description: "Material(s), joined by /." },
  { name: "pattern", kind: "text", maxLength: 100, description: "Pattern or graphic print." },
  { name: "size", kind: "text", maxLength: 100, description: "Size; required for clothing and shoes." },
  {
    name: "size_type",
    kind: "list",
    maxItems: 2,
    values: ["regular", "petite", "maternity", "big", "tall", "plus"],
    description: "Cut of the item: regular, petite, maternity, big, tall, plus (at most 2).",
  },
  {
    name: "size_system",
    kind: "enum",
    values: ["US", "UK", "EU", "DE", "FR", "JP", "CN", "IT", "BR", "MEX", "AU"],
    description: "Country system the size is in.",
  },
  {
    name: "item_group_id",
    kind: "text",
    maxLength: 50,
    description: "Shared by the variants of one product: letters, digits, _ and -, up to 50.",
  },
  { name: "product_length", kind: "length", description: "Length of the product, e.g. 20 cm." },
  { name: "product_width", kind: "width", description: "Width of the product." },
  { name: "product_height", kind: "height", description: "Height of the product." },
  { name: "product_weight", kind: "weight", description: "Weight of the product, e.g. 1.2 kg." },
  {
    name: "product_detail",
    kind: "list",
    description: "Technical details as section_name:attribute_name:attribute_value.",
  },
  {
    name: "product_highlight",
    kind: "list",
    maxLength: 150,
    maxItems: 100,
    description: "Short highlights, 2–100 of up to 150 characters.",
  },
  // Shopping campaigns and other configurations
  { name: "ads_redirect", kind: "url", maxLength: 2000, description: "Tracking URL for ads." },
  {
    name: "custom_label_0",
    kind: "text",
    maxLength: 100,
    description: "Campaign label 0, e.g. season or margin.",
  },
  { name: "custom_label_1", kind: "text", maxLength: 100, description: "Campaign label 1." },
  { name: "custom_label_2", kind: "text", maxLength: 100, description: "Campaign label 2." },
  { name: "custom_label_3", kind: "text", maxLength: 100, description: "Campaign label 3." },
  { name: "custom_label_4", kind: "text", maxLength: 100, description: "Campaign label 4." },
  {
    name: "promotion_id",
    kind: "list",
    maxLength: 50,
    description: "Ids of promotions the item takes part in.",
  },
  // Destinations
  {
    name: "excluded_destination",
    kind: "list",
    description: "Destinations the item is kept out of, e.g. Shopping_ads.",
  },
  { name: "included_destination", kind: "list", description: "Destinations the item is limited to." },
  {
    name: "shopping_ads_excluded_country",
    kind: "list",
    description: "Countries (ISO 3166-1 alpha-2) without Shopping ads.",
  },
  { name: "pause", kind: "enum", values: ["ads", "all"], description: "ads pauses the item's ads." },
  // Shipping and returns
  // https://support.google.com/merchants/answer/6324484 — groups of country, region, service, price.
  {
    name: "shipping",
    kind: "shipping",
    description: "Shipping groups, as country:region:service:price (4.99 USD), comma-separated.",
  },
  {
    name: "shipping_label",
    kind: "text",
    maxLength: 100,
    description: "Label used by the account's shipping rules.",
  },
  {
    name: "shipping_weight",
    kind: "weight",
    description: "Weight for shipping costs, e.g. 3 kg (lb, oz, g, kg).",
  },
  { name: "shipping_length", kind: "length", description: "Package length, in cm or in." },
  { name: "shipping_width", kind: "width", description: "Package width, in cm or in." },
  { name: "shipping_height", kind: "height", description: "Package height, in cm or in." },
  {
    name: "ships_from_country",
    kind: "text",
    description: "Country the item ships from (ISO 3166-1 alpha-2).",
  },
  { name: "transit_time_label", kind: "text", maxLength: 100, description: "Label for transit-time rules." },
  { name: "return_policy_label", kind: "text", maxLength: 100, description: "Label of the return policy." },
  { name: "min_handling_time", kind: "integer", description: "Fewest business days before shipping." },
  { name: "max_handling_time", kind: "integer", description: "Most business days before shipping." },
  // Local inventory
  {
    name: "pickup_method",
    kind: "enum",
    values: ["buy", "reserve", "ship to store", "not supported"],
    description: "Store pickup: buy, reserve, ship to store, not supported.",
  },
  {
    name: "pickup_sla",
    kind: "enum",
    values: ["same day", "next day", "2-day", "3-day", "4-day", "5-day", "6-day", "7-day", "multi-week"],
    description: "When a pickup order is ready: same day … multi-week.",
  },
  { name: "link_template", kind: "text", description: "Store-specific landing page with {store_code}." },
  {
    name: "mobile_link_template",
    kind: "text",
    description: "Mobile store-specific page with {store_code}.",
  },
] as const satisfies readonly FeedFieldSpec[];

export type GoogleFieldName = (typeof GOOGLE_FIELDS)[number]["name"];

/** The attributes of a Google item, feed text in the spec's spelling. */
export type GoogleAttributes = AttributesOf<typeof GOOGLE_FIELDS>;
