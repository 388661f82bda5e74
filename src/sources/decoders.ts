import { OmnifeedError } from "../core/errors.js";
import { SOURCES } from "./file-sources.js";
import { ShopifyConnectionSchema } from "./shopify/options.js";
import { decodeShopifyBatch } from "./shopify/transform.js";
import type { DecodedBatch, RecordBatch, SourceFormat, StoreFormat } from "./source.js";
import { STORE_FORMATS } from "./source.js";
import { decodeWooBatch } from "./woocommerce/decode.js";
import { WooCommerceSourceOptionsSchema } from "./woocommerce/options.js";

/**
 * What a build thread needs of a source: its options schema and its pure decode. Kept apart from
 * the registry so a build thread never loads a store's HTTP client (axios and the rest): each
 * thread holds its own copy of every module it imports, about 20 MB a process for the clients
 * (measured with `process.memoryUsage()` after importing dist/pipeline/build.js).
 */
export interface SourceDecoder {
  optionsSchema: { parse(options: unknown): unknown };
  decode(batch: RecordBatch, options: unknown): DecodedBatch;
}

const STORE_DECODERS: Readonly<Record<StoreFormat, SourceDecoder>> = {
  shopify: {
    optionsSchema: ShopifyConnectionSchema,
    decode: (batch, options) => decodeShopifyBatch(batch, options as never),
  },
  woocommerce: {
    optionsSchema: WooCommerceSourceOptionsSchema,
    decode: (batch, options) => decodeWooBatch(batch, options as never),
  },
};

export function isStoreFormat(text: string): text is StoreFormat {
  return (STORE_FORMATS as readonly string[]).includes(text);
}

export function decoderFor(format: SourceFormat): SourceDecoder {
  if (isStoreFormat(format)) return STORE_DECODERS[format];
  const source = SOURCES.find((candidate) => candidate.format === format);
  if (!source) throw new OmnifeedError("config", `unknown catalog format "${format}"`);
  return source;
}
