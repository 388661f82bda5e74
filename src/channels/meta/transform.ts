import type { ItemIssue } from "../../core/issues.js";
import type { MappingResult } from "../../mapping/types.js";
import { channelKeyText } from "../channel-key.js";
import { compileAttributeReader } from "../feed-attributes.js";
import { screenGoogleCategory } from "../google/taxonomy.js";
import { screenIdentifierAttributes } from "../identifiers.js";
import type { MetaSettings } from "./config.js";
import type { MetaAttributes } from "./fields.js";
import { META_FIELDS } from "./fields.js";

/** A Meta catalog item (`PRODUCT_ITEM`): one variant. */
export interface MetaItem {
  /**
   * Fields in the Commerce Manager order, values in Meta's spelling (`in stock`, `9.99 USD`). Every
   * known field is a key; the ones the item lacks are `undefined`.
   */
  attributes: MetaAttributes;
}

const readAttributes = compileAttributeReader(META_FIELDS);

/**
 * Mapped fields → a Meta item. Pure; Google spellings are read as Meta's (`in_stock` → `in stock`,
 * `preorder` → `available for order`, `all_ages` → `all ages`), unreadable values are kept as text
 * for `validate` to report, and more than 20 additional images are cut with a warning. An invalid
 * GTIN or MPN is left out or rejects the item (`invalid_identifiers`); a Google category path
 * becomes its taxonomy id.
 */
export function toMetaItem(
  mapped: MappingResult,
  settings: MetaSettings,
): { item: MetaItem; issues: ItemIssue[] } {
  const { attributes, issues } = readAttributes(mapped.fields);
  if (attributes.id !== undefined) attributes.id = channelKeyText(attributes.id) || undefined;
  screenIdentifierAttributes(attributes, settings.invalid_identifiers, issues);
  if (attributes.google_product_category !== undefined) {
    attributes.google_product_category = screenGoogleCategory(attributes.google_product_category, issues);
  }
  return { item: { attributes }, issues };
}
