import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import { ShipmentSchema, type Shipment } from "../../core/order.js";
import {
  WooOrderSchema,
  WooTrackingItemSchema,
  type WooOrder,
  type WooTrackingItem,
} from "../../sources/woocommerce/api.js";
import type { WooCommerceClient } from "../../sources/woocommerce/client.js";
import type { WooCommerceConnection } from "../../sources/woocommerce/options.js";
import type { Checkpoint } from "../../sources/source.js";
import type { ShipmentPage } from "../store.js";
import { orderKeyOf } from "./orders.js";

/**
 * Tracking numbers out of WooCommerce (stores.md §2.5). Core WooCommerce has no tracking field;
 * the Shipment Tracking extension keeps its items in the order meta `_wc_shipment_tracking_items`
 * and serves them, with the carrier's link filled in, at
 * `wc-shipment-tracking/v3/orders/{id}/shipment-trackings`. Orders modified since the checkpoint
 * (less an overlap for late writes) are listed; those whose meta holds tracking items are asked
 * for them. Each tracking item is one shipment; it covers the order's lines unless the item names
 * its products (`products_list`, as Advanced Shipment Tracking writes). A cancelled or refunded
 * order reports its shipments `cancelled`. The checkpoint is the latest `date_modified_gmt` seen,
 * the store's own clock, so a skewed local clock loses nothing.
 */

const TRACKING_META = "_wc_shipment_tracking_items";
const OrdersPageSchema = z.array(WooOrderSchema);
const TrackingListSchema = z.array(WooTrackingItemSchema);
const CheckpointSchema = z.object({ v: z.literal(1), modified: z.string() });

export async function readShipments(
  connection: WooCommerceConnection,
  client: WooCommerceClient,
  from: Checkpoint | undefined,
  signal?: AbortSignal,
): Promise<ShipmentPage> {
  let watermark: string | undefined;
  if (from !== undefined) {
    const parsed = CheckpointSchema.safeParse(safeJson(from));
    if (!parsed.success) {
      throw new OmnifeedError("config", `not a WooCommerce shipments checkpoint: ${from.slice(0, 80)}`, {
        where: client.label,
      });
    }
    watermark = parsed.data.modified;
  }
  const after =
    watermark === undefined
      ? undefined
      : new Date(Date.parse(`${watermark}Z`) - connection.shipments_overlap_minutes * 60_000)
          .toISOString()
          .slice(0, 19);
  const shipments: Shipment[] = [];
  let latest = watermark;
  for (let page = 1; ; page += 1) {
    const answer = await client.call(
      {
        path: "/wc/v3/orders",
        query: {
          ...(after ? { modified_after: after, dates_are_gmt: true } : {}),
          orderby: "id",
          order: "asc",
          per_page: 100,
          page,
          status: "any",
        },
        what: `orders modified since ${after ?? "the start"} page ${page}`,
        signal,
      },
      OrdersPageSchema,
    );
    for (const order of answer.data) {
      if (order.date_modified_gmt && (latest === undefined || order.date_modified_gmt > latest)) {
        latest = order.date_modified_gmt;
      }
      const held = order.meta_data.find((meta) => meta.key === TRACKING_META);
      if (!held || !Array.isArray(held.value) || held.value.length === 0) continue;
      const items = await client.call(
        {
          path: `/wc-shipment-tracking/v3/orders/${order.id}/shipment-trackings`,
          what: `tracking of order ${order.id}`,
          signal,
        },
        TrackingListSchema,
      );
      for (const item of items.data) {
        const shipment = shipmentOf(order, item);
        if (shipment) shipments.push(shipment);
      }
    }
    if (answer.data.length < 100 || (answer.totalPages !== undefined && page >= answer.totalPages)) break;
  }
  return {
    shipments,
    checkpoint:
      latest === undefined
        ? (from ?? JSON.stringify({ v: 1, modified: "1970-01-01T00:00:00" }))
        : JSON.stringify({ v: 1, modified: latest }),
  };
}

/** One tracking item of an order as a canonical shipment; `undefined` when no line has a SKU. */
export function shipmentOf(order: WooOrder, item: WooTrackingItem): Shipment | undefined {
  const byItem = new Map(order.line_items.map((line) => [line.id, line]));
  const lines = item.products_list
    ? item.products_list.flatMap((entry) => {
        const line =
          (entry.item_id !== undefined ? byItem.get(entry.item_id) : undefined) ??
          order.line_items.find(
            (candidate) => candidate.product_id === entry.product || candidate.variation_id === entry.product,
          );
        return line && line.sku !== ""
          ? [{ sku: line.sku, quantity: Math.max(1, Math.round(entry.qty)) }]
          : [];
      })
    : order.line_items
        .filter((line) => line.sku !== "")
        .map((line) => ({ sku: line.sku, quantity: line.quantity }));
  if (lines.length === 0) return undefined;
  const key = orderKeyOf(order);
  const shipped = shippedDate(item.date_shipped);
  return ShipmentSchema.parse({
    shipmentId: `${order.id}:${item.tracking_id}`,
    ...(key ? { order: key } : {}),
    storeOrderId: String(order.id),
    ...(item.tracking_provider.trim() !== "" ? { carrier: item.tracking_provider } : {}),
    ...(item.tracking_number.trim() !== "" ? { trackingNumber: item.tracking_number } : {}),
    ...(item.tracking_link.trim() !== "" ? { trackingUrl: item.tracking_link } : {}),
    ...(shipped ? { shippedAt: shipped } : {}),
    lines,
    cancelled: order.status === "cancelled" || order.status === "refunded",
  });
}

/** `2026-07-10` from the REST route, or a Unix time from the order meta. */
function shippedDate(value: string | number | null | undefined): string | undefined {
  if (typeof value === "number") return new Date(value * 1000).toISOString().slice(0, 10);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (typeof value === "string" && /^\d+$/.test(value))
    return new Date(Number(value) * 1000).toISOString().slice(0, 10);
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
