import { setTimeout as sleep } from "node:timers/promises";
import { readSecret } from "../../config/env.js";
import { isOmnifeedError, OmnifeedError } from "../../core/errors.js";
import { formatMoney, isMoney, parseMoney, type Money } from "../../core/money.js";
import type { ChannelIssue, ItemOutcome, PublishValue, PublishValues } from "../../core/publish.js";
import type { RateLimit } from "../../infra/rate-limit.js";
import type {
  Change,
  ChannelPublisher,
  PublishContext,
  PublisherDefinition,
  RemoteItem,
} from "../publisher.js";
import { valuesOfSections } from "../publish-values.js";
import {
  createMetaClient,
  type BatchStatus,
  type GraphProduct,
  type ItemsBatchResponse,
  type MetaBatchRequest,
  type MetaClient,
} from "./client.js";
import { MetaAccountSchema, type MetaAccount } from "./config.js";
import { metaSectionOf } from "./sections.js";

/**
 * Publishing to a Meta catalog through the Graph API's catalog batch (`items_batch`), then
 * polling `check_batch_request_status` until Meta has applied the batch, and mapping its errors
 * back to items. A create is an `UPDATE` with `allow_upsert` (see `requestOf`), an update sends
 * only the changed sections' fields, a delete sends the id alone.
 */

/** Requests per `items_batch` call (Meta's maximum; reference §4.1). */
export const META_MAX_REQUESTS = 5_000;
/** Body size per call: Meta takes 28 MB; a margin keeps the envelope and headers under it. */
export const META_MAX_BODY_BYTES = 27 * 1024 * 1024;

/**
 * Meta counts 200 batch calls per catalog per rolling hour (more with more app users). A token
 * bucket lets `burst + perSecond·T` through in any window T, so half the budget as burst and half
 * as refill keeps any hour at or under 200.
 */
export const META_DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 100 / 3_600, burst: 100 };

/** Keys read back per `products` call when reading some items (the filter's `is_any` list). */
const KEYS_PER_READ = 100;
const PAGE_SIZE = 500;

/**
 * Optional fields of the price section that an update clears when the item no longer has them: a
 * sale that ended must not stay on Meta. Sent as an empty value, as a blank feed cell clears one.
 */
const CLEARED_WHEN_ABSENT = ["sale_price", "sale_price_effective_date"] as const;

export const metaPublisher: PublisherDefinition = {
  channel: "meta",
  async create(raw) {
    const account = parseAccount(raw);
    if (account.catalog_id === undefined) {
      throw new OmnifeedError(
        "config",
        "channels.meta.account.catalog_id is not set: the numeric id of the catalog to publish to",
      );
    }
    if (account.access_token_env === undefined && account.access_token_file === undefined) {
      throw new OmnifeedError(
        "config",
        "channels.meta.account.access_token_env is not set: name the environment variable (or " +
          "access_token_file the file) that holds the system-user access token",
      );
    }
    const accessToken = await readSecret(
      { env: account.access_token_env, file: account.access_token_file },
      account.access_token_env !== undefined
        ? "channels.meta.account.access_token_env"
        : "channels.meta.account.access_token_file",
    );
    const appSecret =
      account.app_secret_env !== undefined || account.app_secret_file !== undefined
        ? await readSecret(
            { env: account.app_secret_env, file: account.app_secret_file },
            account.app_secret_env !== undefined
              ? "channels.meta.account.app_secret_env"
              : "channels.meta.account.app_secret_file",
          )
        : undefined;
    return createMetaPublisher({ ...account, catalog_id: account.catalog_id }, accessToken, appSecret);
  },
  rateLimit(raw) {
    const account = parseAccount(raw);
    return {
      perSecond: account.rate_limit_per_second ?? META_DEFAULT_RATE_LIMIT.perSecond,
      burst: account.rate_limit_burst ?? META_DEFAULT_RATE_LIMIT.burst,
    };
  },
};

function parseAccount(raw: Readonly<Record<string, unknown>>): MetaAccount {
  const parsed = MetaAccountSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new OmnifeedError(
    "config",
    `channels.meta.account.${String(issue?.path[0] ?? "")}: ${issue?.message ?? "invalid"}`,
  );
}

/** Options for tests: shorter retries. */
export interface MetaPublisherTuning {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxBodyBytes?: number;
  /** Products per read page (default 500). */
  pageSize?: number;
}

