import { z } from "zod";
import {
  ConditionSchema,
  DisabledEntrySchema,
  FieldSourceSchema,
  FieldSpecSchema,
  MappingFileSchema,
  RuleSchema,
  TransformStepSchema,
} from "./schema.js";
import type { ChannelDescriptor } from "./types.js";

/**
 * The JSON Schema of a channel's mapping file, for editor completion and checks
 * (`# yaml-language-server: $schema=schema/<channel>.schema.json`). It is `MappingFileSchema`
 * with the channel filled in: field names (in `fields` and in rules' `then`/`else`) limited to
 * the channel's, `settings` from the channel's settings schema.
 */
export type DescribedChannel = ChannelDescriptor & { fieldDescriptions?: Record<string, string> };

/** `MappingFileSchema` specialised for one channel. */
export function channelMappingSchema(channel: DescribedChannel): z.ZodType {
  const describe = (name: string): string =>
    channel.fieldDescriptions?.[name] ?? `The ${channel.id} field "${name}".`;
  const fields = z.strictObject(
    Object.fromEntries(
      channel.fieldNames.map((name) => [
        name,
        FieldSpecSchema.nullable().optional().describe(describe(name)),
      ]),
    ),
  );
  const assignments = z.strictObject(
    Object.fromEntries(
      channel.fieldNames.map((name) => [name, FieldSpecSchema.optional().describe(describe(name))]),
    ),
  );
  const rule = RuleSchema.extend({
    then: assignments.describe("Fields set when the condition holds."),
    else: assignments.optional().describe("Fields set when it does not."),
  });
  const shape = MappingFileSchema.shape;
  return MappingFileSchema.extend({
    channel: z.literal(channel.id),
    settings: channel.settingsSchema.optional().describe(`Settings of the ${channel.id} channel.`),
    fields: fields.optional().describe(shape.fields.description ?? ""),
    rules: z
      .array(z.union([rule, DisabledEntrySchema]))
      .optional()
      .describe("If/then rules, in order; same id as an inherited rule replaces it."),
  });
}

const DEFINITION_NAMES = new Map<unknown, string>([
  [FieldSpecSchema, "FieldSpec"],
  [FieldSourceSchema, "FieldSource"],
  [ConditionSchema, "Condition"],
  [TransformStepSchema, "TransformStep"],
]);

/**
 * The global registry (where `.describe()` puts descriptions) plus names for the shared
 * definitions, so the schema says `#/definitions/FieldSpec` once instead of repeating it per field.
 * The generator only calls `get`.
 */
function metadataWithNames(): z.core.$ZodRegistry<z.core.GlobalMeta> {
  const registry = z.registry<z.core.GlobalMeta>();
  registry.get = (schema) => {
    const meta = z.globalRegistry.get(schema);
    const id = DEFINITION_NAMES.get(schema);
    return id ? { ...meta, id } : meta;
  };
  return registry;
}

/** JSON Schema (draft-07, which editors' YAML support reads) of a channel's mapping file. */
export function mappingJsonSchema(channel: DescribedChannel): Record<string, unknown> {
  const schema = z.toJSONSchema(channelMappingSchema(channel), {
    target: "draft-7",
    io: "input",
    unrepresentable: "any",
    metadata: metadataWithNames(),
  });
  // A file inherits the settings of the file it extends, so none of them is required in it; the
  // merged settings are checked when the mapping loads.
  const settings = (schema.properties as Record<string, Record<string, unknown>> | undefined)?.settings;
  if (settings) delete settings.required;
  // The settings schema validates the account over the mapping's settings; a mapping file must not
  // name the account (adr/0009), so editors should flag its keys as unknown.
  const properties = settings?.properties as Record<string, unknown> | undefined;
  for (const key of channel.accountKeys ?? []) delete properties?.[key];
  return {
    ...schema,
    title: `omnifeed mapping file for ${channel.id}`,
    description: "Generated from src/mapping/schema.ts; see docs/mapping.md.",
  };
}
