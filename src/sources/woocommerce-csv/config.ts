import type { z } from "zod";
import { SourceOptionsSchema } from "../source-options.js";

/** `store_url` makes product links when no `Meta: omnifeed_link` is set: `<store_url>/?p=<ID>`. */
export const WooCommerceCsvOptionsSchema = SourceOptionsSchema;
export type WooCommerceCsvOptions = z.infer<typeof WooCommerceCsvOptionsSchema>;
