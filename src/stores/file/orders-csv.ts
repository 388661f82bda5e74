import { stringify } from "csv-stringify/sync";
import { formatAmount, type Money } from "../../core/money.js";
import type { OutboxOrder } from "./outbox.js";

/**
 * `orders.csv`: the outbox as a spreadsheet, one row per order line, and one row per
 * cancellation. Rows are only ever appended, by the process that created (or cancelled) the order.
 * Amounts are decimals in the order's currency (`19.99`). Values that a spreadsheet would run as
 * a formula (`=`, `+`, `-`, `@` first) are written with a leading `'` (marketplace data is
 * untrusted).
 */
export const ORDERS_CSV_COLUMNS = [
  "event",
  "at",
  "store_order_id",
  "marketplace",
  "account",
  "order_id",
  "purchased_at",
  "line_id",
  "sku",
  "title",
  "quantity",
  "unit_price",
  "line_tax",
  "line_discount",
  "currency",
  "shipping_service",
  "shipping_price",
  "order_total",
  "ship_name",
  "ship_company",
  "ship_line1",
  "ship_line2",
  "ship_city",
  "ship_region",
  "ship_postal_code",
  "ship_country",
  "ship_phone",
  "buyer_name",
  "buyer_email",
] as const;
type Column = (typeof ORDERS_CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number>>;

function csv(rows: readonly Row[], header = false): string {
  return stringify(rows as Row[], {
    header,
    columns: [...ORDERS_CSV_COLUMNS],
    escape_formulas: true,
    record_delimiter: "\n",
  });
}

export const ORDERS_CSV_HEADER = csv([], true);

const amount = (money: Money | undefined): string => (money === undefined ? "" : formatAmount(money));

function orderColumns(entry: OutboxOrder): Row {
  const { order } = entry;
  const address = order.shippingAddress;
  return {
    store_order_id: entry.storeOrderId,
    marketplace: order.marketplace,
    account: order.account,
    order_id: order.orderId,
    purchased_at: order.purchasedAt,
    currency: order.currency,
    shipping_service: order.shippingService,
    shipping_price: amount(order.shippingPrice),
    order_total: amount(order.total),
    ship_name: address?.name,
    ship_company: address?.company,
    ship_line1: address?.line1,
    ship_line2: address?.line2,
    ship_city: address?.city,
    ship_region: address?.region,
    ship_postal_code: address?.postalCode,
    ship_country: address?.country,
    ship_phone: address?.phone,
    buyer_name: order.buyer.name,
    buyer_email: order.buyer.email,
  };
}

/** The rows of a created order: one per line. */
export function createdRows(entry: OutboxOrder): string {
  const common = orderColumns(entry);
  return csv(
    entry.order.lines.map((line) => ({
      event: "created",
      at: entry.createdAt,
      ...common,
      line_id: line.lineId,
      sku: line.sku,
      title: line.title,
      quantity: line.quantity,
      unit_price: amount(line.unitPrice),
      line_tax: amount(line.tax),
      line_discount: amount(line.discount),
    })),
  );
}

/** The one row of a cancellation: the order's columns, no line. */
export function cancelledRow(entry: OutboxOrder, at: string): string {
  return csv([{ event: "cancelled", at, ...orderColumns(entry) }]);
}
