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
  const common = commonState(key, raw);
  if (common !== undefined) return common;
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

const STATUSES: ReadonlySet<unknown> = new Set(["accepted", "rejected", "failed"]);

/**
 * The common state — one no issue was recorded for — read without zod. A delta plan reads every
 * state of an account (1,000,000 at a time), and zod doubled the cost of each (adr/0011). It checks
 * what the schema checks, field by field; anything else (issues to read, a damaged state) goes
 * through `StoredStateSchema`, which also words the error.
 */
function commonState(key: string, raw: unknown): ItemState | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { hashes, publishedAt, outcome, remoteId, budget } = raw as Record<string, unknown>;
  if (typeof publishedAt !== "number") return undefined;
  let sections: ItemState["hashes"] = null;
  if (hashes !== null) {
    if (typeof hashes !== "object") return undefined;
    const { content, price, inventory } = hashes as Record<string, unknown>;
    if (typeof content !== "string" || typeof price !== "string" || typeof inventory !== "string")
      return undefined;
    sections = { content, price, inventory };
  }
  if (typeof outcome !== "object" || outcome === null) return undefined;
  const { status, issues, at, error } = outcome as Record<string, unknown>;
  if (!STATUSES.has(status) || !Array.isArray(issues) || issues.length > 0 || typeof at !== "number")
    return undefined;
  if (error !== undefined && typeof error !== "string") return undefined;
  const state: ItemState = {
    key,
    hashes: sections,
    publishedAt,
    outcome:
      error === undefined
        ? { status: status as ItemState["outcome"]["status"], issues: [], at }
        : { status: status as ItemState["outcome"]["status"], issues: [], at, error },
  };
  if (remoteId !== undefined) {
    if (typeof remoteId !== "string") return undefined;
    state.remoteId = remoteId;
  }
  if (budget !== undefined) {
    if (typeof budget !== "object" || budget === null) return undefined;
    const { windowStart, count } = budget as Record<string, unknown>;
    if (typeof windowStart !== "number" || typeof count !== "number") return undefined;
    state.budget = { windowStart, count };
  }
  return state;
}
