import type { EntryLayout } from "./count-entries.js";

/**
 * A feed format: how accepted items of one channel become a file. Rendering is pure and runs in
 * build workers (which also encode the entries to UTF-8); the file around the entries (header,
 * footer, prefixes, splitting) is written by `feeds/feed-writer.ts` on the main thread, in
 * catalog order.
 */
export interface FeedFormat<Item = unknown, Settings = unknown> {
  /** `google-xml`, `google-tsv`, `google-local-inventory`, `meta-csv`, `meta-xml`, `amazon-json`. */
  id: string;
  description: string;
  /** File name in the output directory; `part` (1-based) for formats split over several files. */
  fileName(settings: Settings, part: number): string;
  /** Account settings the file cannot be written without, e.g. the seller id in its header. */
  needs?: readonly string[];
  /** What an entry counts as in the summary and the shrink guard: `items`, `rows`, `messages`. */
  unit: string;
  /** How a published file of this format is counted when the manifest does not say (ADR 0008). */
  layout: EntryLayout;
  /** At most this many entries per file; a new part starts after it. */
  maxEntriesPerFile?: number;
  header(settings: Settings, columns: readonly string[]): string;
  footer(settings: Settings): string;
  /** One string per entry, in item order. Pure. */
  render(items: readonly Item[], settings: Settings, columns: readonly string[]): string[];
  /**
   * Text written before each entry, for formats that number entries or separate them: `index`
   * counts entries in the current file from 0, `sequence` across the whole feed from 1.
   */
  prefix?(index: number, sequence: number): string;
}
