import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { mappingJsonSchema } from "./json-schema.js";

const channel = {
  id: "google" as const,
  fieldNames: ["id", "title", "price"],
  fieldDescriptions: { title: "The product's title, at most 150 characters." },
  settingsSchema: z.strictObject({ currency: z.string().default("USD"), country: z.string().optional() }),
  defaultMappingFile: "/nowhere/google.yaml",
};

const schema = mappingJsonSchema(channel);
const validate = new Ajv({ strict: false }).compile(schema);

function errorsOf(yaml: string): string[] {
  validate(parse(yaml));
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}

const VALID = `version: 1
channel: google
settings: { currency: EUR }
lookups:
  categories: { file: categories.csv, match: longest_prefix }
fields:
  id: "{{ sku }}"
  title: { path: title, transforms: [trim, { truncate: 150 }] }
  price: null
rules:
  - id: sale
    when: { any: [ { field: variant.salePrice, op: exists }, { not: { field: brand, op: empty } } ] }
    then: { title: "{{ title }} (sale)" }
  - id: inherited
    enabled: false
filters:
  - id: in-stock
    exclude: { field: stock.availability, op: eq, value: out_of_stock }
    reason: out of stock
allocation: { buffer: 2, percentage: 80 }
`;

describe("mappingJsonSchema", () => {
  it("is a draft-07 schema with the shared parts named once", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(schema.definitions as object).sort()).toEqual([
      "Condition",
      "FieldSource",
      "FieldSpec",
      "TransformStep",
    ]);
    expect(schema.title).toBe("omnifeed mapping file for google");
  });

  it("accepts a valid mapping file", () => {
    expect(errorsOf(VALID)).toEqual([]);
  });

  it("limits field names, in fields and in rules, to the channel's, with their descriptions", () => {
    const properties = schema.properties as Record<
      string,
      { properties?: Record<string, { description?: string }> }
    >;
    expect(Object.keys(properties.fields?.properties ?? {})).toEqual(["id", "title", "price"]);
    expect(properties.fields?.properties?.title?.description).toBe(
      "The product's title, at most 150 characters.",
    );
    expect(properties.fields?.properties?.id?.description).toBe('The google field "id".');
    expect(errorsOf(`version: 1\nchannel: google\nfields:\n  titel: x\n`)).toContain(
      "/fields must NOT have additional properties",
    );
    expect(
      errorsOf(
        `version: 1\nchannel: google\nrules:\n  - id: r\n    when: { field: brand, op: exists }\n    then: { colour: x }\n`,
      ),
    ).not.toEqual([]);
  });

  it("takes settings from the channel and pins the channel id", () => {
    expect(errorsOf(`version: 1\nchannel: google\nsettings: { currency: 3 }\n`)).toContain(
      "/settings/currency must be string",
    );
    expect(errorsOf(`version: 1\nchannel: google\nsettings: { colour: red }\n`)).toContain(
      "/settings must NOT have additional properties",
    );
    expect(errorsOf(`version: 1\nchannel: meta\n`)).toContain("/channel must be equal to constant");
  });

  it("keeps the descriptions of the mapping language", () => {
    const text = JSON.stringify(schema);
    expect(text).toContain("Read a value from the catalog, e.g. `variant.gtin`.");
    expect(text).toContain("Output fields in feed order; `null` removes an inherited field.");
  });
});
