/**
 * The characters no feed carries, whatever its format: C0 controls other than tab, line feed and
 * carriage return, lone surrogates, U+FFFE and U+FFFF — what XML 1.0 forbids
 * (https://www.w3.org/TR/xml/#charsets). The XML escaper drops them as it escapes; CSV and TSV
 * cells drop them here, so `\x01` in a description reaches no feed. Per value: one native regex
 * test, and a loop only for the rare value that holds one.
 */

// eslint-disable-next-line no-control-regex -- finding the control characters feeds must not carry is the point
const FORBIDDEN = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function withoutForbiddenCharacters(text: string): string {
  if (!FORBIDDEN.test(text)) return text;
  let out = "";
  let start = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    } else if (!isForbidden(code)) continue;
    out += text.slice(start, i);
    start = i + 1;
  }
  return out + text.slice(start);
}

/** A forbidden code unit, a high surrogate (whose pair the caller checks) aside. */
export function isForbidden(code: number): boolean {
  if (code < 32) return code !== 9 && code !== 10 && code !== 13;
  return (code >= 0xdc00 && code <= 0xdfff) || code === 0xfffe || code === 0xffff;
}
