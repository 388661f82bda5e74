/**
 * Text as XML 1.0 element content, written by hand because feeds are built from strings on the hot
 * path (a DOM per item would cost more than the rest of the item together).
 *
 * `&`, `<` and `>` are escaped; characters XML 1.0 forbids are dropped: C0 controls other than tab,
 * line feed and carriage return, lone surrogates, U+FFFE and U+FFFF
 * (https://www.w3.org/TR/xml/#charsets), the same set CSV and TSV cells drop (`feed-characters.ts`).
 * Everything else, emoji included, is kept as it is. This is the one XML escaper of the feeds.
 */
import { isForbidden } from "./feed-characters.js";

// Any surrogate sends the text to the careful loop, which keeps pairs (emoji) and drops lone halves.
// eslint-disable-next-line no-control-regex -- finding the control characters XML forbids is the point
const NEEDS_WORK = /[&<>\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function escapeXmlText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  let out = "";
  let start = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    let replacement: string | undefined;
    if (code === 38) replacement = "&amp;";
    else if (code === 60) replacement = "&lt;";
    else if (code === 62) replacement = "&gt;";
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = "";
    } else if (isForbidden(code)) replacement = "";
    else continue;
    out += text.slice(start, i) + replacement;
    start = i + 1;
  }
  return out + text.slice(start);
}
