import type { z } from "zod";
import type { ConfigPathKey } from "./config-problems.js";

/*
 * Walking a zod schema along a config path: the known keys for a did-you-mean hint, and the
 * parts of a file that pass on their own when the whole does not (`omnifeed config check`).
 */

/** The schema under optional, default, nullable and pipe (its output side) wrappers. */
export function unwrapSchema(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if (def.type === "optional" || def.type === "default" || def.type === "nullable") {
      current = (def as z.core.$ZodOptionalDef).innerType;
    } else if (def.type === "pipe") {
      current = (def as z.core.$ZodPipeDef).out;
    } else {
      return current;
    }
  }
}

/** The schema of `key` inside an object, a record's values or an array's items. */
export function childSchema(schema: z.core.$ZodType, key: ConfigPathKey): z.core.$ZodType | undefined {
  const def = schema._zod.def;
  if (def.type === "object") return (def as z.core.$ZodObjectDef).shape[String(key)];
  if (def.type === "record") return (def as z.core.$ZodRecordDef).valueType;
  if (def.type === "array") return (def as z.core.$ZodArrayDef).element;
  return undefined;
}
