/**
 * GTIN checks shared by the channels: digits, length and the GS1 mod-10 check digit
 * (https://www.gs1.org/services/how-calculate-check-digit-manually), plus the prefixes GS1 keeps
 * for restricted circulation and coupons, which Google rejects (`gtin` in
 * https://support.google.com/merchants/answer/7052112).
 */

export type GtinProblem = "not_digits" | "bad_length" | "check_digit";

export interface GtinCheck {
  ok: boolean;
  problem?: GtinProblem;
  /** `upc` (12), `ean` (8 or 13), `gtin` (14) or `isbn` (10); set when digits and length fit. */
  type?: GtinType;
}

export type GtinType = "upc" | "ean" | "gtin" | "isbn";

const DIGITS = /^\d+$/;
const ISBN10 = /^\d{9}[\dX]$/;

/** The GS1 check digit the other digits call for. */
export function gs1CheckDigit(withoutCheck: string): number {
  let sum = 0;
  // Weights 3, 1, 3, … from the digit next to the check digit leftwards.
  for (let i = withoutCheck.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (withoutCheck.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

function isbn10CheckOk(isbn: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const char = isbn[i];
    const digit = char === "X" ? 10 : Number(char);
    sum += digit * (10 - i);
  }
  return sum % 11 === 0;
}

/** Checks a GTIN-8, UPC-A (12), EAN-13, GTIN-14 or ISBN-10. */
export function checkGtin(gtin: string): GtinCheck {
  if (gtin.length === 10 && ISBN10.test(gtin)) {
    return isbn10CheckOk(gtin)
      ? { ok: true, type: "isbn" }
      : { ok: false, problem: "check_digit", type: "isbn" };
  }
  if (!DIGITS.test(gtin)) return { ok: false, problem: "not_digits" };
  const type = typeOfLength(gtin.length);
  if (type === undefined) return { ok: false, problem: "bad_length" };
  const expected = gs1CheckDigit(gtin.slice(0, -1));
  if (gtin.charCodeAt(gtin.length - 1) - 48 !== expected) return { ok: false, problem: "check_digit", type };
  return { ok: true, type };
}

function typeOfLength(length: number): GtinType | undefined {
  if (length === 12) return "upc";
  if (length === 13 || length === 8) return "ean";
  if (length === 14) return "gtin";
  return undefined;
}

// GTIN-13 prefixes: 02, 04 and 20–29 restricted circulation (in-store, variable weight), 98–99 coupons.
function restrictedGtin13(first: number, second: number): boolean {
  return first === 2 || (first === 0 && (second === 2 || second === 4)) || (first === 9 && second >= 8);
}

/** True for a GTIN-12/13/14 whose GS1 prefix is kept for restricted circulation or coupons. */
export function hasRestrictedPrefix(gtin: string): boolean {
  const digit = (index: number): number => gtin.charCodeAt(index) - 48;
  // Read as a GTIN-13: a UPC-A gains a leading 0, a GTIN-14 must start with 0 and loses it.
  if (gtin.length === 12) return restrictedGtin13(0, digit(0));
  if (gtin.length === 13) return restrictedGtin13(digit(0), digit(1));
  if (gtin.length === 14) return digit(0) === 0 && restrictedGtin13(digit(1), digit(2));
  return false;
}
