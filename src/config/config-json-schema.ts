import { z } from "zod";
import { ConfigFileSchema } from "./config-file.js";

/** Where the generated schema is committed, relative to the package root. */
export const CONFIG_JSON_SCHEMA_FILE = "docs/omnifeed.config.schema.json";

/**
 * The JSON Schema (draft-07, which editors' YAML support reads) of omnifeed.config.yaml,
 * generated from `ConfigFileSchema`, for completion and checks in an editor
 * (`# yaml-language-server: $schema=…/docs/omnifeed.config.schema.json`). It describes what the
 * file may say (`io: "input"`: defaults are optional); what only the installation can tell —
 * files, secrets, cross-references — is `omnifeed config check`'s.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigFileSchema, {
    target: "draft-7",
    io: "input",
    // Refinements (cron expressions, time zones) have no JSON Schema form: the type is kept.
    unrepresentable: "any",
  });
  return {
    ...schema,
    title: "omnifeed.config.yaml",
    description:
      "Generated from src/config/config-file.ts by `omnifeed config schema`; see docs/configuration.md.",
  };
}
