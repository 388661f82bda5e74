import { z } from "zod";
import { OrderSchema, type OrderInput, type OrderKey, type OrderStatus } from "../../core/order.js";
import { addressOf, amountOf, problemOfIssues, type OrderReading } from "../order-fields.js";

/**
 * An eBay order (Sell Fulfillment API v1 `Order`) → the canonical order. Pure. Field spec:
 * reference ebay-and-others.md §1.2. `lineItemCost` is the line's total: the unit price is it
 * divided by the quantity.
 */

const AmountSchema = z.looseObject({ value: z.string(), currency: z.string() });

const EbayOrderSchema = z.looseObject({
  orderId: z.string().min(1),
  creationDate: z.string(),
  lastModifiedDate: z.string(),
  orderFulfillmentStatus: z.enum(["NOT_STARTED", "IN_PROGRESS", "FULFILLED"]),
  orderPaymentStatus: z.string().optional(),
  cancelStatus: z.looseObject({ cancelState: z.string().optional() }).optional(),
  pricingSummary: z.looseObject({ total: AmountSchema, deliveryCost: AmountSchema.optional() }),
  fulfillmentStartInstructions: z
    .array(
      z.looseObject({
        shippingStep: z
          .looseObject({
            shippingServiceCode: z.string().optional(),
            shipTo: z
              .looseObject({
                fullName: z.string().optional(),
                companyName: z.string().optional(),
                email: z.string().optional(),
                primaryPhone: z.looseObject({ phoneNumber: z.string().optional() }).optional(),
                contactAddress: z
                  .looseObject({
                    addressLine1: z.string().optional(),
                    addressLine2: z.string().optional(),
                    city: z.string().optional(),
                    stateOrProvince: z.string().optional(),
                    postalCode: z.string().optional(),
                    countryCode: z.string().optional(),
                  })
                  .optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  lineItems: z
    .array(
      z.looseObject({
        lineItemId: z.string().min(1),
        // eBay listings may have no SKU; such a line cannot be matched to a store variant.
        sku: z.string({ error: "the line has no SKU (the eBay listing was created without one)" }).min(1),
        title: z.string().optional(),
        quantity: z.number().int().positive(),
        lineItemCost: AmountSchema,
        lineItemFulfillmentInstructions: z.looseObject({ shipByDate: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});

function statusOf(order: z.infer<typeof EbayOrderSchema>): OrderStatus {
  if (order.cancelStatus?.cancelState === "CANCELED") return "cancelled";
  if (order.orderPaymentStatus === "PENDING" || order.orderPaymentStatus === "FAILED") return "pending";
  return order.orderFulfillmentStatus === "FULFILLED"
    ? "shipped"
    : order.orderFulfillmentStatus === "IN_PROGRESS"
      ? "partially_shipped"
      : "unshipped";
}

export function ebayOrderToCanonical(
  raw: unknown,
  key: Pick<OrderKey, "marketplace" | "account">,
): OrderReading {
  const rawId = typeof raw === "object" && raw !== null ? (raw as { orderId?: unknown }).orderId : undefined;
  const orderId = typeof rawId === "string" && rawId ? rawId : "(no orderId)";
  const parsed = EbayOrderSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: problemOfIssues(orderId, parsed.error.issues) };
  const ebay = parsed.data;
  const fail = (field: string, message: string): OrderReading => ({
    ok: false,
    problem: { orderId, field, message },
  });
  const currency = ebay.pricingSummary.total.currency;
  const total = amountOf(ebay.pricingSummary.total.value, currency, "pricingSummary.total");
  if (!total.ok) return fail(total.field, total.message);

  const lines: OrderInput["lines"] = [];
  for (const [index, line] of ebay.lineItems.entries()) {
    const cost = amountOf(
      line.lineItemCost.value,
      line.lineItemCost.currency,
      `lineItems[${index}].lineItemCost`,
    );
    if (!cost.ok) return fail(cost.field, cost.message);
    lines.push({
      lineId: line.lineItemId,
      sku: line.sku,
      ...(line.title ? { title: line.title } : {}),
      quantity: line.quantity,
      unitPrice: { amount: Math.round(cost.money.amount / line.quantity), currency: cost.money.currency },
    });
  }
  let shippingPrice;
  if (ebay.pricingSummary.deliveryCost) {
    const delivery = amountOf(
      ebay.pricingSummary.deliveryCost.value,
      ebay.pricingSummary.deliveryCost.currency,
      "pricingSummary.deliveryCost",
    );
    if (!delivery.ok) return fail(delivery.field, delivery.message);
    shippingPrice = delivery.money;
  }
  const shipByDates = ebay.lineItems
    .map((line) => line.lineItemFulfillmentInstructions?.shipByDate)
    .filter((date): date is string => date !== undefined)
    .sort();
  const step = ebay.fulfillmentStartInstructions?.[0]?.shippingStep;
  const shipTo = step?.shipTo;
  const address = shipTo?.contactAddress;
  const input: OrderInput = {
    ...key,
    orderId: ebay.orderId,
    status: statusOf(ebay),
    purchasedAt: ebay.creationDate,
    updatedAt: ebay.lastModifiedDate,
    ...(shipByDates[0] ? { shipBy: shipByDates[0] } : {}),
    currency,
    lines,
    ...addressOf({
      name: shipTo?.fullName,
      company: shipTo?.companyName,
      line1: address?.addressLine1,
      line2: address?.addressLine2,
      city: address?.city,
      region: address?.stateOrProvince,
      postalCode: address?.postalCode,
      country: address?.countryCode,
      phone: shipTo?.primaryPhone?.phoneNumber,
    }),
    ...(step?.shippingServiceCode ? { shippingService: step.shippingServiceCode } : {}),
    ...(shippingPrice ? { shippingPrice } : {}),
    buyer: {
      ...(shipTo?.fullName ? { name: shipTo.fullName } : {}),
      ...(shipTo?.email ? { email: shipTo.email } : {}),
    },
    total: total.money,
  };
  const order = OrderSchema.safeParse(input);
  if (!order.success) return { ok: false, problem: problemOfIssues(orderId, order.error.issues) };
  return { ok: true, order: order.data };
}
