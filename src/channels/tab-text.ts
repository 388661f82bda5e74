/**
 * Cells of tab-separated feeds (Google's TSV files): no quoting exists, so tabs and line breaks in
 * a value become spaces (https://support.google.com/merchants/answer/160567, "Text files"), and
 * the characters no feed carries are dropped.
 */
import { withoutForbiddenCharacters } from "../feeds/feed-characters.js";

const BREAKS = /[\t\r\n]/;
const BREAK_RUNS = /\r\n|[\t\r\n]/g;

export function tabCell(text: string): string {
  return withoutForbiddenCharacters(BREAKS.test(text) ? text.replace(BREAK_RUNS, " ") : text);
}
