import { stringify } from "yaml";
import { startAmazonSimulator } from "./amazon.js";
import { createAmazonOrdersApi, type AmazonOrdersApi } from "./amazon-orders.js";
import { startEbaySimulator } from "./ebay.js";
import { startGoogleSimulator } from "./google.js";
import { startMetaSimulator } from "./meta.js";
import { startShopifySimulator } from "./shopify.js";
import type { RunningSimulator } from "./simulator.js";
import { generateStoreCatalog } from "./store-catalog.js";
import { startWooCommerceSimulator } from "./woocommerce.js";

/** The ports `omnifeed dev simulators` listens on unless told otherwise. */
export const SIMULATOR_PORTS = {
  google: 8641,
  meta: 8642,
  amazon: 8643,
  shopify: 8644,
  woocommerce: 8645,
  ebay: 8646,
} as const;

export interface SimulatorsOptions {
  host: string;
  /**
   * Port of the Google simulator; Meta, Amazon (listings, feeds and orders), Shopify, WooCommerce
   * and eBay take the next five.
   */
  basePort?: number | undefined;
  /** Calls per second each simulator allows before answering 429 (none when absent). */
  rateLimit?: { perSecond: number; burst: number } | undefined;
  /** How long the simulators take to process a batch, a feed or a product (ms). */
  processingDelayMs?: number | undefined;
  /** Each simulator on a free port of its own (port 0) instead of `basePort` and the next five. */
  freePorts?: boolean | undefined;
  /** Only these simulators (the channels google, meta, amazon with its orders; shopify, woocommerce, ebay); all when absent. */
  only?: readonly SimulatorName[] | undefined;
  /**
   * How far in the past the Amazon orders simulator wants a `lastUpdatedBefore` (Amazon: 2
   * minutes); the demo loop sets 0 to pull an order the moment it is placed.
   */
  amazonOrdersSettleMs?: number | undefined;
}

export type SimulatorName = keyof typeof SIMULATOR_PORTS;

/**
 * Starts the channel simulators (Google, Meta, Amazon), the store simulators (Shopify,
 * WooCommerce, both seeded with the same small generated catalog) and the marketplace order
 * simulators (Amazon orders with Amazon's own per-operation limits, eBay); `close` stops them.
 */
export async function startSimulators(options: SimulatorsOptions): Promise<RunningSimulator[]> {
  const port = (offset: number, fallback: number) =>
    options.freePorts ? 0 : options.basePort === undefined ? fallback : options.basePort + offset;
  const wanted = (name: SimulatorName) => options.only === undefined || options.only.includes(name);
  const common = {
    host: options.host,
    rateLimit: options.rateLimit,
    ...(options.processingDelayMs === undefined ? {} : { processingDelayMs: options.processingDelayMs }),
  };
  const started: RunningSimulator[] = [];
  try {
    if (wanted("google"))
      started.push(await startGoogleSimulator({ ...common, port: port(0, SIMULATOR_PORTS.google) }));
    if (wanted("meta"))
      started.push(await startMetaSimulator({ ...common, port: port(1, SIMULATOR_PORTS.meta) }));
    if (wanted("amazon")) {
      // The order operations share the listings simulator's address and LWA tokens, as on Amazon.
      const orders = createAmazonOrdersApi(
        options.amazonOrdersSettleMs === undefined ? {} : { settleMs: options.amazonOrdersSettleMs },
      );
      const amazon = await startAmazonSimulator({
        ...common,
        port: port(2, SIMULATOR_PORTS.amazon),
        mounts: [orders.mount],
      });
      started.push(amazon, amazonOrdersEntry(orders, amazon));
    }
    // Generated only for the store simulators that need it.
    const catalog =
      wanted("shopify") || wanted("woocommerce") ? generateStoreCatalog({ variants: 200, seed: 42 }) : [];
    if (wanted("shopify"))
      started.push(
        await startShopifySimulator({
          host: options.host,
          port: port(3, SIMULATOR_PORTS.shopify),
          catalog,
          ...(options.processingDelayMs === undefined
            ? {}
            : { processingDelayMs: options.processingDelayMs }),
        }),
      );
    if (wanted("woocommerce"))
      started.push(
        await startWooCommerceSimulator({
          host: options.host,
          port: port(4, SIMULATOR_PORTS.woocommerce),
          catalog,
        }),
      );
    if (wanted("ebay"))
      started.push(
        await startEbaySimulator({
          host: options.host,
          port: port(5, SIMULATOR_PORTS.ebay),
          rateLimit: options.rateLimit,
        }),
      );
  } catch (error) {
    await Promise.all(started.map((simulator) => simulator.close()));
    throw error;
  }
  return started;
}

/** The Amazon orders API mounted on the listings simulator, listed as a marketplace of its own. */
export type MountedAmazonOrders = RunningSimulator & AmazonOrdersApi;

