import type { z } from "zod";
import type { Checkpoint } from "./source.js";

/**
 * A checkpoint's text read back through its schema: `undefined` when it is not JSON or not of
 * that shape, and the caller says whose checkpoint it is not, and where (a checkpoint is the
 * reader's own text; only its reader can name it).
 */
export function checkpointOf<T>(text: Checkpoint, schema: z.ZodType<T>): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
