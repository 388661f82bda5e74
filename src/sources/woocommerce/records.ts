import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import type { RowIssue } from "../../core/issues.js";
import { mapLimited } from "../../infra/concurrency.js";
import type { Checkpoint, ReadOptions, RecordBatch, SourceContext } from "../source.js";
import { checkpointOf } from "../checkpoint.js";
import { WooProductSchema, WooVariationSchema, type WooProduct, type WooVariation } from "./api.js";
import { createWooCommerceClient, type WooCommerceClient } from "./client.js";
import type { WooCommerceSourceOptions } from "./options.js";

/**
 * Pages through a WooCommerce catalog (stores.md §2.2): published products by id ascending
 * (`orderby=date` skips and repeats products sharing a timestamp), `per_page` ≤ 100, as many pages
 * as `X-WP-TotalPages` says; each variable product's variations from its own paged route. One
 * batch is one products page with its variations, as plain JSON (it is posted to build workers).
 *
 * Resuming: WooCommerce has no `id >` filter, and a page number alone drifts when products before
 * it are deleted or unpublished. The checkpoint keeps both the page and the last product id done;
 * reading resumes at that page, skips ids up to the last, and steps back a page while a page
 * starts past the last id (products before it went away, so the rest moved forward). Products
 * added later get higher ids and arrive at the end. Nothing is read twice into a batch, nothing
 * skipped.
 */

/** One product as a batch carries it: its position in the read (1-based), the product, its variations. */
export interface WooGroup {
  position: number;
  product: WooProduct;
  variations: WooVariation[];
}

const CheckpointSchema = z.object({
  v: z.literal(1),
  page: z.number().int().positive(),
  last: z.number().int().nonnegative(),
  per_page: z.number().int().positive(),
});
type WooCheckpoint = z.infer<typeof CheckpointSchema>;

export function writeCheckpoint(checkpoint: WooCheckpoint): Checkpoint {
  return JSON.stringify(checkpoint);
}

export function readCheckpoint(text: Checkpoint, label: string): WooCheckpoint {
  const checkpoint = checkpointOf(text, CheckpointSchema);
  if (checkpoint === undefined) {
    throw new OmnifeedError(
      "config",
      `not a WooCommerce catalog checkpoint: ${JSON.stringify(text).slice(0, 80)}`,
      {
        where: label,
      },
    );
  }
  return checkpoint;
}

const PageSchema = z.array(z.unknown());
const IdOnlySchema = z.object({ id: z.number() });

export async function* readWooRecords(
  options: WooCommerceSourceOptions,
  read: ReadOptions & { from?: Checkpoint | undefined },
  context: SourceContext,
  client: WooCommerceClient = createWooCommerceClient(options, { secret: (name) => context.secret(name) }),
): AsyncIterable<RecordBatch> {
  const perPage = options.per_page;
  const signal = read.signal ?? context.signal;
  const label = client.label;
  let page = 1;
  let last = 0;
  let resuming = false;
  if (read.from !== undefined) {
    const checkpoint = readCheckpoint(read.from, label);
    last = checkpoint.last;
    // The page that held the first product after the last one, in today's page size.
    page = Math.floor(((checkpoint.page - 1) * checkpoint.per_page) / perPage) + 1;
    resuming = last > 0;
  }
  let bytesRead = 0;
  for (;;) {
    signal?.throwIfAborted();
    const answer = await client.call(
      {
        path: "/wc/v3/products",
        query: { per_page: perPage, page, orderby: "id", order: "asc", status: "publish" },
        what: `products page ${page}`,
        signal,
      },
      PageSchema,
    );
    bytesRead += answer.bytes;
    const items = answer.data;
    if (resuming && page > 1) {
      const first = IdOnlySchema.safeParse(items[0]);
      if (!first.success || first.data.id > last) {
        page -= 1;
        continue;
      }
    }
    resuming = false;
    const issues: RowIssue[] = [];
    const products: { position: number; product: WooProduct }[] = [];
    let lastOnPage = last;
    items.forEach((item, index) => {
      const position = (page - 1) * perPage + index + 1;
      const id = IdOnlySchema.safeParse(item);
      if (id.success) lastOnPage = Math.max(lastOnPage, id.data.id);
      if (id.success && id.data.id <= last) return;
      const parsed = WooProductSchema.safeParse(item);
      if (parsed.success) products.push({ position, product: parsed.data });
      else
        issues.push(
          recordIssue(label, position, id.success ? `product ${id.data.id}` : undefined, parsed.error),
        );
    });
    const groups = await mapLimited(products, options.concurrency, async ({ position, product }) => {
      const variations =
        product.type === "variable"
          ? await readVariations(client, product, perPage, signal, {
              bytes: (count) => (bytesRead += count),
              issue: (variationIssue) => issues.push({ ...variationIssue, file: label, line: position }),
            })
          : [];
      return { position, product, variations } satisfies WooGroup;
    });
    last = lastOnPage;
    const done = items.length < perPage || (answer.totalPages !== undefined && page >= answer.totalPages);
    if (groups.length > 0 || issues.length > 0) {
      yield {
        file: label,
        groups,
        records: groups.reduce((sum, group) => sum + Math.max(1, group.variations.length), 0),
        bytesRead,
        issues,
        checkpoint: writeCheckpoint({ v: 1, page, last, per_page: perPage }),
      };
    }
    if (done) return;
    page += 1;
  }
}

async function readVariations(
  client: WooCommerceClient,
  product: WooProduct,
  perPage: number,
  signal: AbortSignal | undefined,
  report: { bytes(count: number): void; issue(issue: Omit<RowIssue, "file" | "line">): void },
): Promise<WooVariation[]> {
  const variations: WooVariation[] = [];
  for (let page = 1; ; page += 1) {
    const answer = await client.call(
      {
        path: `/wc/v3/products/${product.id}/variations`,
        query: { per_page: perPage, page, orderby: "id", order: "asc" },
        what: `variations of product ${product.id} page ${page}`,
        signal,
      },
      PageSchema,
    );
    report.bytes(answer.bytes);
    for (const item of answer.data) {
      const parsed = WooVariationSchema.safeParse(item);
      const id = IdOnlySchema.safeParse(item);
      if (parsed.success) variations.push(parsed.data);
      else {
        const { ref, message, field } = recordIssue(
          "",
          0,
          id.success ? `variation ${id.data.id}` : undefined,
          parsed.error,
        );
        report.issue({ ...(ref ? { ref } : {}), ...(field ? { field } : {}), message, severity: "error" });
      }
    }
    if (answer.data.length < perPage || (answer.totalPages !== undefined && page >= answer.totalPages)) break;
  }
  // The merchant's order is the product's `variations` list (menu order), not the ids.
  const rank = new Map(product.variations.map((id, index) => [id, index]));
  return variations.sort(
    (a, b) =>
      (rank.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      a.id - b.id,
  );
}

function recordIssue(file: string, line: number, ref: string | undefined, error: z.ZodError): RowIssue {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join(".") : undefined;
  return {
    file,
    line,
    ...(ref ? { ref } : {}),
    ...(field ? { field } : {}),
    severity: "error",
    message: `the store's record cannot be read: ${first?.message ?? "unexpected shape"}`,
  };
}
