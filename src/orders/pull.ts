import { isOmnifeedError, OmnifeedError } from "../core/errors.js";
import { orderKeyText, type Order, type OrderKey } from "../core/order.js";
import type { Marketplace, OrderProblem } from "../marketplaces/marketplace.js";
import { cancelOrder, type CancelResult } from "./cancel.js";
import { importOrder, type ImportResult } from "./import.js";
import { newRecord, type OrderState } from "./ledger.js";
import type { OrderContext } from "./order-context.js";

/** What receiving an order into the ledger leaves to do. */
export interface Received {
  key: OrderKey;
  isNew: boolean;
  /** `import`: not in the store yet; `cancel`: the marketplace cancelled an order the ledger holds. */
  next: "import" | "cancel" | "none";
}

/** The checkpoint name of one marketplace account's pull. */
export function pullCheckpointName(marketplace: Pick<Marketplace, "id" | "account">): string {
  return `pull:${marketplace.id}/${marketplace.account}`;
}

/**
 * Records an order as the marketplace gives it (a page of a pull, a notification's getOrder).
 * New: `received` (or `cancelled` when it arrives cancelled). Known: its marketplace data is
 * refreshed (status, ship-by date) and a cancellation is flagged for the cancel step.
 */
export async function receiveOrder(order: Order, context: OrderContext): Promise<Received> {
  const key: OrderKey = { marketplace: order.marketplace, account: order.account, orderId: order.orderId };
  const { ledger } = context;
  return ledger.withOrderLock(
    key,
    async () => {
      const record = await ledger.get(key);
      const now = context.clock();
      if (!record) {
        const fresh = newRecord(order, now);
        if (order.status === "cancelled") {
          await ledger.put({
            ...fresh,
            state: "cancelled",
            reason: "cancelled on the marketplace before import",
            cancellation: {
              at: now.toISOString(),
              storeCancelled: false,
              note: "the store never had the order",
            },
          });
          return { key, isNew: true, next: "none" };
        }
        await ledger.put(fresh);
        return { key, isNew: true, next: "import" };
      }
      // An older copy (an overlapping window, a late notification) never replaces a newer one.
      const newer =
        !record.order.updatedAt ||
        !order.updatedAt ||
        Date.parse(order.updatedAt) >= Date.parse(record.order.updatedAt);
      if (newer) await ledger.put({ ...record, order, updatedAt: now.toISOString() });
      if (record.state === "cancelled") return { key, isNew: false, next: "none" };
      if (order.status === "cancelled" && newer) return { key, isNew: false, next: "cancel" };
      return { key, isNew: false, next: record.state === "imported" ? "none" : "import" };
    },
    context.lock,
  );
}

export interface PullResult {
  marketplace: string;
  account: string;
  pages: number;
  orders: number;
  newOrders: number;
  problems: OrderProblem[];
  imports: ImportResult[];
  cancels: CancelResult[];
  /** Orders whose import failed transiently this run (tried again next run), with why. */
  errors: { key: OrderKey; message: string }[];
}

/** States a pull run tries again by itself: a SKU may have been mapped since, a crash healed. */
const RETRIED_STATES: readonly OrderState[] = ["received", "unmatched", "importing"];

/**
 * Pulls one marketplace account: each page's orders go into the ledger, and only then is the
 * page's checkpoint stored, so a run stopped midway repeats at most a page (repeats are
 * harmless). Then every order still to import (new ones and those held or interrupted before) is
 * imported, and cancellations are carried to the store.
 */
export async function pullOrders(marketplace: Marketplace, context: OrderContext): Promise<PullResult> {
  const { ledger } = context;
  const name = pullCheckpointName(marketplace);
  const result: PullResult = {
    marketplace: marketplace.id,
    account: marketplace.account,
    pages: 0,
    orders: 0,
    newOrders: 0,
    problems: [],
    imports: [],
    cancels: [],
    errors: [],
  };
  const toCancel: OrderKey[] = [];
  const since = await ledger.checkpoint(name);
  for await (const page of marketplace.pullOrders(since, { clock: context.clock, signal: context.signal })) {
    for (const order of page.orders) {
      const received = await receiveOrder(order, context);
      result.orders += 1;
      if (received.isNew) result.newOrders += 1;
      if (received.next === "cancel") toCancel.push(received.key);
    }
    result.problems.push(...page.problems);
    await ledger.setCheckpoint(name, page.checkpoint);
    result.pages += 1;
  }
  for (const key of toCancel) result.cancels.push(await cancelOrder(key, context));
  await importPending(
    context,
    result,
    (key) => key.marketplace === marketplace.id && key.account === marketplace.account,
  );
  return result;
}

/** Imports every order of the ledger in a state a run retries by itself (optionally only some). */
export async function importPending(
  context: OrderContext,
  result: Pick<PullResult, "imports" | "errors">,
  wanted: (key: OrderKey) => boolean = () => true,
): Promise<void> {
  const keys: OrderKey[] = [];
  for await (const page of context.ledger.list({ states: RETRIED_STATES }))
    for (const record of page) if (wanted(record.key)) keys.push(record.key);
  for (const key of keys) {
    try {
      result.imports.push(await importOrder(key, context));
    } catch (error) {
      if (!isOmnifeedError(error) || error.kind === "config" || error.kind === "auth") throw error;
      result.errors.push({ key, message: `${orderKeyText(key)}: ${error.message}` });
    }
  }
}

/**
 * One order after a notification (`order-sync`): fetched from the marketplace, received, then
 * imported or cancelled. An order the marketplace no longer knows is `not_found`.
 */
export async function syncOrder(
  marketplace: Marketplace,
  orderId: Order["orderId"],
  context: OrderContext,
): Promise<{ received: Received; import?: ImportResult | undefined; cancel?: CancelResult | undefined }> {
  const order = await marketplace.getOrder(orderId, { clock: context.clock, signal: context.signal });
  if (!order) {
    throw new OmnifeedError("not_found", "the marketplace holds no such order", {
      where: `${marketplace.id}/${marketplace.account}/${orderId}`,
    });
  }
  const received = await receiveOrder(order, context);
  if (received.next === "cancel") return { received, cancel: await cancelOrder(received.key, context) };
  if (received.next === "import") return { received, import: await importOrder(received.key, context) };
  return { received };
}
