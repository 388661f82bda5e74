import type { z } from "zod";
import { SourceOptionsSchema } from "../source-options.js";

/** `store_url` makes product links: `<store_url>/products/<handle>`. */
export const ShopifyCsvOptionsSchema = SourceOptionsSchema;
export type ShopifyCsvOptions = z.infer<typeof ShopifyCsvOptionsSchema>;
