import { decodeHTMLStrict } from "entities";

/**
 * HTML descriptions as the plain text Google wants in a feed: scripts, styles and comments
 * dropped, block boundaries as line breaks, entities decoded, spaces collapsed.
 */
const DROPPED = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;
const BLOCK = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article)\b[^>]*>/gi;
const TAG = /<\/?[a-zA-Z][^>]*>/g;
export function toPlainText(html: string): string {
  const text = html.replace(DROPPED, " ").replace(BLOCK, "\n").replace(TAG, "");
  return decodeHTMLStrict(text)
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
}
