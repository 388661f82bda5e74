import type { CatalogEntry, Product, Variant } from "../core/catalog.js";
import { OmnifeedError } from "../core/errors.js";
import type { ChannelId } from "../core/ids.js";
import type { PublishRecord } from "../core/publish.js";
import type { Channel, ItemResult } from "../channels/channel.js";
import { transformVariant } from "../channels/channel.js";
import type { RateLimit, RateLimiter } from "../infra/rate-limit.js";
import { readCatalog } from "../sources/source.js";
import type { PlannedChange } from "../sync/delta-plan.js";
import type { ExecutionResult } from "../sync/publish-executor.js";
import { PublishExecutor } from "../sync/publish-executor.js";
import { sectionHashes } from "../sync/section-hashes.js";
import type { StateStore } from "../sync/state-store.js";
import type { StockHolds, StockSale } from "../sync/stock-holds.js";
import { recordOf } from "./build.js";
import { openChannelAccounts } from "./channel-accounts.js";
import { heldVariant } from "./held-stock.js";
import { liveHolds } from "./live-holds.js";
import type { PreparedRun } from "./plan.js";
import { withLocks } from "./publish.js";
import { DEFAULT_BATCH_SIZE } from "./stream-build.js";

/**
 * Stock propagation (issue 10 §4, adr/0028): a sale imported from one marketplace reaches every
 * other channel within seconds, through the channel's cheap stock path. The sale is recorded as a
 * stock hold (so the next full publish, reading a catalog that does not show it yet, does not put
 * the units back), the SKUs' variants are read from the catalog, the holds applied, each channel's
 * transform run (mapping, allocation and buffers apply), and only the inventory section sent to
 * the items the channel already holds. The state's inventory hash is updated, so the next full
 * publish sends nothing new for them.
 */

/** A sale of an imported order, as the order pipeline hands it over. */
export interface SaleRequest {
  /** The order's sold lines; `line` defaults to the line's position (1-based). */
  sold: readonly { sku: string; quantity: number; line?: string | undefined }[];
  /** Names the order (`amazon/<account>/<order id>`): recording it twice counts once. */
  orderKey: string;
  /** The channel the order came from: its marketplace took the stock off already. */
  fromChannel?: ChannelId | undefined;
  /** When the sale reached the store (ms); now when absent. */
  soldAt?: number | undefined;
}

export interface StockPushOptions {
  store: StateStore;
  stockHolds: StockHolds;
  workspace: string;
  limiterFor: (key: string, limit: RateLimit) => RateLimiter;
  signal?: AbortSignal | undefined;
  /** Milliseconds since epoch the push counts as (tests). */
  now?: number | undefined;
}

/** What one channel account got. */
export interface ChannelStockPush {
  channel: ChannelId;
  account: string;
  /** Items whose inventory changed and were sent (their outcomes in `execution`). */
  updates: number;
  /** Items whose inventory the channel holds already. */
  unchanged: number;
  /** Items the channel does not hold yet (a full publish creates them) or the channel refuses. */
  notPublished: string[];
  execution: ExecutionResult;
}

export interface StockPushResult {
  skus: string[];
  /** SKUs the catalog has no variant for. */
  missing: string[];
  /** Units held back per SKU of the push (sold, not yet in the catalog). */
  held: Record<string, number>;
  /** The channel the sale came from, left out. */
  skipped?: ChannelId | undefined;
  channels: ChannelStockPush[];
  durationMs: number;
}

/** Records the sale's stock holds, then pushes the stock of its SKUs to every other channel. */
export async function propagateSale(
  run: PreparedRun,
  sale: SaleRequest,
  options: StockPushOptions,
): Promise<StockPushResult> {
  const soldAt = sale.soldAt ?? options.now ?? Date.now();
  const sales: StockSale[] = sale.sold.map((line, index) => ({
    sku: line.sku,
    quantity: line.quantity,
    orderKey: sale.orderKey,
    line: line.line ?? String(index + 1),
    soldAt,
  }));
  return pushStock(run, { skus: sales.map((entry) => entry.sku), skip: sale.fromChannel, sales }, options);
}

/**
 * Sends the current stock of `skus` (the catalog less the live holds) to each channel of the run
 * but `skip`, as inventory-only updates of the items the channel holds. `sales` are recorded as
 * holds first (once per order key and line).
 */
