import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../config/paths.js";
import { channels } from "./registry.js";

/** docs/channels.md is the merchant's list of fields and issue codes: it must not drift from the code. */

const DOC = readFileSync(resolve(PACKAGE_ROOT, "docs/channels.md"), "utf8");
const SOURCES = resolve(PACKAGE_ROOT, "src/channels");

function issueCodesInSources(): string[] {
  const codes = new Set<string>();
  for (const entry of readdirSync(SOURCES, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const match of text.matchAll(/code: "([a-z_]+)"/g)) codes.add(match[1] ?? "");
  }
  codes.delete("custom"); // zod's issue code in a settings schema
  return [...codes].sort();
}

describe("docs/channels.md", () => {
  it("lists every issue code the channels report", () => {
    const codes = issueCodesInSources();
    expect(codes.length).toBeGreaterThan(30);
    for (const code of codes) expect(DOC, code).toContain(`\`${code}\``);
  });

  it("lists every field of every channel", () => {
    for (const channel of channels) {
      for (const field of channel.fields) {
        const row = new RegExp(`^\\| \`${field.name}\` +\\|`, "m");
        expect(DOC, `${channel.id}.${field.name}`).toMatch(row);
      }
    }
  });
});
