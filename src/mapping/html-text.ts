/**
 * HTML to plain text. Catalogs carry kilobytes of HTML per product and a million-variant export
 * strips it for every channel: tags are found with `indexOf`, and the regular expressions only
 * match what must change (a lone space between words is left alone), so each step is one native
 * pass with few replacements. Entities are decoded once, here, by `entities` (the decoder of
 * htmlparser2), in strict mode: `&copy=` in a URL's query is not `©=`.
 */
import { decodeHTMLStrict } from "entities";

const BLOCK_TAGS = new Set(["p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"]);
const HAS_TAG = /<\/?[A-Za-z][^\s/>]*[\s/>]|<!--/;
const LT = 60;
const GT = 62;

/** Whitespace as `\s` knows it. */
export function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * HTML to plain text: comments, scripts, styles and tags go, block boundaries (`p br div li h1-h6
 * tr`) become line breaks, entities are decoded, spaces are tidied and empty lines dropped.
 * Whitespace in HTML source is not layout and collapses; text without any tag keeps its lines.
 */
export function stripHtml(html: string): string {
  let text = html;
  if (HAS_TAG.test(text)) {
    // Source line breaks and runs of spaces become one space; only block tags break lines.
    text = dropTags(text.replace(SPACE_RUNS, " "));
  }
  // A non-breaking space decodes to U+00A0, which `tidyLines` turns into a plain space.
  if (text.includes("&")) text = decodeHTMLStrict(text);
  return tidyLines(text);
}

// Whitespace that is not a single plain space: few matches, so replacing is cheap.
const SPACE_RUNS = /\s{2,}|[^\S ]/g;
const LINE_SPACE_RUNS = /[^\S\n]{2,}|[^\S\n ]/g;
const AROUND_LINE_BREAKS = / *\n[\s]*/g;
/** Tags, comments, scripts and styles removed; block tags replaced by a line break. */
function dropTags(html: string): string {
  let out = "";
  let from = 0;
  let index = html.indexOf("<");
  while (index >= 0) {
    const end = tagEnd(html, index);
    if (end < 0) {
      index = html.indexOf("<", index + 1);
      continue;
    }
    out += html.slice(from, index);
    let next = end;
    const name = tagName(html, index);
    if (BLOCK_TAGS.has(name)) out += "\n";
    else if ((name === "script" || name === "style") && html.charCodeAt(index + 1) !== 47) {
      const close = closingTagEnd(html, end, name);
      if (close >= 0) next = close;
    }
    from = next;
    index = html.indexOf("<", next);
  }
  return out + html.slice(from);
}

/** The index just past the tag, comment, declaration or processing instruction at `start`; −1 if none. */
function tagEnd(html: string, start: number): number {
  const next = html.charCodeAt(start + 1);
  if (html.startsWith("<!--", start)) {
    const close = html.indexOf("-->", start + 4);
    return close < 0 ? html.length : close + 3;
  }
  if (next === 33 /* ! */) {
    const close = html.indexOf(">", start + 2);
    return close < 0 ? -1 : close + 1;
  }
  if (next === 63 /* ? */) {
    const close = html.indexOf("?>", start + 2);
    return close < 0 ? -1 : close + 2;
  }
  let index = start + 1;
  if (next === 47 /* / */) index += 1;
  if (!isLetter(html.charCodeAt(index))) return -1;
  // A `<` before the tag closes makes this one a literal `<` (`a<b</p>` keeps `a<b`).
  while (index < html.length) {
    const code = html.charCodeAt(index);
    if (isWhitespace(code) || code === 47 || code === GT) break;
    if (code === LT) return -1;
    index += 1;
  }
  // Attributes: a quoted value may hold `>`.
  while (index < html.length) {
    const code = html.charCodeAt(index);
    if (code === GT) return index + 1;
    if (code === LT) return -1;
    if (code === 34 || code === 39) {
      const close = html.indexOf(code === 34 ? '"' : "'", index + 1);
      if (close < 0) return -1;
      index = close + 1;
    } else {
      index += 1;
    }
  }
  return -1;
}

/** Lower-case name of the tag at `start` (`p` for `<P class=x>` and `</p>`). */
function tagName(html: string, start: number): string {
  let index = start + 1;
  if (html.charCodeAt(index) === 47) index += 1;
  const begin = index;
  while (index < html.length) {
    const code = html.charCodeAt(index);
    if (isWhitespace(code) || code === 47 || code === GT) break;
    index += 1;
  }
  return html.slice(begin, index).toLowerCase();
}

/** The index just past `</name>` (spaces allowed before `>`) after `from`; −1 if it never closes. */
function closingTagEnd(html: string, from: number, name: string): number {
  const lower = html.toLowerCase();
  let search = from;
  for (;;) {
    const at = lower.indexOf(`</${name}`, search);
    if (at < 0) return -1;
    let index = at + 2 + name.length;
    while (index < html.length && isWhitespace(html.charCodeAt(index))) index += 1;
    if (html.charCodeAt(index) === GT) return index + 1;
    search = at + 1;
  }
}

/** Spaces inside each line collapsed, lines trimmed, empty lines dropped, `\n` between them. */
export function tidyLines(text: string): string {
  return text.replace(LINE_SPACE_RUNS, " ").replace(AROUND_LINE_BREAKS, "\n").trim();
}

/** All whitespace runs as one space, trimmed (`\s+` → ` `). */
export function collapseWhitespace(text: string): string {
  return text.replace(SPACE_RUNS, " ").trim();
}
