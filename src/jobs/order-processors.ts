import { loadConfigFile } from "../config/config-file.js";
import { redisPrefixFromEnv } from "../config/env.js";
import { OmnifeedError } from "../core/errors.js";
import { orderKeyText } from "../core/order.js";
import { collectShipments } from "../orders/fulfillment.js";
import { isMarketplaceId, MARKETPLACE_IDS, openOrderSetup, type OrderSetup } from "../orders/order-setup.js";
import { pullOrders, syncOrder } from "../orders/pull.js";
import { pushTracking } from "../orders/tracking.js";
import { installationPrefixOf } from "./lanes.js";
import type { PayloadOf } from "./payloads.js";
import type { ProcessorContext } from "./processors.js";
import type { JobReport } from "./run-record.js";

/**
 * The order job processors (fast lane), thin: open the config's order pipeline on the shared
 * Redis ledger, call one use case of src/orders, report. A transient failure is thrown, so the
 * job boundary retries it; the ledger makes the retry harmless.
 */

async function withOrders<T>(context: ProcessorContext, task: (setup: OrderSetup) => Promise<T>): Promise<T> {
  const config = await loadConfigFile(context.configFile);
  const setup = await openOrderSetup(config, {
    redisPrefix: installationPrefixOf(redisPrefixFromEnv(), config.state?.workspace),
    backend: "redis",
    signal: context.signal,
  });
  try {
    return await task(setup);
  } finally {
    await setup.close();
  }
}

/** `orders-pull`: `omnifeed orders pull` in a worker. */
export function pullOrdersJob(
  payload: PayloadOf<"orders-pull">,
  context: ProcessorContext,
): Promise<JobReport> {
  return withOrders(context, async (setup) => {
    const ids = payload.marketplace ? [payload.marketplace] : MARKETPLACE_IDS;
    const parts: string[] = [];
    let errors = 0;
    for (const id of ids) {
      let marketplace;
      try {
        marketplace = setup.marketplace(id);
      } catch (error) {
        // Without a named marketplace, the ones this installation does not configure are skipped.
        if (payload.marketplace) throw error;
        continue;
      }
      const result = await pullOrders(marketplace, setup.context);
      const imported = result.imports.filter((entry) => entry.outcome === "imported").length;
      const held = result.imports.filter(
        (entry) => entry.outcome === "unmatched" || entry.outcome === "failed",
      ).length;
      errors += result.errors.length;
      parts.push(
        `${id}: ${result.orders} orders, ${imported} imported, ${held} held, ${result.cancels.length} cancelled, ${result.errors.length} to retry`,
      );
    }
    if (parts.length === 0) throw new OmnifeedError("config", "no marketplace is configured for orders");
    return { outcome: errors > 0 ? "incomplete" : "succeeded", summary: parts.join(" · "), channels: [] };
  });
}

/** `order-sync`: one order after a notification. */
export function syncOrderJob(
  payload: PayloadOf<"order-sync">,
  context: ProcessorContext,
): Promise<JobReport> {
  return withOrders(context, async (setup) => {
    if (!isMarketplaceId(payload.marketplace)) {
      throw new OmnifeedError("config", `unknown marketplace ${payload.marketplace}`);
    }
    const marketplace = setup.marketplace(payload.marketplace);
    if (marketplace.account !== payload.account) {
      throw new OmnifeedError(
        "config",
        `the ${payload.marketplace} account configured is not ${payload.account}`,
      );
    }
    const result = await syncOrder(marketplace, payload.orderId, setup.context);
    const done = result.import?.outcome ?? result.cancel?.outcome ?? "unchanged";
    return { outcome: "succeeded", summary: `${orderKeyText(payload)}: ${done}`, channels: [] };
  });
}

/** `tracking-push`: `omnifeed tracking push` in a worker. */
export function pushTrackingJob(
  _payload: PayloadOf<"tracking-push">,
  context: ProcessorContext,
): Promise<JobReport> {
  return withOrders(context, async (setup) => {
    const collected = await collectShipments(setup.context);
    const result = await pushTracking({
      ledger: setup.ledger,
      marketplaceOf: setup.marketplaceOf,
      clock: setup.context.clock,
      signal: context.signal,
    });
    const summary = `${collected.shipments.length} store shipments read · ${result.pushed.length} pushed, ${result.confirmed.length} confirmed, ${result.rejected.length} rejected, ${result.deferred.length} deferred, ${result.overdue.length} overdue`;
    const incomplete = result.rejected.length + result.deferred.length + result.overdue.length > 0;
    return { outcome: incomplete ? "incomplete" : "succeeded", summary, channels: [] };
  });
}
