import type { ConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import { createAmazonMarketplace } from "./amazon/index.js";
import type { MarketplaceDeps } from "./deps.js";
import { createEbayMarketplace } from "./ebay/index.js";
import type { Marketplace } from "./marketplace.js";

/**
 * Every marketplace omnifeed pulls orders from, by hand (STYLE.md rule 1: nothing loaded by
 * name). Google and Meta sell through feeds but have no order API (Meta removed its on 27 Oct
 * 2026), so they are channels only.
 */
export const MARKETPLACE_IDS = ["amazon", "ebay"] as const;
export type MarketplaceKey = (typeof MARKETPLACE_IDS)[number];

export function isMarketplaceKey(id: string): id is MarketplaceKey {
  return (MARKETPLACE_IDS as readonly string[]).includes(id);
}

/** The ids of the marketplaces the config sets up (`marketplaces.<id>`). */
export function configuredMarketplaces(config: ConfigFile): MarketplaceKey[] {
  return MARKETPLACE_IDS.filter((id) => config.marketplaces?.[id] !== undefined);
}

/** The marketplace `id`, built from `marketplaces.<id>` of the config (paths already absolute). */
export function marketplaceFor(config: ConfigFile, id: MarketplaceKey, deps: MarketplaceDeps): Marketplace {
  switch (id) {
    case "amazon": {
      const block = config.marketplaces?.amazon;
      if (!block) throw missing(id);
      return createAmazonMarketplace(block, deps);
    }
    case "ebay": {
      const block = config.marketplaces?.ebay;
      if (!block) throw missing(id);
      return createEbayMarketplace(block, deps);
    }
  }
}

function missing(id: MarketplaceKey): OmnifeedError {
  return new OmnifeedError(
    "config",
    `no marketplaces.${id} block in omnifeed.config.yaml (docs/marketplaces.md)`,
    {
      where: `marketplaces.${id}`,
    },
  );
}
