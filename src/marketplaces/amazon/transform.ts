import { z } from "zod";
import type { Money } from "../../core/money.js";
import {
  OrderSchema,
  type MarketplaceAccount,
  type MarketplaceId,
  type OrderInput,
  type OrderStatus,
} from "../../core/order.js";
import { addressOf, amountOf, problemOfIssues, type OrderReading } from "../order-fields.js";

/**
 * An Amazon order (Orders API 2026-01-01 `Order`, with includedData BUYER, RECIPIENT, PROCEEDS,
 * FULFILLMENT) → the canonical order. Pure. Field spec: orders_2026-01-01.json, reference §4.
 * `unitPrice` is per unit in v2026 (v0's ItemPrice was the line total).
 */

const AmazonMoneySchema = z.looseObject({ amount: z.string(), currencyCode: z.string() });

const AmazonOrderSchema = z.looseObject({
  orderId: z.string().min(1),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  orderItems: z
    .array(
      z.looseObject({
        orderItemId: z.string().min(1),
        quantityOrdered: z.number().int().nonnegative(),
        product: z.looseObject({
          sellerSku: z.string().min(1, "the order item has no seller SKU"),
          title: z.string().optional(),
          price: z.looseObject({ unitPrice: AmazonMoneySchema }).optional(),
        }),
      }),
    )
    .min(1),
  buyer: z.looseObject({ buyerName: z.string().optional(), buyerEmail: z.string().optional() }).optional(),
  recipient: z
    .looseObject({
      deliveryAddress: z
        .looseObject({
          name: z.string().optional(),
          companyName: z.string().optional(),
          addressLine1: z.string().optional(),
          addressLine2: z.string().optional(),
          city: z.string().optional(),
          stateOrRegion: z.string().optional(),
          postalCode: z.string().optional(),
          countryCode: z.string().optional(),
          phone: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  proceeds: z
    .looseObject({
      grandTotal: AmazonMoneySchema.optional(),
      breakdowns: z.array(z.looseObject({ type: z.string(), subtotal: AmazonMoneySchema })).optional(),
    })
    .optional(),
  fulfillment: z
    .looseObject({
      fulfillmentStatus: z.string().optional(),
      fulfillmentServiceLevel: z.string().optional(),
      shipByWindow: z.looseObject({ latestDateTime: z.string().optional() }).optional(),
    })
    .optional(),
});

/** Amazon's fulfillment status → ours; `UNFULFILLABLE` (multi-channel orders) is no seller order. */
const STATUSES: Readonly<Record<string, OrderStatus>> = {
  PENDING_AVAILABILITY: "pending",
  PENDING: "pending",
  UNSHIPPED: "unshipped",
  PARTIALLY_SHIPPED: "partially_shipped",
  SHIPPED: "shipped",
  CANCELLED: "cancelled",
};

export function amazonOrderToCanonical(
  raw: unknown,
  key: { marketplace: MarketplaceId; account: MarketplaceAccount },
): OrderReading {
  const orderId = idOf(raw);
  const parsed = AmazonOrderSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: problemOfIssues(orderId, parsed.error.issues) };
  const amazon = parsed.data;
  const fail = (field: string, message: string): OrderReading => ({
    ok: false,
    problem: { orderId, field, message },
  });

  const fulfillmentStatus = amazon.fulfillment?.fulfillmentStatus;
  if (fulfillmentStatus === undefined)
    return fail("fulfillment.fulfillmentStatus", "no status (ask with includedData=FULFILLMENT)");
  const status = STATUSES[fulfillmentStatus];
  if (!status)
    return fail("fulfillment.fulfillmentStatus", `status ${fulfillmentStatus} is not a seller order`);

  const currency =
    amazon.proceeds?.grandTotal?.currencyCode ??
    amazon.orderItems.find((item) => item.product.price)?.product.price?.unitPrice.currencyCode;
  if (currency === undefined) return fail("proceeds.grandTotal", "no prices: the currency is unknown");

  const lines: OrderInput["lines"] = [];
  for (const [index, item] of amazon.orderItems.entries()) {
    // A line cancelled before shipping keeps its item with nothing ordered.
    if (item.quantityOrdered === 0) continue;
    const field = `orderItems[${index}].product.price.unitPrice`;
    const unitPrice = item.product.price?.unitPrice;
    if (!unitPrice) return fail(field, "no unit price");
    const money = amountOf(unitPrice.amount, unitPrice.currencyCode, field);
    if (!money.ok) return fail(money.field, money.message);
    lines.push({
      lineId: item.orderItemId,
      sku: item.product.sellerSku,
      ...(item.product.title ? { title: item.product.title } : {}),
      quantity: item.quantityOrdered,
      unitPrice: money.money,
    });
  }
  if (lines.length === 0) return fail("orderItems", "every item has quantity 0");

  const totals = moneyOf(amazon.proceeds, currency);
  if (!totals.ok) return fail(totals.field, totals.message);
  const itemsTotal = lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  const total = totals.grandTotal ?? { amount: itemsTotal + (totals.shipping?.amount ?? 0), currency };

  const address = amazon.recipient?.deliveryAddress;
  const input: OrderInput = {
    ...key,
    orderId: amazon.orderId,
    status,
    purchasedAt: amazon.createdTime,
    updatedAt: amazon.lastUpdatedTime,
    ...(amazon.fulfillment?.shipByWindow?.latestDateTime
      ? { shipBy: amazon.fulfillment.shipByWindow.latestDateTime }
      : {}),
    currency,
    lines,
    ...addressOf(
      address && {
        name: address.name,
        company: address.companyName,
        line1: address.addressLine1,
        line2: address.addressLine2,
        city: address.city,
        region: address.stateOrRegion,
        postalCode: address.postalCode,
        country: address.countryCode,
        phone: address.phone,
      },
    ),
    ...(amazon.fulfillment?.fulfillmentServiceLevel
      ? { shippingService: amazon.fulfillment.fulfillmentServiceLevel }
      : {}),
    ...(totals.shipping ? { shippingPrice: totals.shipping } : {}),
    buyer: {
      ...(amazon.buyer?.buyerName ? { name: amazon.buyer.buyerName } : {}),
      ...(amazon.buyer?.buyerEmail ? { email: amazon.buyer.buyerEmail } : {}),
    },
    total,
  };
  const order = OrderSchema.safeParse(input);
  if (!order.success) return { ok: false, problem: problemOfIssues(orderId, order.error.issues) };
  return { ok: true, order: order.data };
}

function moneyOf(
  proceeds: z.infer<typeof AmazonOrderSchema>["proceeds"],
  currency: string,
): { ok: true; grandTotal?: Money; shipping?: Money } | { ok: false; field: string; message: string } {
  const out: { ok: true; grandTotal?: Money; shipping?: Money } = { ok: true };
  if (proceeds?.grandTotal) {
    const total = amountOf(
      proceeds.grandTotal.amount,
      proceeds.grandTotal.currencyCode,
      "proceeds.grandTotal",
    );
    if (!total.ok) return total;
    out.grandTotal = total.money;
  }
  const shipping = proceeds?.breakdowns?.find((breakdown) => breakdown.type === "SHIPPING");
  if (shipping) {
    const money = amountOf(shipping.subtotal.amount, currency, "proceeds.breakdowns[SHIPPING].subtotal");
    if (!money.ok) return money;
    out.shipping = money.money;
  }
  return out;
}

function idOf(raw: unknown): string {
  const id = typeof raw === "object" && raw !== null ? (raw as { orderId?: unknown }).orderId : undefined;
  return typeof id === "string" && id !== "" ? id : "(no orderId)";
}
