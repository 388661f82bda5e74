import { z } from "zod";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import { formatAmount } from "../../core/money.js";
import { orderKeyText, type Address, type Order, type OrderKey } from "../../core/order.js";
import { abortableSleep } from "../../infra/rate-limiters.js";
import { UserErrorsSchema, userErrorsError, type ShopifyClient } from "../../sources/shopify/client.js";
import type { ShopifyConnection } from "../../sources/shopify/options.js";
import type { StoreOrderRef } from "../store.js";

/**
 * Marketplace orders into Shopify exactly once, as far as the shop can tell (stores.md §1.6–1.7):
 * `orderCreate` takes no idempotency key, so the order carries its key (sourceName
 * `omnifeed-<marketplace>`, sourceIdentifier = the marketplace order id, the account as a custom
 * attribute) and is looked up by it before it is created. Lines are bound to variants by SKU: an
 * order with a SKU the shop does not sell is refused, never created with custom lines.
 */

export const ACCOUNT_ATTRIBUTE = "omnifeed_account";
const MARKETPLACE_ATTRIBUTE = "omnifeed_marketplace";

export function sourceNameOf(marketplace: string): string {
  return `omnifeed-${marketplace}`;
}

/** Shopify search value in single quotes (ids with dashes and spaces stay one term). */
export function searchValue(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const FIND_QUERY = /* GraphQL */ `
  query OmnifeedFindOrder($query: String!) {
    orders(first: 10, query: $query) {
      nodes {
        id
        name
        sourceName
        sourceIdentifier
        customAttributes {
          key
          value
        }
      }
    }
  }
`;

const FoundSchema = z.object({
  orders: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        sourceName: z.string().nullable(),
        sourceIdentifier: z.string().nullable(),
        customAttributes: z.array(z.object({ key: z.string(), value: z.string().nullable() })).default([]),
      }),
    ),
  }),
});

export async function findShopifyOrder(
  client: ShopifyClient,
  key: OrderKey,
  signal: AbortSignal | undefined,
): Promise<StoreOrderRef | undefined> {
  const answer = await client.request<unknown>(
    "orders(source_identifier)",
    FIND_QUERY,
    { query: `source_identifier:${searchValue(key.orderId)}` },
    signal,
  );
  // Search matches loosely (case, other apps' orders): compare exactly.
  const match = FoundSchema.parse(answer.data).orders.nodes.find((node) => {
    if (node.sourceIdentifier !== key.orderId || node.sourceName !== sourceNameOf(key.marketplace))
      return false;
    const account = node.customAttributes.find((attribute) => attribute.key === ACCOUNT_ATTRIBUTE)?.value;
    return account === undefined || account === null || account === key.account;
  });
  return match ? { storeOrderId: match.id, name: match.name, outcome: "found" } : undefined;
}

const VARIANTS_QUERY = /* GraphQL */ `
  query OmnifeedVariantsBySku($query: String!) {
    productVariants(first: 250, query: $query) {
      nodes {
        id
        sku
        product {
          status
        }
      }
    }
  }
`;

const VariantsSchema = z.object({
  productVariants: z.object({
    nodes: z.array(
      z.object({ id: z.string(), sku: z.string().nullable(), product: z.object({ status: z.string() }) }),
    ),
  }),
});

/** SKUs per variant lookup query: one `sku:… OR sku:…` search. */
const SKUS_PER_QUERY = 50;

/**
 * SKU → variant GID for every SKU of the order, in batched searches. Shopify's SKUs are neither
 * required nor unique: a SKU on no variant, or on several sellable ones, refuses the order.
 */
