/**
 * HTML descriptions as the plain text Google wants in a feed: scripts, styles and comments
 * dropped, block boundaries as line breaks, entities decoded, spaces collapsed.
 */
const DROPPED = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;
const BLOCK = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article)\b[^>]*>/gi;
const TAG = /<\/?[a-zA-Z][^>]*>/g;
const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));/g;
const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "\u2013",
  mdash: "\u2014",
  hellip: "\u2026",
  lsquo: "\u2018",
  rsquo: "\u2019",
  ldquo: "\u201c",
  rdquo: "\u201d",
  laquo: "\u00ab",
  raquo: "\u00bb",
  deg: "\u00b0",
  times: "\u00d7",
  trade: "\u2122",
  reg: "\u00ae",
  copy: "\u00a9",
  euro: "\u20ac",
  pound: "\u00a3",
  eacute: "\u00e9",
  egrave: "\u00e8",
  agrave: "\u00e0",
  ccedil: "\u00e7",
  uuml: "\u00fc",
  ouml: "\u00f6",
  auml: "\u00e4",
  szlig: "\u00df",
};

export function toPlainText(html: string): string {
  const text = html
    .replace(DROPPED, " ")
    .replace(BLOCK, "\n")
    .replace(TAG, "")
    .replace(ENTITY, (entity, decimal?: string, hex?: string, name?: string) => {
      if (decimal) return String.fromCodePoint(Number(decimal));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      return NAMED[name!] ?? NAMED[name!.toLowerCase()] ?? entity;
    });
  return text
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
}
