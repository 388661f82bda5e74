/**
 * WooCommerce's CSV exporter escapes commas inside list values as `\,` and line breaks in
 * descriptions as a literal `\n` (its importer undoes both).
 */

/** Splits a list cell on commas not escaped as `\,`; parts trimmed, blanks dropped. */
export function splitWooList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === "\\" && value[i + 1] === ",") {
      current += ",";
      i++;
    } else if (char === ",") {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

export function joinWooList(values: readonly string[]): string {
  return values.map((value) => value.replaceAll(",", "\\,")).join(", ");
}

export function unescapeWooText(value: string | undefined): string | undefined {
  return value === undefined || !value.includes("\\n") ? value : value.replaceAll("\\n", "\n");
}

export function escapeWooText(value: string): string {
  return value.replaceAll("\r\n", "\n").replaceAll("\n", "\\n");
}