/** The publisher for one catalog, with the secrets already read. */
export function createMetaPublisher(
  account: MetaAccount & { catalog_id: string },
  accessToken: string,
  appSecret: string | undefined,
  tuning: MetaPublisherTuning = {},
): ChannelPublisher {
  const clientFor = (context: PublishContext): MetaClient =>
    createMetaClient({
      account,
      accessToken,
      appSecret,
      limiter: context.limiter,
      ...(tuning.attempts !== undefined && { attempts: tuning.attempts }),
      ...(tuning.baseDelayMs !== undefined && { baseDelayMs: tuning.baseDelayMs }),
      ...(tuning.maxDelayMs !== undefined && { maxDelayMs: tuning.maxDelayMs }),
    });

  /**
   * Waits for one queued batch and maps its answers to outcomes. Never rejects: an error that
   * stops the run is handed back, so batches still being polled cannot reject unobserved.
   */
  async function settleChunk(
    client: MetaClient,
    chunk: Pending[],
    queued: ItemsBatchResponse,
    signal: AbortSignal,
  ): Promise<{ outcomes: ItemOutcome[] } | { stop: unknown }> {
    const handle = queued.handles[0];
    try {
      const status = handle !== undefined ? await awaitBatch(client, handle, signal) : undefined;
      return { outcomes: outcomesOf(chunk, queued, status) };
    } catch (error) {
      if (stopsTheRun(error, signal)) return { stop: error };
      return { outcomes: chunk.map((pending) => failed(pending.change, error)) };
    }
  }

  async function awaitBatch(client: MetaClient, handle: string, signal: AbortSignal): Promise<BatchStatus> {
    const deadline = Date.now() + account.poll_timeout_ms;
    for (;;) {
      await sleep(account.poll_interval_ms, undefined, { signal });
      const status = await client.batchStatus(handle, signal);
      if (status.status === "finished") return status;
      if (Date.now() >= deadline) {
        throw new OmnifeedError(
          "transient",
          `Meta Graph API: batch still ${status.status} after ${account.poll_timeout_ms} ms`,
        );
      }
    }
  }

  return {
    channel: "meta",
    account: account.catalog_id,
    maxBatch: META_MAX_REQUESTS,

    async send(changes, context) {
      const outcomes: ItemOutcome[] = [];
      const pending: Pending[] = [];
      for (const change of changes) {
        const request = requestOf(change);
        if (typeof request === "string") {
          outcomes.push({ key: change.key, op: change.op, status: "failed", issues: [], error: request });
        } else pending.push({ change, request });
      }
      const client = clientFor(context);
      const chunks = splitRequests(pending, (entry) => entry.request, {
        maxCount: META_MAX_REQUESTS,
        maxBytes: tuning.maxBodyBytes ?? META_MAX_BODY_BYTES,
      });
      // Every chunk is queued first and the batches are polled together: Meta processes them
      // while the next ones are sent, and a send costs one processing time, not one per chunk.
      const settling: Promise<{ outcomes: ItemOutcome[] } | { stop: unknown }>[] = [];
      let stop: { error: unknown } | undefined;
      for (const chunk of chunks) {
        try {
          const queued = await client.itemsBatch(
            chunk.map((entry) => entry.request),
            context.signal,
          );
          settling.push(settleChunk(client, chunk, queued, context.signal));
        } catch (error) {
          if (stopsTheRun(error, context.signal)) {
            stop = { error };
            break;
          }
          outcomes.push(...chunk.map((entry) => failed(entry.change, error)));
        }
      }
      for (const settled of await Promise.all(settling)) {
        if ("stop" in settled) stop ??= { error: settled.stop };
        else outcomes.push(...settled.outcomes);
      }
      if (stop) throw stop.error;
      return outcomes;
    },

    async *list(context) {
      const client = clientFor(context);
      let after: string | undefined;
      for (;;) {
        const page = await client.products({ after, limit: tuning.pageSize ?? PAGE_SIZE }, context.signal);
        if (page.data.length > 0) yield page.data.map(remoteItemOf);
        after = page.paging?.cursors?.after;
        if (page.paging?.next === undefined || after === undefined || page.data.length === 0) return;
      }
    },

    async get(keys, context) {
      const client = clientFor(context);
      const found: RemoteItem[] = [];
      const unique = [...new Set(keys)];
      for (let start = 0; start < unique.length; start += KEYS_PER_READ) {
        const retailerIds = unique.slice(start, start + KEYS_PER_READ);
        let after: string | undefined;
        for (;;) {
          const page = await client.products(
            { after, limit: tuning.pageSize ?? PAGE_SIZE, retailerIds },
            context.signal,
          );
          found.push(...page.data.map(remoteItemOf));
          after = page.paging?.cursors?.after;
          if (page.paging?.next === undefined || after === undefined || page.data.length === 0) break;
        }
      }
      return found;
    },
  };
}

interface Pending {
  change: Change;
  request: MetaBatchRequest;
}

