import { googleCategoryIdOf, isGoogleCategoryWithin } from "./taxonomy.js";

/**
 * Recognises Apparel & Accessories items, which need `color`, `size`, `gender`, `age_group` and
 * `brand` (https://support.google.com/merchants/answer/7052112, "Apparel"), by the category's place
 * in Google's taxonomy: anything under Apparel & Accessories (166) is apparel, and anything under
 * Clothing (1604) or Shoes (187) needs a size as well.
 */

const APPAREL = "166";
const SIZED = ["1604", "187"] as const;

export interface ApparelKind {
  apparel: boolean;
  /** Clothing and shoes, which need a size as well. */
  sized: boolean;
}

const NOT_APPAREL: ApparelKind = { apparel: false, sized: false };
const SIZED_APPAREL: ApparelKind = { apparel: true, sized: true };
const UNSIZED_APPAREL: ApparelKind = { apparel: true, sized: false };

// Per category id, decided once: items ask for the same few categories over and over.
const kinds = new Map<string, ApparelKind>();

/** What `google_product_category` (an id or a path) says about the apparel rules. */
export function apparelKindOf(category: string | undefined): ApparelKind {
  const id = category === undefined ? undefined : googleCategoryIdOf(category);
  if (id === undefined) return NOT_APPAREL;
  let kind = kinds.get(id);
  if (kind === undefined) {
    kind = !isGoogleCategoryWithin(id, APPAREL)
      ? NOT_APPAREL
      : SIZED.some((sized) => isGoogleCategoryWithin(id, sized))
        ? SIZED_APPAREL
        : UNSIZED_APPAREL;
    kinds.set(id, kind);
  }
  return kind;
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
