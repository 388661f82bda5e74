import type { z } from "zod";
import { parseMoney, type Money } from "../core/money.js";
import type { Order } from "../core/order.js";
import type { OrderProblem } from "./marketplace.js";

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
