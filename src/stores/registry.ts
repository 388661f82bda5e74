import { resolve } from "node:path";
import type { ConfigFile } from "../config/config-file.js";
import { envValue } from "../config/env.js";
import { OmnifeedError } from "../core/errors.js";
import { FILE_FORMATS, type FileFormat } from "../sources/source.js";
import { createFileStore, type FileStore } from "./file/index.js";
import type { FileStoreCatalog } from "./file/config.js";
import { createShopifyStore } from "./shopify/index.js";
import { createWooCommerceStore } from "./woocommerce/index.js";
import type { Store } from "./store.js";

/** Every store omnifeed can import orders into, by hand (STYLE.md rule 1: nothing loaded by name). */
export const STORE_IDS = ["file", "shopify", "woocommerce"] as const;
export type StoreId = (typeof STORE_IDS)[number];

/** The file store's folder when the config names none: `./store` of the working folder. */
export const DEFAULT_FILE_STORE_DIR = "store";

/** What a store needs from its host besides the config. */
export interface StoreDeps {
  /** Reads a secret by its environment variable name (default: `config/env.ts`). */
  secret?: (name: string) => string | undefined;
  /** Where warnings go (a retired Shopify API version); default `process.emitWarning`. */
  warn?: (message: string) => void;
}

/**
 * The store `id`, built from the config (paths in it already absolute, as `loadConfigFile` gives
 * them); the Shopify and WooCommerce stores from `stores.shopify` / `stores.woocommerce`, their
 * secrets read from the environment variables those blocks name.
 */
export function storeFor(config: ConfigFile, id: StoreId = "file", deps: StoreDeps = {}): Store {
  const secret = deps.secret ?? envValue;
  switch (id) {
    case "file":
      return fileStoreFor(config);
    case "shopify":
      return createShopifyStore(connectionOf(config, "shopify"), {
        secret,
        ...(deps.warn ? { warn: deps.warn } : {}),
      });
    case "woocommerce":
      return createWooCommerceStore(connectionOf(config, "woocommerce"), { secret });
  }
}

function connectionOf<K extends "shopify" | "woocommerce">(
  config: ConfigFile,
  id: K,
): NonNullable<NonNullable<ConfigFile["stores"]>[K]> {
  const connection = config.stores?.[id];
  if (connection === undefined) {
    throw new OmnifeedError("config", `the ${id} store has no connection: add stores.${id} to the config`, {
      where: `stores.${id}`,
    });
  }
  return connection;
}

/** The file store of the config: `stores.file.dir` (default ./store) and the config's catalog file. */
export function fileStoreFor(config: ConfigFile): FileStore {
  return createFileStore({
    dir: config.stores?.file?.dir ?? resolve(DEFAULT_FILE_STORE_DIR),
    catalog: fileCatalogOf(config),
  });
}

function fileCatalogOf(config: ConfigFile): FileStoreCatalog | undefined {
  const catalog = config.catalog;
  if (!catalog?.file) return undefined;
  const format = (FILE_FORMATS as readonly string[]).includes(catalog.format ?? "")
    ? (catalog.format as FileFormat)
    : undefined;
  return {
    file: catalog.file,
    ...(format && { format }),
    ...(catalog.encoding !== undefined && { encoding: catalog.encoding }),
    ...(catalog.options !== undefined && { options: catalog.options }),
  };
}
