import { createHash } from "node:crypto";
import type { PublishValue, PublishValues, Section, SectionHashes } from "../core/publish.js";
import { SECTIONS } from "../core/publish.js";

/**
 * The hash of each section of an item's typed values (ARCHITECTURE.md invariant 3: delta by
 * content). Keys are sorted at every level, so the same values give the same hash whatever order
 * they were built in — the build's values and the values read back from a channel compare equal.
 * An empty section hashes like any other, so a field leaving a section changes its hash.
 */
export function sectionHashes(values: PublishValues, sectionOf: (field: string) => Section): SectionHashes {
  const parts: Record<Section, string[]> = { content: [], price: [], inventory: [] };
  for (const field of Object.keys(values).sort()) {
    parts[sectionOf(field)].push(`${JSON.stringify(field)}:${canonicalJson(values[field]!)}`);
  }
  const hashes = {} as Record<Section, string>;
  for (const section of SECTIONS) hashes[section] = hashText(parts[section].join(","));
  return hashes;
}

/** The sections whose hashes differ; all of them when `before` is null (never sent). */
export function changedSections(before: SectionHashes | null, after: SectionHashes): Section[] {
  if (before === null) return [...SECTIONS];
  return SECTIONS.filter((section) => before[section] !== after[section]);
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: PublishValue): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((entry: PublishValue) => canonicalJson(entry)).join(",")}]`;
  const object = value as { readonly [key: string]: PublishValue };
  const keys = Object.keys(object).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key]!)}`).join(",")}}`;
}

// MD5 is not for security here: 128 bits tell content apart, and it is the fastest digest Node has.
function hashText(text: string): string {
  return createHash("md5").update(text).digest("base64url");
}
