import type { ConfigFile } from "../config/config-file.js";
import type { ChannelId } from "../core/ids.js";
import { ChannelIdSchema } from "../core/ids.js";
import { orderKeyText } from "../core/order.js";
import type { ImportResult } from "../orders/import.js";
import type { OrderLedger } from "../orders/ledger.js";
import type { PayloadInput } from "./payloads.js";

/**
 * From an imported order to its `stock` job (docs/stock.md): the units it sold leave every other
 * channel. The channel an order came from is left out (its marketplace took the units off itself);
 * a marketplace with no channel of ours (eBay) leaves none out.
 */

/** The channel of a marketplace id, when omnifeed also publishes to it (`amazon`); else undefined. */
export function channelOfMarketplace(marketplace: string): ChannelId | undefined {
  const parsed = ChannelIdSchema.safeParse(marketplace);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The enabled channels of the config a sale from `fromChannel` is pushed to, or why there are none
 * (an installation that only takes orders publishes nothing).
 */
export function stockChannelsOf(
  config: ConfigFile,
  fromChannel: ChannelId | undefined,
): { channels: ChannelId[] } | { none: string } {
  const channels = Object.entries(config.channels ?? {})
    .filter(([id, entry]) => entry !== undefined && entry.enabled && id !== fromChannel)
    .map(([id]) => ChannelIdSchema.parse(id));
  if (channels.length > 0) return { channels };
  return {
    none:
      fromChannel === undefined
        ? "the config enables no channel (channels:)"
        : `the config enables no channel but ${fromChannel}, where the sale was made`,
  };
}

/** The stock payload of one order the import brought into the store, or undefined when it sold nothing. */
export async function salePayloadOf(
  result: ImportResult,
  ledger: OrderLedger,
): Promise<PayloadInput<"stock"> | undefined> {
  if (result.outcome !== "imported" || result.sold.length === 0) return undefined;
  const record = await ledger.get(result.key);
  const fromChannel = channelOfMarketplace(result.key.marketplace);
  return {
    name: "stock",
    orderKey: orderKeyText(result.key),
    ...(fromChannel !== undefined && { fromChannel }),
    // Per store SKU, named by the marketplace lines it sums: a retried push holds each line once.
    sold: result.sold.map((line) => {
      const lineIds = (record?.lines ?? [])
        .filter((entry) => entry.sku === line.sku)
        .map((entry) => entry.lineId);
      return {
        sku: line.sku,
        quantity: line.quantity,
        line: lineIds.length > 0 ? lineIds.join(",") : line.sku,
      };
    }),
    ...(record?.importedAt !== undefined && { soldAt: Date.parse(record.importedAt) }),
  };
}

/** What queuing the sales of some imports did, for a job's summary. */
export interface SaleQueueing {
  queued: number;
  /** Imported orders whose stock was not queued, with why (no channel to push to). */
  notPushed: string[];
}

/**
 * Queues a `stock` job (fast lane, one per order while it waits) for each order `imports` brought
 * into the store. Called after the ledger says `imported`: a crash between the two leaves the sale
 * to the next full publish (the store's catalog shows it), which docs/orders.md says.
 */
export async function queueSales(
  imports: readonly ImportResult[],
  ledger: OrderLedger,
  config: ConfigFile,
  enqueue: (payload: PayloadInput<"stock">) => Promise<unknown>,
): Promise<SaleQueueing> {
  const done: SaleQueueing = { queued: 0, notPushed: [] };
  for (const result of imports) {
    const payload = await salePayloadOf(result, ledger);
    if (!payload) continue;
    const target = stockChannelsOf(config, payload.fromChannel);
    if ("none" in target) {
      done.notPushed.push(`${payload.orderKey}: ${target.none}`);
      continue;
    }
    await enqueue(payload);
    done.queued += 1;
  }
  return done;
}

/** ` · stock queued for 2 orders` / ` · stock not pushed: …` */
export function saleQueueingText(done: SaleQueueing): string {
  const parts: string[] = [];
  if (done.queued > 0) parts.push(`stock queued for ${done.queued} order${done.queued === 1 ? "" : "s"}`);
  if (done.notPushed.length > 0) parts.push(`stock not pushed: ${done.notPushed.join("; ")}`);
  return parts.length > 0 ? ` · ${parts.join(" · ")}` : "";
}
