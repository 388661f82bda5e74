import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { ROOT } from "../e2e/cli.js";

/**
 * The part boundaries of ARCHITECTURE.md are lint rules (eslint.config.js, adr/0010). These lint
 * small files through ESLint's own API with the project's config, so the rules cannot silently
 * vanish. Type-aware rules are switched off: the probe files do not exist on disk.
 */
const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

/** The boundary rules that fail on `code` as the file `file` (other rules, e.g. unused imports, aside). */
async function ruleErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  const messages = result?.messages ?? [];
  // A parse error would hide every rule: fail loudly instead.
  expect(messages.filter((message) => message.fatal)).toEqual([]);
  return messages
    .filter((message) => message.severity === 2 && message.ruleId?.startsWith("no-restricted-"))
    .map((message) => message.ruleId ?? "");
}

describe("part boundaries", () => {
  it.each([
    ["src/core/probe.ts", 'import { run } from "../cli/main.js";'],
    ["src/core/probe.ts", 'import type { Money } from "../sources/source.js";'],
    ["src/core/deep/probe.ts", 'export { EXIT } from "../../cli/exit-codes.js";'],
    ["src/sources/csv/probe.ts", 'import { runExport } from "../../pipeline/export.js";'],
    ["src/sources/probe.ts", 'import { loadMapping } from "../mapping/load.js";'],
    ["src/mapping/probe.ts", 'import { channelById } from "../channels/registry.js";'],
    ["src/channels/google/probe.ts", 'import { run } from "../../cli/main.js";'],
    ["src/channels/probe.ts", 'import { readCatalog } from "../sources/source.js";'],
    ["src/feeds/probe.ts", 'import { runExport } from "../pipeline/export.js";'],
    ["src/pipeline/probe.ts", 'import { run } from "../cli/main.js";'],
    ["src/pipeline/probe.ts", 'import { writeGeneratedCatalog } from "../dev/write-generated-catalog.js";'],
    ["src/dev/probe.ts", 'import { runExport } from "../pipeline/export.js";'],
    ["src/server/probe.ts", 'import { Queue } from "bullmq";'],
    ["src/pipeline/probe.ts", 'import { Worker } from "bullmq";'],
    ["src/config/probe.ts", 'import { env } from "node:process";'],
    ["src/config/probe.ts", 'import { channelById } from "../channels/registry.js";'],
    ["src/config/probe.ts", 'import { toAmazonItem } from "../channels/amazon/transform.js";'],
    ["src/core/probe.ts", 'import { readFile } from "node:fs/promises";'],
    ["src/channels/meta/transform.ts", 'import { readFileSync } from "node:fs";'],
  ])("%s: %s is an error", async (file, code) => {
    expect(await ruleErrors(file, code)).toContain("no-restricted-imports");
  });

  it.each([
    ["src/mapping/probe.ts", 'export const secret = process.env["TOKEN"];'],
    ["src/config/config-file.ts", "export const home = process.env.HOME;"],
  ])("%s: reading process.env is an error", async (file, code) => {
    expect(await ruleErrors(file, code)).toContain("no-restricted-properties");
  });

  it.each([
    ["src/cli/probe.ts", 'import { runExport } from "../pipeline/export.js";'],
    ["src/pipeline/probe.ts", 'import { readCatalog } from "../sources/source.js";'],
    ["src/channels/probe.ts", 'import { loadMapping } from "../mapping/load.js";'],
    ["src/channels/google/probe.ts", 'import { bundledMappingPath } from "../../config/paths.js";'],
    ["src/sources/csv/probe.ts", 'import { OmnifeedError } from "../../core/errors.js";'],
    ["src/sources/csv/probe.ts", 'import { CSV_COLUMNS } from "../csv/columns.js";'],
    ["src/dev/probe.ts", 'import { readCatalog } from "../sources/source.js";'],
    ["src/jobs/probe.ts", 'import { Queue } from "bullmq";'],
    ["src/config/env.ts", "export const home = process.env.HOME;"],
    ["src/config/probe.ts", 'import { AmazonAccountSchema } from "../channels/amazon/config.js";'],
    [
      "src/sources/json/probe.test.ts",
      'import { createJsonWriter } from "../../dev/catalog-writers/json.js";',
    ],
  ])("%s: %s is allowed", async (file, code) => {
    expect(await ruleErrors(file, code)).toEqual([]);
  });
});
