import { z } from "zod";
import { isOmnifeedError, OmnifeedError } from "../../core/errors.js";
import { formatAmount, type Money } from "../../core/money.js";
import { orderKeyText, type Order, type OrderKey } from "../../core/order.js";
import {
  metaText,
  WooOrderSchema,
  WooSkuRecordSchema,
  type WooOrder,
} from "../../sources/woocommerce/api.js";
import type { WooCommerceClient } from "../../sources/woocommerce/client.js";
import type { WooCommerceConnection } from "../../sources/woocommerce/options.js";
import type { StoreOrderRef } from "../store.js";

/**
 * Marketplace orders into WooCommerce, at most once per key (stores.md §2.3). WooCommerce has no
 * idempotency key and `GET /orders` cannot filter by meta, so the key rides in order meta
 * (`_omnifeed_marketplace`, `_omnifeed_account`, `_omnifeed_order_id`) and the lookup scans the
 * orders created since the purchase (less a skew allowance) page by page. `POST /orders` is sent
 * once: after a timeout or a 5xx the outcome is unknown, so the scan runs again before any new
 * attempt. Concurrent calls for one key in this process queue behind one another; across
 * processes the order ledger (issue 10) holds the lock.
 */

export const META_MARKETPLACE = "_omnifeed_marketplace";
export const META_ACCOUNT = "_omnifeed_account";
export const META_ORDER_ID = "_omnifeed_order_id";
const META_LINE_ID = "_omnifeed_line_id";

const OrdersPageSchema = z.array(WooOrderSchema);
const SkuPageSchema = z.array(WooSkuRecordSchema);

/** What a SKU is in the store: the product, and the variation when it is one. */
interface SkuTarget {
  productId: number;
  variationId: number;
}

/** The marketplace key an order carries in its meta, if it carries one. */
export function orderKeyOf(order: Pick<WooOrder, "meta_data">): OrderKey | undefined {
  const marketplace = metaText(order.meta_data, META_MARKETPLACE);
  const account = metaText(order.meta_data, META_ACCOUNT);
  const orderId = metaText(order.meta_data, META_ORDER_ID);
  if (!marketplace || !account || !orderId) return undefined;
  return { marketplace, account, orderId } as OrderKey;
}

function sameKey(order: WooOrder, key: OrderKey): boolean {
  const found = orderKeyOf(order);
  return (
    found !== undefined &&
    found.marketplace === key.marketplace &&
    found.account === key.account &&
    found.orderId === key.orderId
  );
}

function refOf(order: WooOrder, outcome: StoreOrderRef["outcome"]): StoreOrderRef {
  return { storeOrderId: String(order.id), name: `#${order.number ?? order.id}`, outcome };
}

