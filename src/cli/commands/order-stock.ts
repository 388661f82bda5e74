import type { ConfigFile } from "../../config/config-file.js";
import { isOmnifeedError } from "../../core/errors.js";
import { salePayloadOf, stockChannelsOf } from "../../jobs/order-stock.js";
import type { ImportResult } from "../../orders/import.js";
import type { OrderLedger } from "../../orders/ledger.js";
import { PublishFlagsSchema, resolvePublishRun } from "../run-options.js";
import { formatStockPush } from "./stock.js";

/** What the CLI did with the sales of the orders a run imported. */
export interface CliSales {
  /** One text per order: the stock push's lines, or why stock was not pushed. */
  lines: string[];
  /** A push failed or some channel update failed: the next publish sends it. */
  failed: boolean;
}

/**
 * The CLI's stock step after an import (no Redis, no worker): the sale of each order imported is
 * pushed at once with `propagateSale`, on the config's publishing state (docs/stock.md), to every
 * enabled channel but the order's own; without such a channel, or without a config, it says why
 * nothing was pushed. A failed push does not undo the import: its holds are recorded and the next
 * publish sends the stock.
 */
export async function pushSales(
  imports: readonly ImportResult[],
  ledger: OrderLedger,
  config: ConfigFile,
  configFile: string | undefined,
): Promise<CliSales> {
  const done: CliSales = { lines: [], failed: false };
  for (const result of imports) {
    const sale = await salePayloadOf(result, ledger);
    if (!sale) continue;
    const target = stockChannelsOf(config, sale.fromChannel);
    if (configFile === undefined || "none" in target) {
      const why =
        configFile === undefined ? "no --config names the channels" : (target as { none: string }).none;
      done.lines.push(`stock not pushed for ${sale.orderKey}: ${why}`);
      continue;
    }
    try {
      const options = await resolvePublishRun(PublishFlagsSchema.parse({ config: configFile }));
      const { prepareRun } = await import("../../pipeline/plan.js");
      const { propagateSale } = await import("../../pipeline/stock-publish.js");
      const { openPublishEnvironment } = await import("../../pipeline/publish-environment.js");
      const run = await prepareRun(options.catalog, options.channels);
      const environment = await openPublishEnvironment(options.state);
      try {
        const pushed = await propagateSale(run, sale, {
          store: environment.store,
          stockHolds: environment.stockHolds,
          workspace: options.state.workspace,
          limiterFor: environment.limiterFor,
        });
        if (pushed.channels.some((entry) => entry.execution.outcomes.update.failed > 0)) done.failed = true;
        done.lines.push(`${sale.orderKey}: ${formatStockPush(pushed)}`);
      } finally {
        await environment.close();
      }
    } catch (error) {
      if (!isOmnifeedError(error)) throw error;
      done.failed = true;
      done.lines.push(
        `stock not pushed for ${sale.orderKey}: ${error.kind}: ${error.message} (the next publish sends it)`,
      );
    }
  }
  return done;
}
