/**
 * Recognises Apparel & Accessories items, which need `color`, `size`, `gender`, `age_group` and
 * `brand` (https://support.google.com/merchants/answer/7052112, "Apparel"). The taxonomy file is
 * not shipped: a category is known by the root id 166, a few well-known ids under it, or its text
 * path. An id deeper in the tree that is not listed here is not recognised.
 */

/** Apparel & Accessories and its direct children. */
const APPAREL_IDS = new Set(["166", "167", "184", "6551", "6552", "188", "1933"]);

/** Clothing (1604), its direct children, Socks (209), and Shoes (187): these also need a size. */
const SIZED_IDS = new Set([
  "1604",
  "5322",
  "182",
  "2271",
  "5182",
  "203",
  "7313",
  "204",
  "212",
  "207",
  "1581",
  "5344",
  "208",
  "1594",
  "211",
  "5388",
  "213",
  "209",
  "2306",
  "5441",
  "187",
]);

const APPAREL_PATH = "apparel & accessories";
const SIZED_PATHS = ["apparel & accessories > clothing", "apparel & accessories > shoes"];

export interface ApparelKind {
  apparel: boolean;
  /** Clothing and shoes, which need a size as well. */
  sized: boolean;
}

const NOT_APPAREL: ApparelKind = { apparel: false, sized: false };
const SIZED: ApparelKind = { apparel: true, sized: true };
const UNSIZED: ApparelKind = { apparel: true, sized: false };

/** What `google_product_category` (an id or a path) says about the apparel rules. */
export function apparelKindOf(category: string | undefined): ApparelKind {
  if (category === undefined) return NOT_APPAREL;
  if (SIZED_IDS.has(category)) return SIZED;
  if (APPAREL_IDS.has(category)) return UNSIZED;
  const path = category.toLowerCase();
  if (!path.startsWith(APPAREL_PATH)) return NOT_APPAREL;
  if (path.length > APPAREL_PATH.length && !path.startsWith(" >", APPAREL_PATH.length)) return NOT_APPAREL;
  return SIZED_PATHS.some((sized) => path === sized || path.startsWith(`${sized} >`)) ? SIZED : UNSIZED;
}

/** Countries where missing apparel attributes disapprove the item (elsewhere: limited performance). */
export const APPAREL_STRICT_COUNTRIES: ReadonlySet<string> = new Set([
  "BR",
  "FR",
  "DE",
  "JP",
  "GB",
  "UK",
  "US",
]);

/** Listed ids, for the test that checks them against the taxonomy file. */
export const KNOWN_APPAREL_IDS: readonly string[] = [...APPAREL_IDS, ...SIZED_IDS];
