import { OmnifeedError } from "../../core/errors.js";
import { createShopifyClient, type ShopifyClient, type ShopifyCredentials } from "./client.js";
import type { ShopifyConnection } from "./options.js";

/** The secrets a connection names, read through the caller's `secret(envName)`. */
export function shopifyCredentials(
  options: ShopifyConnection,
  secret: (name: string) => string | undefined,
): ShopifyCredentials {
  if (options.access_token_env !== undefined) {
    return { kind: "token", accessToken: required(secret, options.access_token_env, "access_token_env") };
  }
  if (options.client_id !== undefined && options.client_secret_env !== undefined) {
    return {
      kind: "client_credentials",
      clientId: options.client_id,
      clientSecret: required(secret, options.client_secret_env, "client_secret_env"),
    };
  }
  throw new OmnifeedError(
    "config",
    "stores.shopify: set access_token_env, or client_id with client_secret_env",
  );
}

function required(secret: (name: string) => string | undefined, name: string, setting: string): string {
  const value = secret(name)?.trim();
  if (value === undefined || value === "") {
    throw new OmnifeedError(
      "config",
      `environment variable ${name} is not set (named by stores.shopify.${setting})`,
    );
  }
  return value;
}

export function shopifyClientFor(
  options: ShopifyConnection,
  secret: (name: string) => string | undefined,
  warn?: (message: string) => void,
): ShopifyClient {
  return createShopifyClient({
    shopUrl: options.shop_url,
    apiVersion: options.api_version,
    credentials: shopifyCredentials(options, secret),
    timeoutMs: options.timeout_ms,
    ...(warn ? { warn } : {}),
  });
}
