import type { ItemIssue } from "../../core/issues.js";
import { GOOGLE_TAXONOMY_TABLE, GOOGLE_TAXONOMY_VERSION } from "./taxonomy-table.js";

/**
 * Google's product taxonomy at run time (https://support.google.com/merchants/answer/6324436):
 * every category id with its parent and full path, from the table `scripts/gen-google-taxonomy.mjs`
 * generates out of the official `taxonomy-with-ids.en-US.txt`. The table is one string, indexed by
 * id on the first lookup and by path on the first path (adr/0006-identifier-screening-and-taxonomy-table.md).
 */

export { GOOGLE_TAXONOMY_VERSION };

interface GoogleCategory {
  /** Empty for the 21 roots. */
  parent: string;
  name: string;
}

let byId: Map<string, GoogleCategory> | undefined;
let idOfPath: Map<string, string> | undefined;

function categories(): Map<string, GoogleCategory> {
  if (byId !== undefined) return byId;
  byId = new Map();
  for (const row of GOOGLE_TAXONOMY_TABLE.split("\n")) {
    const tab = row.indexOf("\t");
    const nameTab = row.indexOf("\t", tab + 1);
    byId.set(row.slice(0, tab), { parent: row.slice(tab + 1, nameTab), name: row.slice(nameTab + 1) });
  }
  return byId;
}

// Paths are indexed only when a catalog gives one: ids are the usual case and need no paths.
function paths(): Map<string, string> {
  if (idOfPath !== undefined) return idOfPath;
  idOfPath = new Map();
  for (const id of categories().keys()) idOfPath.set(googleCategoryPath(id)!.toLowerCase(), id);
  return idOfPath;
}

const ID = /^\d+$/;
const SEPARATOR = /\s*>\s*/g;
// A catalog repeats a handful of category values over millions of variants: remember the answers.
const MEMO_LIMIT = 10_000;
const memo = new Map<string, string | undefined>();

/** The full path of a category id (`Apparel & Accessories > Clothing Accessories > Hats`). */
export function googleCategoryPath(id: string): string | undefined {
  const category = categories().get(id);
  if (category === undefined) return undefined;
  return category.parent === "" ? category.name : `${googleCategoryPath(category.parent)} > ${category.name}`;
}

/**
 * The id of a `google_product_category` value: an id Google lists, or a full path from the root
 * (case and the spaces around `>` ignored). Undefined when the taxonomy has no such category.
 */
export function googleCategoryIdOf(value: string): string | undefined {
  if (memo.has(value)) return memo.get(value);
  const text = value.trim();
  const id = ID.test(text)
    ? categories().has(text)
      ? text
      : undefined
    : paths().get(text.replace(SEPARATOR, " > ").toLowerCase());
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(value, id);
  return id;
}

/** True when the category is `ancestor` or lies under it. */
export function isGoogleCategoryWithin(id: string, ancestor: string): boolean {
  const known = categories();
  for (let at: string | undefined = id; at !== undefined && at !== ""; at = known.get(at)?.parent) {
    if (at === ancestor) return true;
  }
  return false;
}

/**
 * The `google_product_category` to send: the id of a known id or path, or undefined with a
 * warning (Google ignores a category it does not know and picks one itself).
 */
export function screenGoogleCategory(value: string, issues: ItemIssue[]): string | undefined {
  const id = googleCategoryIdOf(value);
  if (id === undefined) {
    issues.push({
      severity: "warning",
      code: "google_product_category_unknown",
      field: "google_product_category",
      message: `"${value}" is not in Google's product taxonomy (${GOOGLE_TAXONOMY_VERSION}): give an id or the full path, e.g. 173 or "Apparel & Accessories > Clothing Accessories > Hats"; left out`,
    });
  }
  return id;
}
