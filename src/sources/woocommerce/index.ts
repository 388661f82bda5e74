import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import { defineStoreSource, type SourceCheck, type SourceContext } from "../source.js";
import { createWooCommerceClient, wooLabel, type WooCommerceClient } from "./client.js";
import { decodeWooBatch } from "./decode.js";
import { WooCommerceSourceOptionsSchema, type WooCommerceSourceOptions } from "./options.js";
import { readWooRecords } from "./records.js";

export { WooCommerceConnectionSchema, type WooCommerceConnection } from "./options.js";

/** A WooCommerce store's catalog over REST v3 (connection in `stores.woocommerce`). */
export const wooCommerceSource = defineStoreSource<WooCommerceSourceOptions>({
  kind: "store",
  format: "woocommerce",
  description: "WooCommerce store over the REST API v3 (products and variations)",
  optionsSchema: WooCommerceSourceOptionsSchema,
  check: (options, context) =>
    checkWooCommerce(createWooCommerceClient(options, { secret: (name) => context.secret(name) }), context),
  records: readWooRecords,
  decode: decodeWooBatch,
  label: wooLabel,
});

/**
 * One cheap authenticated call: the first published product, whose `X-WP-Total` is the count.
 * A failure is the answer (`ok: false`), not an exception, so `omnifeed check` can list them all.
 */
export async function checkWooCommerce(
  client: WooCommerceClient,
  context: Pick<SourceContext, "signal">,
): Promise<SourceCheck> {
  const target = `${client.apiUrl} (WooCommerce REST v3)`;
  try {
    const answer = await client.call(
      {
        path: "/wc/v3/products",
        query: { per_page: 1, status: "publish" },
        what: "connection check",
        signal: context.signal,
      },
      z.array(z.unknown()),
    );
    const count = answer.total ?? answer.data.length;
    return { ok: true, target, detail: `${count.toLocaleString("en-US")} published products` };
  } catch (error) {
    if (isOmnifeedError(error)) return { ok: false, target, detail: `${error.kind}: ${error.message}` };
    throw error;
  }
}