/**
 * The batch request for a change, or why it cannot be sent. A create goes as `UPDATE` with
 * `allow_upsert`: if an earlier run's create reached Meta but its outcome was lost, sending it
 * again updates the item instead of failing on a retailer id that already exists.
 */
export function requestOf(change: Change): MetaBatchRequest | string {
  if (change.op === "delete") return { method: "DELETE", data: { id: change.key } };
  if (!change.values) return `a ${change.op} without values cannot be sent`;
  const values =
    change.op === "update" ? valuesOfSections(change.values, change.sections, metaSectionOf) : change.values;
  const data: MetaBatchRequest["data"] = { ...toMetaData(values), id: change.key };
  if (change.op === "update") {
    for (const field of CLEARED_WHEN_ABSENT) {
      if (change.sections.includes(metaSectionOf(field)) && change.values[field] === undefined)
        data[field] = "";
    }
  }
  return { method: "UPDATE", data };
}

/**
 * Typed values in the spelling `items_batch` takes for `PRODUCT_ITEM` (reference §4.1): money as
 * `15.00 USD`, shipping as `shipping_price_value`/`shipping_price_currency` objects, sale dates as
 * `start/end`, weights as `2 kg`, additional images comma-separated as in feeds.
 */
export function toMetaData(values: PublishValues): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    if (field === "shipping" && Array.isArray(value)) data.shipping = value.map(shippingOf);
    else if (field === "additional_image_link" && Array.isArray(value)) data[field] = value.join(",");
    else data[field] = spell(value);
  }
  return data;
}

function spell(value: PublishValue): unknown {
  if (isMoney(value)) return formatMoney(value);
  if (Array.isArray(value)) return value.map(spell);
  if (typeof value === "object") {
    const record = value as Readonly<Record<string, PublishValue>>;
    if (typeof record.start === "string" && typeof record.end === "string")
      return `${record.start}/${record.end}`;
    if (typeof record.value === "number" && typeof record.unit === "string")
      return `${record.value} ${record.unit}`;
    return Object.fromEntries(Object.entries(record).map(([key, entry]) => [key, spell(entry)]));
  }
  return value;
}

function shippingOf(group: PublishValue): unknown {
  if (typeof group !== "object" || group === null || Array.isArray(group)) return group;
  const record = group as Readonly<Record<string, PublishValue>>;
  const shipping: Record<string, unknown> = {};
  if (record.country !== undefined) shipping.shipping_country = record.country;
  if (record.region !== undefined) shipping.shipping_region = record.region;
  if (record.service !== undefined) shipping.shipping_service = record.service;
  const price = record.price;
  if (isMoney(price)) {
    shipping.shipping_price_value = Number(formatMoney(price).split(" ")[0]);
    shipping.shipping_price_currency = price.currency;
  }
  return shipping;
}

/**
 * Splits items into calls of at most `maxCount` requests and `maxBytes` of JSON body: Meta refuses
 * a call over either limit as a whole, so a few large items (long rich-text descriptions) must not
 * push a full count of requests over the size.
 */
