import type { ConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import type { Marketplace } from "./marketplace.js";

/**
 * Every marketplace omnifeed takes orders from, by hand (STYLE.md rule 1). This build carries no
 * marketplace adapter yet: the Amazon and eBay adapters replace this file when they are merged.
 */
export const MARKETPLACE_IDS = ["amazon", "ebay"] as const;
export type MarketplaceRegistryId = (typeof MARKETPLACE_IDS)[number];

/** Reads a secret by the environment variable (or file) the config names. */
export interface MarketplaceDeps {
  secret: (name: string) => string | undefined;
}

/** The marketplace `id` built from the config. */
export function marketplaceFor(
  _config: ConfigFile,
  id: MarketplaceRegistryId,
  _deps: MarketplaceDeps,
): Marketplace {
  throw new OmnifeedError("config", `the ${id} marketplace is not available in this build`, {
    where: `marketplaces.${id}`,
  });
}
