import type { IncomingMessage } from "node:http";

/**
 * A local twin of one outside API, started by tests, the benchmark and `omnifeed dev simulators`.
 * Each simulator follows the official wire format (paths, auth, field names, error bodies, 429s,
 * asynchronous processing) and exposes what it holds so a test can assert on it.
 */
/** One request a simulator answered, for a test's assertions ("exactly one price-only call"). */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (a form body as an object), or `undefined`. */
  body: unknown;
  status: number;
  /** When it was answered (ms since epoch). */
  at: number;
}

/**
 * Routes one simulator lends another so they share one address and one set of tokens (the Amazon
 * order operations on the listings simulator): the host answers auth and injected failures first.
 */
export interface SimulatorMount {
  handles(method: string, path: string): boolean;
  handle(
    request: IncomingMessage,
    url: URL,
    body: unknown,
  ): { status: number; body: unknown; headers: Record<string, string> };
}

export interface RunningSimulator {
  /**
   * `google`, `meta`, `amazon`, `shopify`, `woocommerce`, `amazon-orders`, `ebay`: the channel,
   * store or marketplace whose API it stands for.
   */
  channel: string;
  /**
   * `store` for a merchant's store (Shopify, WooCommerce); `marketplace` for a marketplace's order
   * APIs (Amazon orders, eBay); a sales channel when absent.
   */
  kind?: "channel" | "store" | "marketplace";
  /** Base URL it listens on, e.g. `http://127.0.0.1:8641`. */
  url: string;
  /**
   * The `channels.<id>.account` block that points omnifeed at this simulator (endpoints, ids, and
   * where the credentials are: env names or files), ready to paste into omnifeed.config.yaml.
   */
  accountSettings: Readonly<Record<string, unknown>>;
  /** The environment variables those settings name, with the simulator's test credentials. */
  env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}
