import type { z } from "zod";
import { SourceOptionsSchema } from "../source-options.js";

/** `currency` applies to prices written without a code (Google's own spelling always has one). */
export const GoogleXmlOptionsSchema = SourceOptionsSchema;
export type GoogleXmlOptions = z.infer<typeof GoogleXmlOptionsSchema>;
