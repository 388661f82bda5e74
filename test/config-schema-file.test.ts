import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_JSON_SCHEMA_FILE, configJsonSchema } from "../src/config/config-json-schema.js";
import { PACKAGE_ROOT } from "../src/config/paths.js";

const committed = (): object =>
  JSON.parse(readFileSync(join(PACKAGE_ROOT, CONFIG_JSON_SCHEMA_FILE), "utf8")) as object;

describe(CONFIG_JSON_SCHEMA_FILE, () => {
  it("is what `omnifeed config schema` generates today", () => {
    expect(
      committed(),
      "stale: run `npm run build && node bin/omnifeed.js config schema --out docs/omnifeed.config.schema.json` and commit it",
    ).toEqual(configJsonSchema());
  });

  it("accepts the example configs and rejects a misspelt key", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(committed());
    for (const file of [
      "fixtures/installation/omnifeed.config.yaml",
      "fixtures/catalogs/demo/omnifeed.config.yaml",
      "fixtures/catalogs/settings/omnifeed.config.yaml",
    ]) {
      const document = parse(readFileSync(join(PACKAGE_ROOT, file), "utf8")) as unknown;
      expect(validate(document), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const misspelt = parse(
      readFileSync(join(PACKAGE_ROOT, "fixtures/catalogs/settings/misspelled-account.config.yaml"), "utf8"),
    ) as unknown;
    expect(validate(misspelt)).toBe(false);
  });
});