export async function resolveVariants(
  client: ShopifyClient,
  skus: readonly string[],
  where: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const wanted = [...new Set(skus)];
  const found = new Map<string, string[]>();
  for (let start = 0; start < wanted.length; start += SKUS_PER_QUERY) {
    const chunk = wanted.slice(start, start + SKUS_PER_QUERY);
    const answer = await client.request<unknown>(
      "productVariants(sku)",
      VARIANTS_QUERY,
      { query: chunk.map((sku) => `sku:${searchValue(sku)}`).join(" OR ") },
      signal,
    );
    for (const node of VariantsSchema.parse(answer.data).productVariants.nodes) {
      // Search is case-insensitive; SKUs are compared exactly. Drafts and archived products do not sell.
      if (node.sku === null || !chunk.includes(node.sku) || node.product.status !== "ACTIVE") continue;
      found.set(node.sku, [...(found.get(node.sku) ?? []), node.id]);
    }
  }
  const resolved = new Map<string, string>();
  const unknown: string[] = [];
  const ambiguous: string[] = [];
  for (const sku of wanted) {
    const ids = found.get(sku) ?? [];
    if (ids.length === 0) unknown.push(sku);
    else if (ids.length > 1) ambiguous.push(`${sku} (${ids.length} variants)`);
    else resolved.set(sku, ids[0]!);
  }
  if (unknown.length > 0 || ambiguous.length > 0) {
    const parts = [
      unknown.length > 0 ? `SKU ${unknown.join(", ")} is not sold by the shop` : "",
      ambiguous.length > 0 ? `SKU ${ambiguous.join(", ")} is on more than one active variant` : "",
    ].filter(Boolean);
    throw new OmnifeedError("rejected", `Shopify: order not created: ${parts.join("; ")}`, { where });
  }
  return resolved;
}

const CREATE_MUTATION = /* GraphQL */ `
  mutation OmnifeedOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
    orderCreate(order: $order, options: $options) {
      order {
        id
        name
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

const CreatedSchema = z.object({
  orderCreate: z
    .object({
      order: z.object({ id: z.string(), name: z.string() }).nullable(),
      userErrors: UserErrorsSchema,
    })
    .nullable(),
});

function mailingAddress(address: Address): Record<string, string> {
  const [first, ...rest] = address.name.split(/\s+/);
  return {
    ...(rest.length > 0 ? { firstName: first!, lastName: rest.join(" ") } : { lastName: address.name }),
    ...(address.company ? { company: address.company } : {}),
    address1: address.line1,
    ...(address.line2 ? { address2: address.line2 } : {}),
    city: address.city,
    ...(address.region ? { provinceCode: address.region } : {}),
    countryCode: address.country,
    ...(address.postalCode ? { zip: address.postalCode } : {}),
    ...(address.phone ? { phone: address.phone } : {}),
  };
}

/** The `orderCreate` input of a marketplace order (stores.md §1.6). */
export function orderCreateInput(
  order: Order,
  variants: ReadonlyMap<string, string>,
  tags: readonly string[],
): { order: Record<string, unknown>; options: Record<string, unknown> } {
  const money = (amount: { amount: number; currency: string }) => ({
    shopMoney: { amount: formatAmount(amount), currencyCode: amount.currency },
  });
  return {
    order: {
      currency: order.currency,
      sourceName: sourceNameOf(order.marketplace),
      sourceIdentifier: order.orderId,
      tags: [...new Set([...tags, order.marketplace])],
      processedAt: order.purchasedAt,
      customAttributes: [
        { key: MARKETPLACE_ATTRIBUTE, value: order.marketplace },
        { key: ACCOUNT_ATTRIBUTE, value: order.account },
      ],
      ...(order.buyer.email ? { email: order.buyer.email } : {}),
      ...(order.shippingAddress ? { shippingAddress: mailingAddress(order.shippingAddress) } : {}),
      lineItems: order.lines.map((line) => ({
        variantId: variants.get(line.sku),
        quantity: line.quantity,
        priceSet: money(line.unitPrice),
      })),
      ...(order.shippingPrice
        ? {
            shippingLines: [
              {
                title: order.shippingService ?? `${order.marketplace} shipping`,
                ...(order.shippingService ? { code: order.shippingService } : {}),
                priceSet: money(order.shippingPrice),
              },
            ],
          }
        : {}),
      financialStatus: "PAID",
      transactions: [
        { kind: "SALE", status: "SUCCESS", gateway: order.marketplace, amountSet: money(order.total) },
      ],
    },
    // BYPASS (the default) would leave stock untouched: the marketplace sale must reduce it.
    options: {
      inventoryBehaviour: "DECREMENT_OBEYING_POLICY",
      sendReceipt: false,
      sendFulfillmentReceipt: false,
    },
  };
}

export interface OrderWriter {
  client: ShopifyClient;
  options: ShopifyConnection;
}

/**
 * Looks up, resolves and creates. A create whose outcome is unknown (timeout, connection lost,
 * 5xx) is never resent blindly: after `lookup_delay_ms` (the order search lags) the lookup runs
 * again, and only when it still finds nothing is the order created a second time.
 */
export async function createShopifyOrder(
  writer: OrderWriter,
  order: Order,
  signal: AbortSignal | undefined,
): Promise<StoreOrderRef> {
  const where = `order ${orderKeyText(order)}`;
  const existing = await findShopifyOrder(writer.client, order, signal);
  if (existing) return existing;
  const variants = await resolveVariants(
    writer.client,
    order.lines.map((line) => line.sku),
    where,
    signal,
  );
  const input = orderCreateInput(order, variants, writer.options.order_tags);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await writer.client.request<unknown>("orderCreate", CREATE_MUTATION, input, signal, {
        once: true,
      });
      const payload = CreatedSchema.parse(answer.data).orderCreate;
      if (!payload?.order) {
        throw userErrorsError(
          "orderCreate",
          payload?.userErrors.length ? payload.userErrors : [{ message: "no order was created" }],
          answer.requestId,
        );
      }
      return { storeOrderId: payload.order.id, name: payload.order.name, outcome: "created" };
    } catch (error) {
      if (!isOmnifeedError(error, "transient") || attempt >= 2) throw error;
      await abortableSleep(writer.options.lookup_delay_ms, signal);
      const found = await findShopifyOrder(writer.client, order, signal);
      if (found) return found;
    }
  }
}

const CANCEL_MUTATION = /* GraphQL */ `
  mutation OmnifeedOrderCancel($orderId: ID!) {
    orderCancel(
      orderId: $orderId
      reason: OTHER
      restock: true
      notifyCustomer: false
      staffNote: "omnifeed"
    ) {
      job {
        id
        done
      }
      orderCancelUserErrors {
        field
        message
        code
      }
    }
  }