export async function pushStock(
  run: PreparedRun,
  request: {
    skus: readonly string[];
    skip?: ChannelId | undefined;
    sales?: readonly StockSale[] | undefined;
  },
  options: StockPushOptions,
): Promise<StockPushResult> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const signal = options.signal ?? new AbortController().signal;
  const skus = [...new Set(request.skus)];
  if (skus.length === 0) throw new OmnifeedError("config", "stock push: no SKU given");
  const channels = run.channels.filter(({ channel }) => channel.id !== request.skip);
  const accounts = await openChannelAccounts({ ...run, channels }, { ...options, signal });
  if (request.sales && request.sales.length > 0) await options.stockHolds.record(request.sales);
  const holds = await liveHolds(run, options.stockHolds, now, skus);
  const found = await findVariants(run, skus, signal);
  const results = await withLocks(
    options.store,
    accounts.map((account) => account.scope),
    () =>
      Promise.all(
        accounts.map(async (account, position): Promise<ChannelStockPush> => {
          const { channel, mapping } = channels[position]!;
          const records = [...found.values()].map(({ product, variant, line }) =>
            stockRecordOf(
              channel,
              transformVariant(channel, mapping, product, heldVariant(variant, holds.get(variant.sku))),
              line,
            ),
          );
          const plan = await planStock(options.store, account.scope, records);
          const executor = new PublishExecutor(account.publisher, {
            store: options.store,
            scope: account.scope,
            context: account.context,
            budget: account.budget,
            now,
          });
          if (plan.changes.length > 0) await executor.run(oneBatch(plan.changes));
          return {
            channel: channel.id,
            account: account.publisher.account,
            updates: plan.changes.length,
            unchanged: plan.unchanged,
            notPublished: plan.notPublished,
            execution: executor.result(),
          };
        }),
      ),
  );
  return {
    skus,
    missing: skus.filter((sku) => !found.has(sku)),
    held: Object.fromEntries(skus.filter((sku) => holds.has(sku)).map((sku) => [sku, holds.get(sku)!])),
    ...(request.skip && run.channels.some(({ channel }) => channel.id === request.skip)
      ? { skipped: request.skip }
      : {}),
    channels: results,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * The inventory-only updates for records of one channel account. An item the channel does not
 * hold is left to the full publish (a create carries every section). The stored hashes become the
 * old content and price with the new inventory: a content or price change of the catalog that
 * this push did not send is still sent by the next full publish.
 */
export async function planStock(
  store: StateStore,
  scope: string,
  records: readonly PublishRecord[],
): Promise<{ changes: PlannedChange[]; unchanged: number; notPublished: string[] }> {
  const accepted = records.filter((record) => record.status !== "rejected" && record.hashes);
  const notPublished = records.filter((record) => !accepted.includes(record)).map((record) => record.sku);
  const states = await store.get(
    scope,
    accepted.map((record) => record.key),
  );
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  accepted.forEach((record, index) => {
    const state = states[index];
    if (!state?.hashes || state.publishedAt === 0) {
      notPublished.push(record.sku);
      return;
    }
    if (state.hashes.inventory === record.hashes!.inventory) {
      unchanged += 1;
      return;
    }
    changes.push({
      op: "update",
      key: record.key,
      sections: ["inventory"],
      values: JSON.parse(record.valuesJson!) as NonNullable<PlannedChange["values"]>,
      hashes: { ...state.hashes, inventory: record.hashes!.inventory },
      prior: state,
      ...(state.remoteId ? { remoteId: state.remoteId } : {}),
    });
  });
  return { changes, unchanged, notPublished };
}

/**
 * The build's record of an item, and for an item a filter now leaves out (Meta's "in stock only"
 * when the sale empties it) its values too: the channel still holds it and must stop selling it
 * now, not when the next full publish deletes it.
 */
function stockRecordOf(channel: Channel, item: ItemResult, line: number): PublishRecord {
  const record = recordOf(channel, item, line);
  if (item.status === "filtered" && item.item !== undefined) {
    const values = channel.publishValues(item.item);
    record.hashes = sectionHashes(values, (field) => channel.sectionOf(field));
    record.valuesJson = JSON.stringify(values);
  }
  return record;
}

async function* oneBatch<T>(items: T[]): AsyncIterable<T[]> {
  yield await Promise.resolve(items);
}

interface FoundVariant {
  product: Product;
  variant: Variant;
  line: number;
}

/**
 * The variants of `skus` as the catalog has them now, read until all are found: a file from the
 * start (as `explain` finds a row), a store straight from its API (not through the import spool,
 * which belongs to the full reads and may replay an older read).
 */
async function findVariants(
  run: PreparedRun,
  skus: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, FoundVariant>> {
  const wanted = new Set(skus);
  const found = new Map<string, FoundVariant>();
  for await (const entries of catalogEntries(run, signal)) {
    for (const { product, origin } of entries) {
      product.variants.forEach((variant, index) => {
        if (!wanted.has(variant.sku) || found.has(variant.sku)) return;
        found.set(variant.sku, { product, variant, line: origin.variantLines[index] ?? origin.line });
      });
    }
    if (found.size === wanted.size) break;
  }
  return found;
}

async function* catalogEntries(run: PreparedRun, signal: AbortSignal): AsyncIterable<CatalogEntry[]> {
  const { catalog } = run;
  if (catalog.kind === "file") {
    for await (const batch of readCatalog(catalog.source, catalog.file, catalog.options, {
      batchSize: DEFAULT_BATCH_SIZE,
      encoding: catalog.encoding,
      signal,
    })) {
      yield batch.entries;
    }
    return;
  }
  const context = { ...catalog.context, signal };
  for await (const batch of catalog.source.records(
    catalog.options,
    { batchSize: DEFAULT_BATCH_SIZE, signal },
    context,
  )) {
    yield catalog.source.decode(batch, catalog.options).entries;
  }
}
