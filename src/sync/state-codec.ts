import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import { SECTIONS } from "../core/publish.js";
import type { ItemState } from "./state-store.js";

/**
 * How both state backends spell an `ItemState` at rest: JSON without its key (the key is already
 * the SQLite primary key or the Redis hash field, and at 1,000,000 items the repeated key is bytes
 * for nothing). What comes back is parsed with zod: a file or a Redis written by another version,
 * or edited by hand, must fail with the key named rather than poison a delta plan.
 */
const ChannelIssueSchema = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning", "info"]),
  attribute: z.string().optional(),
});

const SectionHashesSchema = z.object(
  Object.fromEntries(SECTIONS.map((section) => [section, z.string()])) as Record<
    (typeof SECTIONS)[number],
    z.ZodString
  >,
);

const StoredStateSchema = z.object({
  hashes: SectionHashesSchema.nullable(),
  publishedAt: z.number(),
  outcome: z.object({
    status: z.enum(["accepted", "rejected", "failed"]),
    issues: z.array(ChannelIssueSchema),
    at: z.number(),
    error: z.string().optional(),
  }),
  remoteId: z.string().optional(),
  budget: z.object({ windowStart: z.number(), count: z.number() }).optional(),
});

/** The stored text of a state: every field but `key`. */
export function encodeState(state: ItemState): string {
  const { hashes, publishedAt, outcome, remoteId, budget } = state;
  return JSON.stringify({ hashes, publishedAt, outcome, remoteId, budget });
}

/**
 * The state stored under `key`. `where` names the store (`state file x.sqlite`, `Redis hash …`)
 * for the error; the stored text itself is not quoted (it may be long, and it is not ours to show).
 */
export function decodeState(key: string, text: string, where: string): ItemState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new OmnifeedError("config", `the stored state of ${JSON.stringify(key)} is not JSON`, { where });
  }
  const parsed = StoredStateSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    throw new OmnifeedError(
      "config",
      `the stored state of ${JSON.stringify(key)} is not a state omnifeed wrote: ${problem?.path.join(".") || "(root)"} ${problem?.message ?? ""}`.trimEnd(),
      { where },
    );
  }
  // zod leaves absent optional fields absent, so a state reads back equal to what was put.
  return { key, ...parsed.data };
}
