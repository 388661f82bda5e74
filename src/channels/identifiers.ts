import { z } from "zod";
import type { ItemIssue } from "../core/issues.js";
import { checkGtin, gs1CheckDigit } from "./gtin.js";

/**
 * The one identifier check every channel runs before an item is built: a GTIN (or an MPN) that is
 * not valid never reaches a feed. What then happens to the item is the channel's
 * `invalid_identifiers` setting: `drop` leaves the identifier out with a warning, so the item still
 * sells; `reject` keeps the item out with an error.
 *
 * Spreadsheets damage barcodes in two ways when a catalog is opened and saved: a long number is
 * written in scientific notation (`3.65275E+11`, its last digits gone) and leading zeros are cut
 * (`012345678905` → `12345678905`). The first cannot be repaired. The second can: leading zeros do
 * not enter the GS1 check digit, so an 11-digit value whose check digit holds is the UPC-A with its
 * zero restored, and that value is sent (with a warning).
 */

export const INVALID_IDENTIFIER_POLICIES = ["drop", "reject"] as const;
export const InvalidIdentifierPolicySchema = z.enum(INVALID_IDENTIFIER_POLICIES);
export type InvalidIdentifierPolicy = z.infer<typeof InvalidIdentifierPolicySchema>;

const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
const DIGITS = /^\d+$/;
/** Digit counts a UPC-A (12) has after a spreadsheet cut one to three leading zeros. */
const UPC_WITHOUT_ZEROS_MIN = 9;
const UPC_LENGTH = 12;

const FIX = "format the barcode column as text before saving (or export the catalog again from the store)";

/** True for a number a spreadsheet wrote in scientific notation (`3.65275E+11`). */
export function isScientificNotation(value: string): boolean {
  return SCIENTIFIC.test(value);
}

/** The channel's words for what `drop` and `reject` do to one identifier. */
function outcome(
  policy: InvalidIdentifierPolicy,
  field: string,
): { severity: "warning" | "error"; then: string } {
  return policy === "drop"
    ? { severity: "warning", then: `${field} is left out so the item still sells` }
    : { severity: "error", then: "the item is not sent (invalid_identifiers: reject)" };
}

/**
 * The GTIN to send for a mapped value: the value itself when valid, with its leading zeros
 * restored when a spreadsheet cut them, or undefined (with an issue under the policy) when it is
 * not a GTIN.
 */
export function screenGtin(
  value: string,
  field: string,
  policy: InvalidIdentifierPolicy,
  issues: ItemIssue[],
): string | undefined {
  const check = checkGtin(value);
  if (check.ok) return value;
  const { severity, then } = outcome(policy, field);
  if (SCIENTIFIC.test(value)) {
    issues.push({
      severity,
      code: "gtin_spreadsheet_damage",
      field,
      message: `"${value}" is a barcode a spreadsheet saved in scientific notation, its last digits lost: ${FIX}; ${then}`,
    });
    return undefined;
  }
  const restored = restoreLeadingZeros(value);
  if (restored !== undefined) {
    issues.push({
      severity: "warning",
      code: "gtin_leading_zeros_restored",
      field,
      message: `"${value}" lost its leading zeros in a spreadsheet; sent as "${restored}", whose check digit holds: ${FIX}`,
    });
    return restored;
  }
  issues.push(
    check.problem === "check_digit"
      ? { severity, code: "gtin_check_digit", field, message: `"${value}" has a wrong check digit; ${then}` }
      : {
          severity,
          code: "gtin_invalid",
          field,
          message: `"${value}" is not a GTIN (8, 12, 13 or 14 digits, or an ISBN-10); ${then}`,
        },
  );
  return undefined;
}

/** The UPC-A a 9–11 digit value was before a spreadsheet cut its leading zeros, if its check digit holds. */
function restoreLeadingZeros(value: string): string | undefined {
  if (value.length < UPC_WITHOUT_ZEROS_MIN || value.length >= UPC_LENGTH || !DIGITS.test(value)) {
    return undefined;
  }
  // Leading zeros add nothing to the GS1 sum: the check digit of the short value is the UPC's.
  if (gs1CheckDigit(value.slice(0, -1)) !== value.charCodeAt(value.length - 1) - 48) return undefined;
  return value.padStart(UPC_LENGTH, "0");
}

/**
 * The MPN to send: undefined (with an issue under the policy) when it is a spreadsheet-damaged
 * number or the same text as a GTIN that was not valid, i.e. a barcode copied into the MPN column.
 */
export function screenMpn(
  value: string,
  rejectedGtin: string | undefined,
  field: string,
  policy: InvalidIdentifierPolicy,
  issues: ItemIssue[],
): string | undefined {
  const damaged = SCIENTIFIC.test(value);
  if (!damaged && value !== rejectedGtin) return value;
  const { severity, then } = outcome(policy, field);
  issues.push(
    damaged
      ? {
          severity,
          code: "mpn_spreadsheet_damage",
          field,
          message: `"${value}" is a number a spreadsheet saved in scientific notation, its last digits lost: ${FIX}; ${then}`,
        }
      : {
          severity,
          code: "mpn_is_invalid_gtin",
          field,
          message: `"${value}" is the invalid barcode, not a part number; ${then}`,
        },
  );
  return undefined;
}

/**
 * Screens the `gtin` and `mpn` of Google-style attributes (Google, Meta) in place: invalid values
 * become undefined. The attributes object must be the item's own, freshly built.
 */
export function screenIdentifierAttributes(
  attributes: { gtin?: string | undefined; mpn?: string | undefined },
  policy: InvalidIdentifierPolicy,
  issues: ItemIssue[],
): void {
  const gtin = attributes.gtin;
  let rejected: string | undefined;
  if (gtin !== undefined) {
    attributes.gtin = screenGtin(gtin, "gtin", policy, issues);
    if (attributes.gtin === undefined) rejected = gtin;
  }
  const mpn = attributes.mpn;
  if (mpn !== undefined) attributes.mpn = screenMpn(mpn, rejected, "mpn", policy, issues);
}
