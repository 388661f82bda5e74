import { OmnifeedError } from "../core/errors.js";
import { orderKeyText } from "../core/order.js";
import { isMarketplaceKey } from "../marketplaces/registry.js";
import { recordShipment } from "../orders/fulfillment.js";
import { recordStoreCancellation } from "../orders/store-cancel.js";
import { pushTracking } from "../orders/tracking.js";
import { withOrders } from "./order-processors.js";
import type { JobQueues } from "./queues.js";
import type { WebhookEventHandler } from "./webhook-events.js";

/**
 * The worker's webhook handler (adr/0029): each verified delivery the server stored as a
 * `webhook-event` job goes to the order pipeline's use case for it.
 *
 * - a marketplace's `orders_changed` (Amazon ORDER_CHANGE) → one `order-sync` job per order
 *   (deduplicated per order while it waits: getOrder → ledger → match → import exactly once);
 * - a store's `shipment` (a fulfillment) → recorded against its order, and that order's tracking
 *   pushed to its marketplace at once (a failure waits in the ledger for the `tracking-push` job);
 * - a store's `order_cancelled` → the ledger records the merchant's cancellation;
 * - `order_updated`, `ping`, `ignored` → nothing to do.
 *
 * Every branch is safe to run twice: the job of a worker killed mid-way runs again elsewhere.
 */
export function orderEventHandler(deps: {
  configFile: string;
  queues: Pick<JobQueues, "enqueue">;
}): WebhookEventHandler {
  return async ({ source, event }, { signal }) => {
    const context = { configFile: deps.configFile, signal };
    switch (event.type) {
      case "orders_changed": {
        if (!isMarketplaceKey(source)) {
          throw new OmnifeedError(
            "config",
            `an orders_changed event from ${source}, which is not a marketplace`,
            {
              where: `/webhooks/${source}`,
            },
          );
        }
        for (const orderId of event.orderIds) {
          await deps.queues.enqueue("order-sync", {
            name: "order-sync",
            marketplace: source,
            account: event.account,
            orderId,
          });
        }
        return `${source}/${event.account}: ${event.orderIds.length} order${event.orderIds.length === 1 ? "" : "s"} to sync`;
      }
      case "shipment":
        return withOrders(context, async (setup) => {
          const recorded = await recordShipment(event.shipment, setup.context);
          const what = `${source} shipment ${recorded.shipmentId}: ${recorded.outcome}${recorded.reason ? ` (${recorded.reason})` : ""}`;
          if (recorded.outcome !== "waiting" || recorded.key === undefined) return what;
          const pushed = await pushTracking({
            ledger: setup.ledger,
            marketplaceOf: setup.marketplaceOf,
            clock: setup.context.clock,
            signal,
            only: recorded.key,
          });
          const outcome =
            pushed.pushed.length > 0
              ? `pushed to ${recorded.key.marketplace}`
              : pushed.deferred.length > 0
                ? `deferred (${pushed.deferred[0]!.reason})`
                : pushed.rejected.length > 0
                  ? `rejected (${pushed.rejected[0]!.reason})`
                  : pushed.skipped.length > 0
                    ? `not pushed: no marketplaces.${recorded.key.marketplace} for account ${recorded.key.account}`
                    : "waiting for a tracking number";
          return `${what} → ${orderKeyText(recorded.key)} ${outcome}`;
        });
      case "order_cancelled":
        return withOrders(context, async (setup) => {
          const done = await recordStoreCancellation(event, setup.context);
          return `${source} order ${done.storeOrderId} cancelled in the store: ${done.key ? `${orderKeyText(done.key)} ` : ""}${done.outcome}`;
        });
      case "order_updated":
        return `${source} order ${event.storeOrderId} updated: nothing to do`;
      case "ping":
        return `${source} ping`;
      case "ignored":
        return `${source}: ignored (${event.reason})`;
    }
  };
}