function amazonOrdersEntry(orders: AmazonOrdersApi, amazon: RunningSimulator): MountedAmazonOrders {
  return {
    ...orders,
    channel: "amazon-orders",
    kind: "marketplace",
    url: amazon.url,
    // The `marketplaces.amazon` block: the listings simulator's address, seller and LWA secrets.
    accountSettings: {
      seller_id: amazon.accountSettings.seller_id,
      marketplace_ids: [amazon.accountSettings.marketplace_id],
      api_url: amazon.accountSettings.api_url,
      lwa_url: amazon.accountSettings.lwa_url,
      client_id_env: amazon.accountSettings.client_id_env,
      client_secret_env: amazon.accountSettings.client_secret_env,
      refresh_token_env: amazon.accountSettings.refresh_token_env,
    },
    env: amazon.env,
    close: () => orders.close(),
  };
}

/** The `marketplaces:` key of a marketplace simulator (`amazon-orders` stands for `amazon`). */
export function marketplaceKeyOf(simulator: RunningSimulator): string {
  return simulator.channel === "amazon-orders" ? "amazon" : simulator.channel;
}

/** The storefront address product links of the simulators' catalog are built on (both stores alike). */
export const SIMULATOR_STOREFRONT_URL = "https://demo-store.omnifeed.dev";

/**
 * The `stores.<name>` block of omnifeed.config.yaml that reaches a running store simulator: the
 * connection settings of the store source (`ShopifyConnectionSchema`, `WooCommerceConnectionSchema`),
 * secrets named by the environment variables `env` sets.
 */
export function storeBlockOf(simulator: RunningSimulator): Record<string, unknown> {
  const settings = simulator.accountSettings;
  const common = { currency: "USD", store_url: SIMULATOR_STOREFRONT_URL };
  if (simulator.channel === "shopify") {
    return {
      shop_url: settings.api_url,
      api_version: settings.api_version,
      access_token_env: settings.access_token_env,
      client_secret_env: settings.client_secret_env,
      ...common,
    };
  }
  return {
    url: settings.store_url,
    consumer_key_env: settings.consumer_key_env,
    consumer_secret_env: settings.consumer_secret_env,
    ...common,
  };
}

/**
 * What a newcomer pastes to publish the demo to the running simulators: the `channels:` block of
 * omnifeed.config.yaml and the environment variables holding the simulators' test credentials.
 */
export function simulatorInstructions(simulators: readonly RunningSimulator[]): string {
  const channels: Record<string, unknown> = {};
  const stores: Record<string, unknown> = {};
  const marketplaces: Record<string, unknown> = {};
  const env: string[] = [];
  for (const simulator of simulators) {
    if (simulator.kind === "store") stores[simulator.channel] = storeBlockOf(simulator);
    else if (simulator.kind === "marketplace")
      marketplaces[marketplaceKeyOf(simulator)] = simulator.accountSettings;
    else channels[simulator.channel] = { account: simulator.accountSettings };
    for (const [name, value] of Object.entries(simulator.env)) {
      // The Amazon listings and orders simulators accept the same LWA credentials.
      const line = `export ${name}='${value}'`;
      if (!env.includes(line)) env.push(line);
    }
  }
  const storeLines =
    Object.keys(stores).length === 0
      ? []
      : [
          "",
          "# the store simulators, under stores: in omnifeed.config.yaml; read the catalog from one with",
          "#   --catalog shopify or --catalog woocommerce (or catalog.store: shopify):",
          stringify({ stores }).trimEnd(),
        ];
  const marketplaceLines =
    Object.keys(marketplaces).length === 0
      ? []
      : [
          "",
          "# the marketplace order simulators, under marketplaces: in omnifeed.config.yaml (docs/marketplaces.md):",
          stringify({ marketplaces }).trimEnd(),
        ];
  return [
    ...simulators.map((simulator) => `${simulator.channel.padEnd(13)} simulator at ${simulator.url}`),
    "",
    "# 1. the credentials (test values the simulators accept), in the shell that runs omnifeed:",
    ...env,
    "",
    "# 2. the account settings, under channels: in omnifeed.config.yaml (merge with the mapping lines):",
    stringify({ channels }).trimEnd(),
    ...storeLines,
    ...marketplaceLines,
    "",
    "# 3. publish, and look:",
    "#   omnifeed publish --config omnifeed.config.yaml --channel google,meta,amazon",
    "#   omnifeed reconcile --config omnifeed.config.yaml --channel google,meta,amazon",
    "",
    "Ctrl-C stops the simulators (they keep what they hold in memory only).",
  ].join("\n");
}

/**
 * The account settings of a simulator with every secret moved from its environment variable into
 * a file under `dir` (`<key>_env` becomes `<key>_file`), so a config file alone reaches it.
 */
export function accountWithSecretFiles(
  simulator: RunningSimulator,
  writeSecret: (name: string, value: string) => string,
): Record<string, unknown> {
  const account: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(simulator.accountSettings)) {
    const secret = typeof value === "string" && key.endsWith("_env") ? simulator.env[value] : undefined;
    if (secret === undefined) account[key] = value;
    else
      account[`${key.slice(0, -"_env".length)}_file`] = writeSecret(
        `${simulator.channel}-${key.slice(0, -4)}`,
        secret,
      );
  }
  return account;
}
