/**
 * Carrier names as merchants type them in their store, mapped to a marketplace's carrier codes
 * (field-lessons R5.3: map explicitly, never guess). A name is compared without case, spaces or
 * punctuation (`Royal Mail`, `royal-mail`, `ROYALMAIL` are one name). A name the table does not
 * know is sent as the marketplace's "other" code with the name as typed, and the push says so.
 */

/** The key a carrier name is looked up by: lower case, letters and digits only. */
export function carrierKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

export interface CarrierMapping {
  /** The marketplace's code. */
  code: string;
  /** The name as typed, when the code is the "other" code. */
  name?: string | undefined;
  /** False when the name was not in the table (sent as "other"). */
  known: boolean;
}

/**
 * Maps `name` through `table` (keys are store spellings, values the marketplace's codes) and the
 * merchant's own `extra` entries, which win. Unknown → `{ code: other, name }`.
 */
export function mapCarrier(
  name: string | undefined,
  table: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> | undefined,
  other: string,
): CarrierMapping {
  const typed = name?.trim() ?? "";
  if (typed === "") return { code: other, name: "Unknown", known: false };
  const key = carrierKey(typed);
  for (const source of [extra ?? {}, table]) {
    for (const [spelling, code] of Object.entries(source)) {
      if (carrierKey(spelling) === key)
        return code === other ? { code, name: typed, known: true } : { code, known: true };
    }
  }
  return { code: other, name: typed, known: false };
}
