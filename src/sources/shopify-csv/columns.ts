import { findColumn, indexHeader } from "../csv-header.js";

/**
 * Shopify's product CSV in both dialects (help.shopify.com, "Using CSV files to import and export
 * products"): the current export (2024+, `URL handle`) and the legacy one (`Handle`). Each column
 * is found by any of its spellings, case ignored, so mixed or hand-edited headers work too.
 */
const SPELLINGS = {
  handle: ["URL handle", "Handle"],
  title: ["Title"],
  description: ["Description", "Body (HTML)"],
  vendor: ["Vendor"],
  productCategory: ["Product category"],
  type: ["Type"],
  tags: ["Tags"],
  status: ["Status"],
  sku: ["SKU", "Variant SKU"],
  barcode: ["Barcode", "Variant Barcode"],
  option1Name: ["Option1 name"],
  option1Value: ["Option1 value"],
  option2Name: ["Option2 name"],
  option2Value: ["Option2 value"],
  option3Name: ["Option3 name"],
  option3Value: ["Option3 value"],
  price: ["Price", "Variant Price"],
  compareAtPrice: ["Compare-at price", "Variant Compare At Price"],
  costPerItem: ["Cost per item"],
  inventoryTracker: ["Inventory tracker", "Variant Inventory Tracker"],
  inventoryQuantity: ["Inventory quantity", "Variant Inventory Qty"],
  continueSelling: ["Continue selling when out of stock", "Variant Inventory Policy"],
  grams: ["Weight value (grams)", "Variant Grams"],
  weightUnit: ["Weight unit for display", "Variant Weight Unit"],
  imageUrl: ["Product image URL", "Image Src"],
  imagePosition: ["Image position"],
  variantImageUrl: ["Variant image URL", "Variant Image"],
  googleProductCategory: ["Google Shopping / Google product category"],
  gender: ["Google Shopping / Gender"],
  ageGroup: ["Google Shopping / Age group"],
  mpn: ["Google Shopping / Manufacturer part number (MPN)", "Google Shopping / MPN"],
  condition: ["Google Shopping / Condition"],
  customProduct: ["Google Shopping / Custom product"],
  customLabel0: ["Google Shopping / Custom label 0"],
  customLabel1: ["Google Shopping / Custom label 1"],
  customLabel2: ["Google Shopping / Custom label 2"],
  customLabel3: ["Google Shopping / Custom label 3"],
  customLabel4: ["Google Shopping / Custom label 4"],
} as const;
export type ShopifyColumn = keyof typeof SPELLINGS;

export const OPTION_COLUMNS = [
  ["option1Name", "option1Value"],
  ["option2Name", "option2Value"],
  ["option3Name", "option3Value"],
] as const;

export const CUSTOM_LABEL_COLUMNS = [
  "customLabel0",
  "customLabel1",
  "customLabel2",
  "customLabel3",
  "customLabel4",
] as const;

/** A `Label (product.metafields.namespace.key)` column. */
export interface MetafieldColumn {
  owner: "product" | "variant";
  namespace: string;
  key: string;
  position: number;
}

export interface ShopifyLayout {
  header: readonly string[];
  at: Readonly<Partial<Record<ShopifyColumn, number>>>;
  metafields: readonly MetafieldColumn[];
  dialect: "current" | "legacy";
}

const METAFIELD = /\((product|variant)\.metafields\.([^.()\s]+)\.([^()]+)\)\s*$/i;

export function compileShopifyLayout(header: readonly string[]): ShopifyLayout {
  const index = indexHeader(header);
  const at: Partial<Record<ShopifyColumn, number>> = {};
  for (const [column, names] of Object.entries(SPELLINGS) as [ShopifyColumn, readonly string[]][]) {
    const position = findColumn(index, ...names);
    if (position !== undefined) at[column] = position;
  }
  const metafields: MetafieldColumn[] = [];
  header.forEach((name, position) => {
    const match = METAFIELD.exec(name);
    if (!match) return;
    metafields.push({
      owner: match[1]!.toLowerCase() as "product" | "variant",
      namespace: match[2]!,
      key: match[3]!,
      position,
    });
  });
  const dialect = findColumn(index, "URL handle") !== undefined ? "current" : "legacy";
  return { header, at, metafields, dialect };
}

/** The column name of this file, for issues. */
export function shopifyColumnName(layout: ShopifyLayout, column: ShopifyColumn): string {
  const position = layout.at[column];
  if (position !== undefined) return layout.header[position]!;
  const spellings: readonly string[] = SPELLINGS[column];
  return (layout.dialect === "current" ? spellings[0] : spellings[spellings.length - 1])!;
}

/** True when a header line is a Shopify product export (either dialect). */
export function isShopifyHeader(names: readonly string[]): boolean {
  const index = indexHeader(names);
  const handle = findColumn(index, "URL handle", "Handle") !== undefined;
  const variant =
    findColumn(index, "Variant SKU", "Variant Price", "Option1 name", "SKU", "Price") !== undefined;
  return handle && variant && findColumn(index, "Title") !== undefined;
}
