import { z } from "zod";
import { ChannelIdSchema } from "../core/ids.js";

/**
 * The mapping file: how a channel's fields are made from the catalog. Defaults live in
 * `channel-mappings/<channel>.yaml`; a merchant's file `extends` them and overrides what it names.
 * This schema is the contract of the file; `docs/mapping.md` explains it with examples and
 * `channel-mappings/schema/<channel>.schema.json` is generated from it for editor completion.
 */

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "ids use letters, digits, '_', '-' and '.'")
  .describe("Stable id, shown in reports and `omnifeed explain`.");

export const OPERATORS = [
  "eq",
  "ne",
  "in",
  "contains",
  "starts_with",
  "matches",
  "gt",
  "gte",
  "lt",
  "lte",
  "exists",
  "empty",
] as const;
export const OperatorSchema = z.enum(OPERATORS);
export type Operator = z.infer<typeof OperatorSchema>;

export const LeafConditionSchema = z.strictObject({
  field: z.string().min(1).describe("A path such as `variant.price`, `brand` or `output.title`."),
  op: OperatorSchema,
  value: z
    .union([Scalar, z.array(Scalar)])
    .optional()
    .describe("Not used by `exists` and `empty`; a list for `in`."),
  case_sensitive: z.boolean().optional().describe("Text comparisons ignore case unless this is true."),
});
export type LeafCondition = z.infer<typeof LeafConditionSchema>;

export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    LeafConditionSchema,
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
);

/** `trim`, or `{ truncate: { length: 150 } }`, or `{ truncate: 150 }` (a single argument). */
export const TransformStepSchema = z.union([
  z.string().min(1),
  z.record(z.string(), z.unknown()).refine((step) => Object.keys(step).length === 1, {
    message: "a transform step names exactly one transform",
  }),
]);
export type TransformStep = z.infer<typeof TransformStepSchema>;

const SourceShape = {
  path: z.string().min(1).optional().describe("Read a value from the catalog, e.g. `variant.gtin`."),
  value: z
    .union([Scalar, z.array(Scalar)])
    .optional()
    .describe("A fixed value."),
  template: z
    .string()
    .optional()
    .describe("Text with `{{ path | transform: arg ?? fallback }}` and `{{#if path}}…{{else}}…{{/if}}`."),
  lookup: z.string().optional().describe("Name of a table in `lookups` to translate `from` through."),
  from: z.string().optional().describe("The path whose value is looked up (with `lookup`)."),
};

export const FieldSourceSchema = z.strictObject(SourceShape);
export type FieldSource = z.infer<typeof FieldSourceSchema>;

export const FieldSpecObjectSchema = z.strictObject({
  ...SourceShape,
  first: z
    .array(z.union([z.string(), FieldSourceSchema]))
    .min(1)
    .optional()
    .describe("Fallbacks: the first source that gives a non-empty value wins."),
  transforms: z.array(TransformStepSchema).optional().describe("Applied in order to the value."),
  default: z
    .union([Scalar, z.array(Scalar)])
    .optional()
    .describe("Used when the value is empty."),
});
export type FieldSpecObject = z.infer<typeof FieldSpecObjectSchema>;

/** A string is shorthand for `{ template: "…" }`. */
export const FieldSpecSchema = z.union([z.string(), FieldSpecObjectSchema]);
export type FieldSpec = z.infer<typeof FieldSpecSchema>;

export const RuleSchema = z.strictObject({
  id: Id,
  description: z.string().optional(),
  enabled: z.boolean().optional().describe("`false` switches off a rule inherited from the file extended."),
  when: ConditionSchema,
  then: z.record(z.string(), FieldSpecSchema).describe("Fields set when the condition holds."),
  else: z.record(z.string(), FieldSpecSchema).optional().describe("Fields set when it does not."),
});
export type Rule = z.infer<typeof RuleSchema>;

export const FilterSchema = z.strictObject({
  id: Id,
  enabled: z.boolean().optional(),
  include: ConditionSchema.optional().describe("Keep only items matching this."),
  exclude: ConditionSchema.optional().describe("Drop items matching this."),
  reason: z.string().min(1).describe("Counted in the run summary for every item it drops."),
});
export type Filter = z.infer<typeof FilterSchema>;

/**
 * `{ id: …, enabled: false }` switches off a rule or filter inherited from the file extended,
 * without repeating its condition.
 */
export const DisabledEntrySchema = z.strictObject({
  id: Id,
  enabled: z.literal(false),
  description: z.string().optional(),
});
export type DisabledEntry = z.infer<typeof DisabledEntrySchema>;

export const LookupSchema = z.strictObject({
  values: z.record(z.string(), z.string()).optional().describe("An inline table: key → value."),
  file: z.string().optional().describe("A CSV file, relative to the mapping file."),
  key_column: z.string().default("key"),
  value_column: z.string().default("value"),
  match: z
    .enum(["exact", "ignore_case", "longest_prefix"])
    .default("ignore_case")
    .describe("`longest_prefix` suits category paths: `A > B > C` finds the row for `A > B`."),
  default: z.string().optional().describe("Value when nothing matches; without it a miss is reported."),
});
export type Lookup = z.infer<typeof LookupSchema>;

export const AllocationSchema = z.strictObject({
  buffer: z.number().int().min(0).optional().describe("Units held back from the channel."),
  percentage: z.number().min(0).max(100).optional().describe("Share of the rest offered, rounded down."),
  cap: z.number().int().min(0).optional().describe("Never offer more than this."),
  out_of_stock_threshold: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("At or below this quantity the item is sent out of stock."),
  locations: z
    .array(z.string().min(1))
    .optional()
    .describe("Store codes offered on this channel; all when absent."),
});
export type Allocation = z.infer<typeof AllocationSchema>;

export const MappingFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  channel: ChannelIdSchema,
  extends: z
    .string()
    .optional()
    .describe("`default` (the built-in file of the channel, the default), `none`, or a path."),
  description: z.string().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  feeds: z.array(z.string()).optional().describe("Feed formats written when none are asked for."),
  lookups: z.record(z.string(), LookupSchema).optional(),
  fields: z
    .record(z.string(), FieldSpecSchema.nullable())
    .optional()
    .describe("Output fields in feed order; `null` removes an inherited field."),
  rules: z.array(z.union([RuleSchema, DisabledEntrySchema])).optional(),
  filters: z.array(z.union([FilterSchema, DisabledEntrySchema])).optional(),
  allocation: AllocationSchema.optional(),
});
export type MappingFile = z.infer<typeof MappingFileSchema>;
