import type { z } from "zod";
import { parseMoney, type Money } from "../core/money.js";
import { OmnifeedError } from "../core/errors.js";
import type { Address, Order } from "../core/order.js";
import type { OrderPage, OrderProblem } from "./marketplace.js";

/** An order the transform could read, or the problem that stopped it. */
export type OrderReading = { ok: true; order: Order } | { ok: false; problem: OrderProblem };

/**
 * Helpers the marketplaces' pure order transforms share: decimal amounts into minor units and
 * zod's first issue as a problem that names the marketplace's field.
 */

/** `"34.99"` + `GBP` → 3499 pence; a bad amount names its field. */
export function amountOf(
  amount: string,
  currency: string,
  field: string,
): { ok: true; money: Money } | { ok: false; field: string; message: string } {
  const parsed = parseMoney(amount, currency);
  if (!parsed.ok || parsed.money.currency !== currency)
    return { ok: false, field, message: `not an amount in ${currency}: ${JSON.stringify(amount)}` };
  return { ok: true, money: parsed.money };
}

/** The first zod issue of a marketplace's order as a problem at its field (`orderItems[0].product`). */
export function problemOfIssues(orderId: string, issues: readonly z.core.$ZodIssue[]): OrderProblem {
  const issue = issues[0];
  const field = (issue?.path ?? [])
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index > 0 ? "." : ""}${String(part)}`))
    .join("");
  return { orderId, ...(field ? { field } : {}), message: issue?.message ?? "unreadable order" };
}

/** An address as the marketplace gives it, field by field; undefined parts are left out. */
export interface AddressParts {
  name?: string | undefined;
  company?: string | undefined;
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  region?: string | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
  phone?: string | undefined;
}

/**
 * The shipping address, or none: marketplaces leave it out (pending, cancelled, a missing PII
 * role) and a half address is worse than none, so name, first line, city and country are needed.
 */
export function addressOf(parts: AddressParts | undefined): { shippingAddress?: Address } {
  if (!parts?.name || !parts.line1 || !parts.city || !parts.country) return {};
  const optional = (["company", "line2", "region", "postalCode", "phone"] as const).filter(
    (key) => parts[key],
  );
  return {
    shippingAddress: {
      name: parts.name,
      line1: parts.line1,
      city: parts.city,
      country: parts.country,
      ...Object.fromEntries(optional.map((key) => [key, parts[key]])),
    },
  };
}

/** A page of raw orders read one by one: the ones that read, and a problem for each that did not. */
export function readOrders(
  raw: readonly unknown[],
  read: (order: unknown) => OrderReading,
): Pick<OrderPage, "orders" | "problems"> {
  const page: Pick<OrderPage, "orders" | "problems"> = { orders: [], problems: [] };
  for (const order of raw) {
    const reading = read(order);
    if (reading.ok) page.orders.push(reading.order);
    else page.problems.push(reading.problem);
  }
  return page;
}

/** One order read for `getOrder`: a problem is a `rejected` error naming the field. */
export function orderOrThrow(reading: OrderReading, what: string): Order {
  if (reading.ok) return reading.order;
  throw new OmnifeedError("rejected", `${what}: ${reading.problem.message}`, {
    where: reading.problem.field,
  });
}
