import { resolve } from "node:path";
import type { ConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import { FILE_FORMATS, type FileFormat } from "../sources/source.js";
import { createFileStore, type FileStore } from "./file/index.js";
import type { FileStoreCatalog } from "./file/config.js";
import type { Store } from "./store.js";

/** Every store omnifeed can import orders into, by hand (STYLE.md rule 1: nothing loaded by name). */
export const STORE_IDS = ["file", "shopify", "woocommerce"] as const;
export type StoreId = (typeof STORE_IDS)[number];

/** The file store's folder when the config names none: `./store` of the working folder. */
export const DEFAULT_FILE_STORE_DIR = "store";

/** The store `id`, built from the config (paths in it already absolute, as `loadConfigFile` gives them). */
export function storeFor(config: ConfigFile, id: StoreId = "file"): Store {
  switch (id) {
    case "file":
      return fileStoreFor(config);
    // The Shopify and WooCommerce stores (src/stores/shopify, src/stores/woocommerce) are built
    // here from `stores.shopify` / `stores.woocommerce` once their modules are merged.
    case "shopify":
    case "woocommerce":
      throw new OmnifeedError("config", `the ${id} store is not available in this build`, {
        where: `stores.${id}`,
      });
  }
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
