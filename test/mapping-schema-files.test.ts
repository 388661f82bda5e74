import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { channels, descriptorOf } from "../src/channels/registry.js";
import { PACKAGE_ROOT } from "../src/config/paths.js";
import { mappingJsonSchema } from "../src/mapping/json-schema.js";

const MAPPINGS = join(PACKAGE_ROOT, "channel-mappings");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === "schema"
        ? []
        : yamlFiles(join(dir, entry.name))
      : entry.name.endsWith(".yaml")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("channel-mappings/schema/<channel>.schema.json", () => {
  it.each(channels.map((channel) => [channel.id, channel] as const))(
    "%s: is what `omnifeed mapping schema` generates today",
    (id, channel) => {
      const generated = mappingJsonSchema({
        ...descriptorOf(channel),
        fieldDescriptions: Object.fromEntries(channel.fields.map((field) => [field.name, field.description])),
      });
      const committed = JSON.parse(
        readFileSync(join(MAPPINGS, "schema", `${id}.schema.json`), "utf8"),
      ) as unknown;
      expect(committed, "run `omnifeed mapping schema` and commit the result").toEqual(generated);
    },
  );

  it("accepts every mapping file we ship and rejects a misspelled field", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validators = new Map(
      channels.map((channel) => [
        channel.id,
        ajv.compile(
          JSON.parse(readFileSync(join(MAPPINGS, "schema", `${channel.id}.schema.json`), "utf8")) as object,
        ),
      ]),
    );
    const files = yamlFiles(MAPPINGS);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const document = parse(readFileSync(file, "utf8")) as { channel: "google" | "meta" | "amazon" };
      const validate = validators.get(document.channel)!;
      expect(validate(document), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const google = validators.get("google")!;
    expect(google({ version: 1, channel: "google", fields: { titel: "{{ title }}" } })).toBe(false);
  });
});
