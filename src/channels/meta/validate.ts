import type { ItemIssue } from "../../core/issues.js";
import { checkPrices, checkRequired, checkShippingGroups, compileFeedChecks } from "../feed-checks.js";
import type { MetaSettings } from "./config.js";
import { META_FIELDS } from "./fields.js";
import type { MetaItem } from "./transform.js";

/**
 * Meta's published rules for one item (Meta Business Help Centre, "Data feed specifications for
 * catalogs"). Where Meta's own pages disagree on a limit, the strictest is an error and the
 * recommended one a warning. Codes and severities are listed in `docs/channels.md`.
 */

const REQUIRED = [
  "id",
  "title",
  "description",
  "availability",
  "condition",
  "price",
  "link",
  "image_link",
] as const;
const checkFields = compileFeedChecks(META_FIELDS);
const TITLE_RECOMMENDED = 100;
const DESCRIPTION_RECOMMENDED = 5000;

export function validateMetaItem(item: MetaItem, _settings: MetaSettings): ItemIssue[] {
  const issues: ItemIssue[] = [];
  const attributes = item.attributes;
  checkRequired(attributes, REQUIRED, issues);
  checkFields(attributes, issues);
  checkPrices(attributes, issues);
  checkShippingGroups(attributes.shipping, issues);

  // Ads and shops need a brand; dynamic ads accept a GTIN or MPN instead.
  if (attributes.brand === undefined) {
    const hasIdentifier = attributes.gtin !== undefined || attributes.mpn !== undefined;
    issues.push(
      hasIdentifier
        ? {
            severity: "warning",
            code: "brand_missing",
            field: "brand",
            message: "brand is required for shops",
          }
        : {
            severity: "error",
            code: "identifier_missing",
            field: "brand",
            message: "one of brand, gtin or mpn is required",
          },
    );
  }
  // The items_batch reference allows 100 title and 5000 description characters; the CSV template more.
  const title = attributes.title;
  if (title !== undefined && title.length > TITLE_RECOMMENDED && title.length <= 150) {
    issues.push({
      severity: "warning",
      code: "title_long",
      field: "title",
      message: `${title.length} characters; Meta recommends at most ${TITLE_RECOMMENDED}`,
    });
  }
  const description = attributes.description;
  if (
    description !== undefined &&
    description.length > DESCRIPTION_RECOMMENDED &&
    description.length <= 9999
  ) {
    issues.push({
      severity: "warning",
      code: "description_long",
      field: "description",
      message: `${description.length} characters; the catalog API takes at most ${DESCRIPTION_RECOMMENDED}`,
    });
  }
  return issues;
}
