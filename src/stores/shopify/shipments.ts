import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import {
  MarketplaceIdSchema,
  OrderKeySchema,
  ShipmentSchema,
  type OrderKey,
  type Shipment,
} from "../../core/order.js";
import { checkpointOf } from "../../sources/checkpoint.js";
import type { ShopifyClient } from "../../sources/shopify/client.js";
import type { Checkpoint } from "../../sources/source.js";
import type { ShipmentPage } from "../store.js";
import { ACCOUNT_ATTRIBUTE } from "./orders.js";

/**
 * Fulfillments with tracking since a checkpoint (stores.md §1.8): orders updated since then
 * (`updated_at:>=`, sorted by UPDATED_AT), each fulfillment as a Shipment. Tracking added to an
 * existing fulfillment updates its order, so it is read again and reported again. The checkpoint
 * is the newest `updatedAt` seen; the next read starts `overlap` before it (orders updated in the
 * same instant, clocks) and skips what it already reported there (fulfillment id + updatedAt).
 */

const CheckpointSchema = z.object({
  v: z.literal(1),
  since: z.string(),
  /** `fulfillment GID@updatedAt` reported within the overlap window. */
  reported: z.array(z.string()).default([]),
});

const SHIPMENTS_QUERY = /* GraphQL */ `
  query OmnifeedShipments($after: String, $query: String) {
    orders(first: 10, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id
        updatedAt
        sourceName
        sourceIdentifier
        customAttributes {
          key
          value
        }
        fulfillments(first: 3) {
          id
          status
          createdAt
          updatedAt
          trackingInfo(first: 3) {
            company
            number
            url
          }
          fulfillmentLineItems(first: 10) {
            nodes {
              quantity
              lineItem {
                sku
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const FulfillmentSchema = z.object({
  id: z.string(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  trackingInfo: z.array(
    z.object({ company: z.string().nullable(), number: z.string().nullable(), url: z.string().nullable() }),
  ),
  fulfillmentLineItems: z.object({
    nodes: z.array(
      z.object({ quantity: z.number().nullable(), lineItem: z.object({ sku: z.string().nullable() }) }),
    ),
  }),
});

const PageSchema = z.object({
  orders: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        updatedAt: z.string(),
        sourceName: z.string().nullable(),
        sourceIdentifier: z.string().nullable(),
        customAttributes: z.array(z.object({ key: z.string(), value: z.string().nullable() })).default([]),
        fulfillments: z.array(FulfillmentSchema),
      }),
    ),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
  }),
});

/** The marketplace order a Shopify order was created for, from what omnifeed wrote on it. */
export function orderKeyOf(order: {
  sourceName: string | null;
  sourceIdentifier: string | null;
  customAttributes: readonly { key: string; value: string | null }[];
}): OrderKey | undefined {
  const marketplace = /^omnifeed-(.+)$/.exec(order.sourceName ?? "")?.[1];
  const account = order.customAttributes.find((attribute) => attribute.key === ACCOUNT_ATTRIBUTE)?.value;
  if (marketplace === undefined || !MarketplaceIdSchema.safeParse(marketplace).success) return undefined;
  const parsed = OrderKeySchema.safeParse({ marketplace, account, orderId: order.sourceIdentifier });
  return parsed.success ? parsed.data : undefined;
}

export function shipmentOf(
  fulfillment: {
    id: string;
    status: string;
    createdAt?: string | null | undefined;
    tracking: readonly { company: string | null; number: string | null; url: string | null }[];
    lines: readonly { sku: string | null; quantity: number | null }[];
  },
  storeOrderId: string,
  order: OrderKey | undefined,
): Shipment | undefined {
  const first = fulfillment.tracking[0];
  const lines = fulfillment.lines
    .filter((line) => line.sku !== null && line.sku.trim() !== "" && (line.quantity ?? 0) > 0)
    .map((line) => ({ sku: line.sku!, quantity: line.quantity! }));
  const parsed = ShipmentSchema.safeParse({
    shipmentId: fulfillment.id,
    ...(order ? { order } : {}),
    storeOrderId,
    ...(first?.company ? { carrier: first.company } : {}),
    ...(first?.number ? { trackingNumber: first.number } : {}),
    ...(first?.url ? { trackingUrl: first.url } : {}),
    ...(fulfillment.createdAt ? { shippedAt: fulfillment.createdAt } : {}),
    lines,
    cancelled: fulfillment.status.toUpperCase() === "CANCELLED",
  });
  // A fulfillment of lines without SKUs (custom lines) means nothing to a marketplace.
  return parsed.success ? parsed.data : undefined;
}

export async function shopifyShipmentsSince(
  client: ShopifyClient,
  from: Checkpoint | undefined,
  overlapMs: number,
  signal: AbortSignal | undefined,
): Promise<ShipmentPage> {
  let since: string | undefined;
  let reported = new Set<string>();
  if (from !== undefined) {
    const checkpoint = checkpointOf(from, CheckpointSchema);
    if (checkpoint === undefined || Number.isNaN(Date.parse(checkpoint.since))) {
      throw new OmnifeedError(
        "config",
        `Shopify: the checkpoint ${JSON.stringify(from.slice(0, 80))} is not a shipments checkpoint`,
      );
    }
    since = checkpoint.since;
    reported = new Set(checkpoint.reported);
  }
  const windowStart = since === undefined ? undefined : new Date(Date.parse(since) - overlapMs).toISOString();
  const shipments: Shipment[] = [];
  const seen: { key: string; updatedAt: string }[] = [];
  let newest = since;
  let after: string | null = null;
  for (;;) {
    const answer = await client.request<unknown>(
      "orders(updated_at)",
      SHIPMENTS_QUERY,
      { after, query: windowStart === undefined ? null : `updated_at:>='${windowStart}'` },
      signal,
    );
    const page: z.infer<typeof PageSchema>["orders"] = PageSchema.parse(answer.data).orders;
    for (const node of page.nodes) {
      if (newest === undefined || Date.parse(node.updatedAt) > Date.parse(newest)) newest = node.updatedAt;
      const key = orderKeyOf(node);
      for (const fulfillment of node.fulfillments) {
        const mark = `${fulfillment.id}@${fulfillment.updatedAt}`;
        if (windowStart !== undefined && Date.parse(fulfillment.updatedAt) < Date.parse(windowStart))
          continue;
        seen.push({ key: mark, updatedAt: fulfillment.updatedAt });
        if (reported.has(mark)) continue;
        reported.add(mark);
        const shipment = shipmentOf(
          {
            id: fulfillment.id,
            status: fulfillment.status,
            createdAt: fulfillment.createdAt,
            tracking: fulfillment.trackingInfo,
            lines: fulfillment.fulfillmentLineItems.nodes.map((line) => ({
              sku: line.lineItem.sku,
              quantity: line.quantity,
            })),
          },
          node.id,
          key,
        );
        if (shipment) shipments.push(shipment);
      }
    }
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) break;
    after = page.pageInfo.endCursor;
  }
  // Remember only what the next read's overlap window will show again.
  const nextWindow = newest === undefined ? undefined : Date.parse(newest) - overlapMs;
  const keep = [
    ...new Set(
      [
        ...seen.map((entry) => entry),
        ...[...reported].map((key) => ({ key, updatedAt: key.split("@").pop() ?? "" })),
      ]
        .filter((entry) => nextWindow === undefined || Date.parse(entry.updatedAt) >= nextWindow)
        .map((entry) => entry.key),
    ),
  ].sort();
  return {
    shipments,
    checkpoint: JSON.stringify({ v: 1, since: newest ?? new Date(0).toISOString(), reported: keep }),
  };
}