/** UTC without `Z`, as WooCommerce takes dates with `dates_are_gmt=true`. */
function gmt(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export interface OrderWriter {
  find(key: OrderKey, since: Date, signal?: AbortSignal): Promise<StoreOrderRef | undefined>;
  create(order: Order, now: Date, signal?: AbortSignal): Promise<StoreOrderRef>;
  cancel(storeOrderId: string, signal?: AbortSignal): Promise<void>;
}

/** Creates in flight in this process, by store URL and order key: shared by every store object. */
const inFlight = new Map<string, Promise<unknown>>();

export function createOrderWriter(connection: WooCommerceConnection, client: WooCommerceClient): OrderWriter {
  async function find(key: OrderKey, since: Date, signal?: AbortSignal): Promise<StoreOrderRef | undefined> {
    for (let page = 1; ; page += 1) {
      const answer = await client.call(
        {
          path: "/wc/v3/orders",
          query: {
            after: gmt(since),
            dates_are_gmt: true,
            orderby: "id",
            order: "asc",
            per_page: 100,
            page,
            status: "any",
          },
          what: `order lookup for ${orderKeyText(key)} page ${page}`,
          signal,
        },
        OrdersPageSchema,
      );
      const match = answer.data.find((order) => sameKey(order, key));
      if (match) return refOf(match, "found");
      if (answer.data.length < 100 || (answer.totalPages !== undefined && page >= answer.totalPages)) {
        return undefined;
      }
    }
  }

  async function resolveSkus(order: Order, signal?: AbortSignal): Promise<Map<string, SkuTarget>> {
    const skus = [...new Set(order.lines.map((line) => String(line.sku)))];
    const targets = new Map<string, SkuTarget>();
    for (let start = 0; start < skus.length; start += 100) {
      const chunk = skus.slice(start, start + 100);
      const answer = await client.call(
        {
          path: "/wc/v3/products",
          query: { sku: chunk.join(","), per_page: 100, status: "any" },
          what: `SKU lookup for order ${orderKeyText(order)}`,
          signal,
        },
        SkuPageSchema,
      );
      for (const record of answer.data) {
        // A variable parent cannot be bought; its variations can (they come as records of their own).
        if (record.type === "variable" || record.type === "grouped" || !chunk.includes(record.sku)) continue;
        targets.set(
          record.sku,
          record.parent_id > 0
            ? { productId: record.parent_id, variationId: record.id }
            : { productId: record.id, variationId: 0 },
        );
      }
    }
    const unknown = skus.filter((sku) => !targets.has(sku));
    if (unknown.length > 0) {
      // WooCommerce would take the line with no product behind it: no stock change, nothing to ship.
      throw new OmnifeedError(
        "rejected",
        `the store sells no product with SKU ${unknown.join(", ")}; the order is not created`,
        { where: `woocommerce order ${orderKeyText(order)}` },
      );
    }
    return targets;
  }

  function orderBody(order: Order, targets: Map<string, SkuTarget>): Record<string, unknown> {
    const address = order.shippingAddress;
    const [firstName, ...rest] = (address?.name ?? order.buyer.name ?? "").split(/\s+/);
    const person = {
      first_name: firstName ?? "",
      last_name: rest.join(" "),
      ...(address
        ? {
            company: address.company ?? "",
            address_1: address.line1,
            address_2: address.line2 ?? "",
            city: address.city,
            state: address.region ?? "",
            postcode: address.postalCode ?? "",
            country: address.country,
          }
        : {}),
    };
    const amount = (money: Money) => formatAmount(money);
    return {
      status: "processing",
      set_paid: true,
      currency: order.currency,
      customer_id: 0,
      payment_method: order.marketplace,
      payment_method_title: `${order.marketplace} marketplace`,
      transaction_id: order.orderId,
      billing: {
        ...person,
        ...(order.buyer.email ? { email: order.buyer.email } : {}),
        phone: address?.phone ?? "",
      },
      shipping: person,
      line_items: order.lines.map((line) => {
        const target = targets.get(String(line.sku))!;
        const subtotal = line.unitPrice.amount * line.quantity;
        const total = Math.max(0, subtotal - (line.discount?.amount ?? 0));
        return {
          product_id: target.productId,
          ...(target.variationId > 0 ? { variation_id: target.variationId } : {}),
          quantity: line.quantity,
          subtotal: amount({ amount: subtotal, currency: order.currency }),
          total: amount({ amount: total, currency: order.currency }),
          meta_data: [{ key: META_LINE_ID, value: line.lineId }],
        };
      }),
      shipping_lines:
        order.shippingPrice || order.shippingService
          ? [
              {
                method_id: "omnifeed",
                method_title: order.shippingService ?? "Marketplace shipping",
                total: order.shippingPrice ? amount(order.shippingPrice) : "0.00",
              },
            ]
          : [],
      meta_data: [
        { key: META_MARKETPLACE, value: order.marketplace },
        { key: META_ACCOUNT, value: order.account },
        { key: META_ORDER_ID, value: order.orderId },
      ],
    };
  }

  async function createOnce(order: Order, now: Date, signal?: AbortSignal): Promise<StoreOrderRef> {
    const window = connection.order_lookup_window_minutes * 60_000;
    const purchased = Date.parse(order.purchasedAt);
    // Store orders are created after the purchase; the allowance covers clocks that disagree.
    const since = new Date(
      Math.min(Number.isNaN(purchased) ? now.getTime() : purchased, now.getTime()) - window,
    );
    const existing = await find(order, since, signal);
    if (existing) return existing;
    const targets = await resolveSkus(order, signal);
    const body = orderBody(order, targets);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = await client.call(
          {
            method: "POST",
            path: "/wc/v3/orders",
            body,
            what: `create order ${orderKeyText(order)}`,
            signal,
            retry: false,
          },
          WooOrderSchema,
        );
        return refOf(answer.data, "created");
      } catch (error) {
        // A timeout or a 5xx: the store may have made the order. Look before sending it again.
        if (!isOmnifeedError(error, "transient") || attempt >= 3) throw error;
        const made = await find(order, since, signal);
        if (made) return { ...made, outcome: "created" };
      }
    }
  }

  return {
    find,
    async create(order, now, signal) {
      const key = `${connection.url} ${orderKeyText(order)}`;
      // One call per key at a time in this process: the second waits and then finds the first's order.
      const before = inFlight.get(key) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(() => createOnce(order, now, signal));
      inFlight.set(key, mine);
      try {
        return await mine;
      } finally {
        if (inFlight.get(key) === mine) inFlight.delete(key);
      }
    },
    async cancel(storeOrderId, signal) {
      if (!/^\d+$/.test(storeOrderId)) {
        throw new OmnifeedError("not_found", `"${storeOrderId}" is not a WooCommerce order id`);
      }
      await client.call(
        {
          method: "PUT",
          path: `/wc/v3/orders/${storeOrderId}`,
          body: { status: "cancelled" },
          what: `cancel order ${storeOrderId}`,
          signal,
        },
        WooOrderSchema,
      );
    },
  };
}
