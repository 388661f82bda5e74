import { existsSync } from "node:fs";
import { isMoney, formatMoney } from "../core/money.js";
import type { FieldValue } from "../mapping/types.js";
import type { ExplainPublishing } from "./explain-publishing.js";
import type { ExplainResult } from "./explain.js";
import { explainSku } from "./explain.js";
import type { PreparedRun } from "./plan.js";
import { prepareRun } from "./plan.js";
import type { StateChoice } from "./run-request.js";
import { PublishFlagsSchema, resolvePublishRun } from "./run-request.js";

/**
 * Everything `explain` knows about one SKU (ARCHITECTURE.md invariant 7): the catalog half (source
 * row, rules that fired, output fields, issues per channel) and the publishing half (last publish
 * outcome, what the channel holds now). Plain data: the CLI prints it (`--json` prints it as is),
 * the web console renders it.
 */
export interface ItemView extends ExplainResult {
  /** Empty when the SKU was not found, or when publishing was not asked for (`offline`). */
  publishing: ExplainPublishing[];
}

export interface ExplainItemOptions {
  /** Where publishing state lives; without it (or with `offline`) only the catalog half is shown. */
  state?: StateChoice | undefined;
  /** Do not read the publishing state nor ask the channels' APIs. */
  offline?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Explains one SKU of a prepared run: reads the catalog until the SKU is found, then (unless
 * offline) reads its last publish outcome from the state and asks each channel what it holds.
 */
export async function explainItem(
  run: PreparedRun,
  sku: string,
  options: ExplainItemOptions = {},
): Promise<ItemView> {
  const result = await explainSku(run, sku);
  const state = options.state;
  if (!result.found || options.offline || !state) return { ...result, publishing: [] };
  // Loaded here so a catalog-only explain never loads the state stores or API clients.
  const { explainPublishing } = await import("./explain-publishing.js");
  const { openPublishEnvironment } = await import("./publish-environment.js");
  const { createRateLimiter } = await import("../infra/rate-limiters.js");
  // Explain never creates a state file: without one, nothing was published from here.
  const environment =
    state.backend === "embedded" && !existsSync(state.file) ? undefined : await openPublishEnvironment(state);
  try {
    const publishing = await explainPublishing(run, result, {
      store: environment?.store,
      workspace: state.workspace,
      limiterFor: environment?.limiterFor ?? ((key, limit) => createRateLimiter({ key, limit })),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...result, publishing };
  } finally {
    await environment?.close();
  }
}

/** Explains SKUs of one installation; built once (mappings compiled once), called per SKU. */
export type ItemExplainer = (sku: string) => Promise<ItemView>;

/**
 * The explainer of an installation's config file (`omnifeed.config.yaml`): its catalog, enabled
 * channels and `state:` settings, resolved the way `omnifeed explain --config <file>` resolves
 * them. The catalog and mappings are checked now, so a bad config fails at start, not per search.
 */
export async function createItemExplainer(
  configPath: string,
  options: { offline?: boolean | undefined } = {},
): Promise<ItemExplainer> {
  const request = await resolvePublishRun(PublishFlagsSchema.parse({ config: configPath }));
  const run = await prepareRun(request.catalog, request.channels);
  return (sku) => explainItem(run, sku, { state: request.state, offline: options.offline });
}

/** A field value as a person reads it: money with its currency, lists joined, long text cut. */
export function fieldText(value: FieldValue): string {
  if (isMoney(value)) return formatMoney(value);
  if (Array.isArray(value)) return value.map((entry: FieldValue) => fieldText(entry)).join(" | ");
  if (typeof value === "object") return JSON.stringify(value);
  const text = String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A field the channel sends otherwise than the mapping gave it; `sent` absent when left out. */
export interface SentChange {
  field: string;
  sent?: string;
}

/**
 * Where the channel sends another value than the mapping gave (a category path sent as its id, a
 * damaged barcode left out, a key cleaned), so explain shows what the feeds carry. Amazon's value
 * objects (`[{ value, marketplace_id }]`) are read as their values.
 */
export function sentChanges(mapped: Readonly<Record<string, FieldValue>>, item: unknown): SentChange[] {
  const attributes = (item as { attributes?: Record<string, unknown> } | undefined)?.attributes;
  if (!attributes) return [];
  const changes: SentChange[] = [];
  for (const [name, value] of Object.entries(mapped)) {
    if (value === undefined || value === "") continue;
    const given = fieldText(value);
    if (given === "") continue;
    const sent = name in attributes ? sentText(attributes[name]) : undefined;
    if (sent === given) continue;
    if (sent === undefined && !(name in attributes)) continue; // a field the channel names otherwise
    changes.push(sent === undefined ? { field: name } : { field: name, sent });
  }
  return changes;
}

function sentText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (Array.isArray(value)) {
    const parts = value.map((entry: unknown) =>
      entry !== null && typeof entry === "object" && "value" in entry
        ? sentText(entry.value)
        : sentText(entry),
    );
    return parts.filter((part) => part !== undefined).join(" | ") || undefined;
  }
  return fieldText(value as FieldValue);
}
