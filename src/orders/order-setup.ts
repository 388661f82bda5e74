import { dirname, join, resolve } from "node:path";
import type { ConfigFile } from "../config/config-file.js";
import { envValue, redisUrlFromEnv } from "../config/env.js";
import { OmnifeedError } from "../core/errors.js";
import type { OrderKey } from "../core/order.js";
import type { Marketplace } from "../marketplaces/marketplace.js";
import { MARKETPLACE_IDS, marketplaceFor, type MarketplaceKey } from "../marketplaces/registry.js";
import { storeFor, type StoreId } from "../stores/registry.js";
import { openOrderLedger, type OpenLedgerOptions } from "./ledger-open.js";
import { EMBEDDED_LEDGER_FILE } from "./ledger-sqlite.js";
import type { OrderLedger } from "./ledger.js";
import type { OrderContext } from "./order-context.js";
import { EMPTY_SKU_MAP, loadSkuMap } from "./sku-map.js";
import type { MarketplaceOf } from "./tracking.js";

/**
 * The order pipeline of one config: its ledger (embedded file, or Redis when `state.backend` is
 * redis), its store, its SKU map and its marketplaces. One place, so the CLI and the job
 * processors wire it alike.
 */
export interface OrderSetup {
  ledger: OrderLedger;
  context: OrderContext;
  /** The adapter of each marketplace id (built once; a config error when it is not available). */
  marketplace(id: MarketplaceKey): Marketplace;
  /** For the tracking push: the adapter of an order's marketplace account, or undefined. */
  marketplaceOf: MarketplaceOf;
  close(): Promise<void>;
}

/** Where the ledger lives for this config. `redisPrefix` is the installation's (with its workspace). */
export function ledgerOptionsOf(
  config: ConfigFile,
  redisPrefix: string,
  backend: "embedded" | "redis" = config.state?.backend ?? "embedded",
): OpenLedgerOptions {
  if (backend === "redis") {
    const url = redisUrlFromEnv();
    if (!url)
      throw new OmnifeedError("config", "state redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)", {
        where: "state.backend",
      });
    return { backend: "redis", url, prefix: redisPrefix };
  }
  const file =
    config.orders?.ledger_file ??
    (config.state?.file
      ? join(dirname(config.state.file), EMBEDDED_LEDGER_FILE)
      : join(config.output?.dir ?? resolve("."), EMBEDDED_LEDGER_FILE));
  return { backend: "embedded", file };
}

export function isMarketplaceId(id: string): id is MarketplaceKey {
  return (MARKETPLACE_IDS as readonly string[]).includes(id);
}

export async function openOrderSetup(
  config: ConfigFile,
  options: {
    redisPrefix: string;
    /** Workers share the Redis ledger whatever `state.backend` says. */
    backend?: "embedded" | "redis" | undefined;
    clock?: () => Date;
    signal?: AbortSignal | undefined;
  },
): Promise<OrderSetup> {
  const storeId: StoreId = config.orders?.store ?? "file";
  const skuMap = config.orders?.sku_map ? await loadSkuMap(config.orders.sku_map) : EMPTY_SKU_MAP;
  const store = storeFor(config, storeId);
  const ledger = await openOrderLedger(ledgerOptionsOf(config, options.redisPrefix, options.backend));
  const built = new Map<MarketplaceKey, Marketplace>();
  const marketplace = (id: MarketplaceKey): Marketplace => {
    let found = built.get(id);
    if (!found) {
      found = marketplaceFor(config, id, { secret: (name) => envValue(name) });
      built.set(id, found);
    }
    return found;
  };
  const marketplaceOf: MarketplaceOf = (key: OrderKey) => {
    if (!isMarketplaceId(key.marketplace)) return undefined;
    try {
      const adapter = marketplace(key.marketplace);
      return adapter.account === key.account ? adapter : undefined;
    } catch {
      // Not configured in this config: the order's shipments are listed as skipped.
      return undefined;
    }
  };
  return {
    ledger,
    context: { ledger, store, skuMap, clock: options.clock ?? (() => new Date()), signal: options.signal },
    marketplace,
    marketplaceOf,
    close: () => ledger.close(),
  };
}

/** The marketplaces orders can come from (the registry's ids), for the CLI's flags. */
export { MARKETPLACE_IDS };