`;

const ORDER_STATE_QUERY = /* GraphQL */ `
  query OmnifeedOrderState($id: ID!) {
    order(id: $id) {
      id
      cancelledAt
    }
  }
`;

const CancelSchema = z.object({
  orderCancel: z
    .object({
      job: z.object({ id: z.string(), done: z.boolean() }).nullable(),
      orderCancelUserErrors: UserErrorsSchema,
    })
    .nullable(),
});

/** Cancels (with restock, without notifying the buyer); an order cancelled already is left as it is. */
export async function cancelShopifyOrder(
  client: ShopifyClient,
  storeOrderId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const state = await client.request<{ order: { id: string; cancelledAt: string | null } | null }>(
    "order",
    ORDER_STATE_QUERY,
    { id: storeOrderId },
    signal,
  );
  if (!state.data.order)
    throw new OmnifeedError("not_found", `Shopify: no order ${storeOrderId} in the shop`);
  if (state.data.order.cancelledAt !== null) return;
  const answer = await client.request<unknown>(
    "orderCancel",
    CANCEL_MUTATION,
    { orderId: storeOrderId },
    signal,
  );
  const payload = CancelSchema.parse(answer.data).orderCancel;
  if (!payload || payload.orderCancelUserErrors.length > 0) {
    const errors = payload?.orderCancelUserErrors ?? [{ message: "the order was not cancelled" }];
    throw userErrorsError(
      "orderCancel",
      errors,
      answer.requestId,
      errors.some((error) => error.code === "NOT_FOUND") ? "not_found" : "rejected",
    );
  }
}