export function splitRequests<T>(
  items: readonly T[],
  requestOf: (item: T) => unknown,
  limits: { maxCount: number; maxBytes: number },
): T[][] {
  // The envelope: {"item_type":"PRODUCT_ITEM","allow_upsert":true,"requests":[…]}.
  const envelope = 64;
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = envelope;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(requestOf(item)), "utf8") + 1;
    if (current.length > 0 && (current.length >= limits.maxCount || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * One outcome per request of a batch from Meta's answers: the synchronous `validation_status` and
 * the finished batch's `errors`/`warnings`, which name the item by `id` (retailer id) and by `line`
 * (the request's index in the call). An id listed in `ids_of_invalid_requests` without an error
 * entry (Meta caps the errors it returns) is rejected too. Without a handle nothing was queued.
 */
export function outcomesOf(
  chunk: readonly { change: Change; request: MetaBatchRequest }[],
  queued: ItemsBatchResponse,
  status: BatchStatus | undefined,
): ItemOutcome[] {
  const issues = new Map<string, ChannelIssue[]>();
  const add = (key: string, issue: ChannelIssue): void => {
    const list = issues.get(key) ?? [];
    if (!list.some((known) => known.message === issue.message && known.severity === issue.severity))
      list.push(issue);
    issues.set(key, list);
  };
  for (const entry of queued.validation_status) {
    for (const error of entry.errors)
      add(entry.retailer_id, issueOf("items_batch.validation", error.message, "error"));
    for (const warning of entry.warnings) {
      add(entry.retailer_id, issueOf("items_batch.validation", warning.message, "warning"));
    }
  }
  const keyOfProblem = (problem: {
    id?: string | undefined;
    line?: number | undefined;
  }): string | undefined =>
    problem.id ?? (problem.line !== undefined ? chunk[problem.line]?.change.key : undefined);
  for (const error of status?.errors ?? []) {
    const key = keyOfProblem(error);
    if (key !== undefined) add(key, issueOf("items_batch.error", error.message, "error"));
  }
  for (const warning of status?.warnings ?? []) {
    const key = keyOfProblem(warning);
    if (key !== undefined) add(key, issueOf("items_batch.warning", warning.message, "warning"));
  }
  for (const id of status?.ids_of_invalid_requests ?? []) {
    if (!(issues.get(id) ?? []).some((issue) => issue.severity === "error")) {
      add(
        id,
        issueOf(
          "items_batch.error",
          "Meta refused the request (its error was not among those returned)",
          "error",
        ),
      );
    }
  }
  const nothingQueued = queued.handles.length === 0 && status === undefined;
  return chunk.map(({ change }) => {
    const found = issues.get(change.key) ?? [];
    const refused = found.some((issue) => issue.severity === "error");
    if (refused) return { key: change.key, op: change.op, status: "rejected", issues: found };
    if (nothingQueued) {
      return {
        key: change.key,
        op: change.op,
        status: "failed",
        issues: found,
        error: "Meta Graph API: items_batch returned no handle: nothing was queued",
      };
    }
    return { key: change.key, op: change.op, status: "accepted", issues: found };
  });
}

function issueOf(code: string, message: string, severity: ChannelIssue["severity"]): ChannelIssue {
  // Meta names the field in messages such as "A required field is missing: price."
  const attribute = /(?:missing:| for) ([a-z_]+)[.:]/.exec(message)?.[1];
  return { code, message, severity, ...(attribute !== undefined && { attribute }) };
}

/** Reads a product as Graph shows it back into the typed values the build yields (feed field names). */
export function remoteItemOf(product: GraphProduct): RemoteItem {
  const values: Record<string, PublishValue> = { id: product.retailer_id };
  const text = {
    title: product.name,
    description: product.description,
    availability: product.availability,
    condition: product.condition,
    brand: product.brand,
    link: product.url,
    image_link: product.image_url,
  };
  for (const [field, value] of Object.entries(text))
    if (value !== undefined && value !== "") values[field] = value;
  const price = moneyOfGraphPrice(product.price, product.currency);
  if (price) values.price = price;
  const salePrice = moneyOfGraphPrice(product.sale_price, product.currency);
  if (salePrice) values.sale_price = salePrice;
  if (product.inventory !== undefined) values.quantity_to_sell_on_facebook = product.inventory;
  const issues: ChannelIssue[] = (product.errors ?? []).map((error) => ({
    code: error.error_type ?? "review",
    message: error.description ?? error.title ?? "disapproved",
    severity:
      error.error_priority === "LOW" ? "info" : error.error_priority === "MEDIUM" ? "warning" : "error",
  }));
  const review = product.review_status ?? "";
  const status: RemoteItem["status"] =
    review === "rejected" ? "rejected" : review === "pending" || review === "" ? "pending" : "active";
  return { key: product.retailer_id, values, status, issues, remoteId: product.id };
}

/**
 * Graph shows prices formatted (`$1,299.00`, `15.00 USD`) with the currency in a field of its own:
 * the digits and separators are read with the currency's decimals; a decimal comma (`15,00 €`) is
 * told apart from a thousands comma by the digits after it.
 */
export function moneyOfGraphPrice(text: string | undefined, currency: string | undefined): Money | undefined {
  if (text === undefined) return undefined;
  const code = currency ?? /[A-Z]{3}/.exec(text)?.[0];
  if (code === undefined) return undefined;
  let digits = text.replace(/[^\d.,]/g, "");
  if (!digits.includes(".") && /,\d{1,2}$/.test(digits))
    digits = digits.replace(/,(\d{1,2})$/, ".$1").replaceAll(",", "");
  else if (/\.\d{3}(?:,\d{1,2})$/.test(digits)) digits = digits.replaceAll(".", "").replace(",", ".");
  const parsed = parseMoney(digits, code);
  return parsed.ok ? parsed.money : undefined;
}

function failed(change: Change, error: unknown): ItemOutcome {
  const reason = isOmnifeedError(error)
    ? `${error.kind}: ${error.message}`
    : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  return { key: change.key, op: change.op, status: "failed", issues: [], error: reason };
}

/** Bad credentials or settings stop the whole send (the next chunk would fail alike); so does a cancel. */
function stopsTheRun(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || isOmnifeedError(error, "auth") || isOmnifeedError(error, "config");
}
