import { z } from "zod";
import { SourceOptionsSchema } from "../source-options.js";

export const CsvOptionsSchema = SourceOptionsSchema.extend({
  /**
   * The merchant's column for a canonical column: `{ sku: "Article number", "attr.fabric": "Fabric" }`.
   * Canonical columns not named here are looked up by their own name.
   */
  column_map: z.record(z.string(), z.string()).default({}),
  /** Field separator; by default a tab when the header line has tabs, else `,` (or `;` alone). */
  delimiter: z.enum([",", ";", "\t", "|"]).optional(),
});
export type CsvOptions = z.infer<typeof CsvOptionsSchema>;
