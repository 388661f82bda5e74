import { OrderSchema, type Order, type OrderInput } from "../../src/core/order.js";

/** One line of a test order: a SKU, how many, at what unit price in cents (default 19.99). */
export interface TestOrderLine {
  sku: string;
  quantity?: number;
  unitPrice?: number;
}

/**
 * A marketplace order as the store tests import it: Amazon seller A1SELLER, USD, Jane Doe in San
 * Francisco, Standard shipping at 4.99, `lines` numbered L1, L2, … and the total that adds up.
 * `overrides` replace any field (a key of another marketplace, another date, another buyer).
 */
export function testOrder(
  orderId: string,
  lines: readonly TestOrderLine[],
  overrides: Partial<OrderInput> = {},
): Order {
  const currency = overrides.currency ?? "USD";
  const orderLines = lines.map((line, index) => ({
    lineId: `L${index + 1}`,
    sku: line.sku,
    quantity: line.quantity ?? 1,
    unitPrice: { amount: line.unitPrice ?? 1999, currency },
  }));
  const shipping = 499;
  const input: OrderInput = {
    marketplace: "amazon",
    account: "A1SELLER",
    orderId,
    status: "unshipped",
    purchasedAt: "2026-12-01T10:00:00Z",
    currency,
    lines: orderLines,
    shippingAddress: {
      name: "Jane Doe",
      line1: "969 Market St",
      city: "San Francisco",
      region: "CA",
      postalCode: "94103",
      country: "US",
    },
    shippingService: "Standard",
    shippingPrice: { amount: shipping, currency },
    buyer: { email: "buyer@marketplace.example" },
    total: {
      amount: orderLines.reduce((sum, line) => sum + line.quantity * line.unitPrice.amount, shipping),
      currency,
    },
    ...overrides,
  };
  return OrderSchema.parse(input);
}
