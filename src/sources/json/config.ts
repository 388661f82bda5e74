import type { z } from "zod";
import { SourceOptionsSchema } from "../source-options.js";

/** `currency` applies to prices written as text or numbers without a code. */
export const JsonOptionsSchema = SourceOptionsSchema;
export type JsonOptions = z.infer<typeof JsonOptionsSchema>;
