import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import type { RowIssue } from "../../core/issues.js";
import { checkpointOf } from "../checkpoint.js";
import type { Checkpoint, ReadOptions, RecordBatch, SourceContext } from "../source.js";
import { BulkAssembler } from "./bulk-assembly.js";
import { awaitBulkOperation, readBulkOperation, startBulkQuery } from "./bulk-operation.js";
import type { ShopifyAnswer, ShopifyClient } from "./client.js";
import { shopifyClientFor } from "./connection.js";
import { shopifyLabel, type ShopifyConnection } from "./options.js";
import {
  LOCATIONS_QUERY,
  MORE_MEDIA_QUERY,
  VARIANT_COUNT_QUERY,
  bulkCatalogQuery,
  catalogPageQuery,
  moreVariantsQuery,
  moreVariantsPageSize,
  productFilter,
  productNodeCost,
  variantNodeCost,
} from "./queries.js";
import {
  MediaNodeSchema,
  ProductNodeSchema,
  VariantNodeSchema,
  productRecordOf,
  sortVariants,
  variantRecordOf,
  type ShopLocation,
  type ShopifyProductRecord,
} from "./records.js";

/**
 * Reads a Shopify catalog as batches of raw product records with a checkpoint per batch, through
 * a bulk operation (large shops) or products pages (small ones).
 *
 * Resuming: a paged read continues after the page's cursor. A bulk read keeps the operation's id,
 * the line to start again from and the last product handed out: while Shopify still serves the
 * operation's file (7 days) the same file is downloaded again and its first lines skipped; when
 * it does not, a new bulk operation reads the products after that one (`id:>N`).
 */

const LocationSchema = z.object({ id: z.string(), name: z.string(), alias: z.string() });

const CheckpointSchema = z.discriminatedUnion("mode", [
  z.object({
    v: z.literal(1),
    mode: z.literal("bulk"),
    operation: z.string(),
    line: z.number().int().nonnegative(),
    position: z.number().int().positive(),
    after: z.number().int().positive().optional(),
    locations: z.array(LocationSchema),
  }),
  z.object({
    v: z.literal(1),
    mode: z.literal("paged"),
    cursor: z.string().nullable(),
    position: z.number().int().positive(),
  }),
]);
type ShopifyCheckpoint = z.infer<typeof CheckpointSchema>;

export function parseCheckpoint(text: string, label: string): ShopifyCheckpoint {
  const checkpoint = checkpointOf(text, CheckpointSchema);
  if (checkpoint === undefined) {
    throw new OmnifeedError(
      "config",
      `${label}: the checkpoint ${JSON.stringify(text.slice(0, 80))} is not a Shopify catalog checkpoint`,
    );
  }
  return checkpoint;
}

const LocationsAnswer = z.object({
  locations: z.object({
    nodes: z.array(z.object({ id: z.string(), name: z.string() })),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
  }),
});

export async function readLocations(client: ShopifyClient, signal?: AbortSignal): Promise<ShopLocation[]> {
  const locations: ShopLocation[] = [];
  let after: string | null = null;
  for (;;) {
    const answer: ShopifyAnswer<unknown> = await client.request<unknown>(
      "locations",
      LOCATIONS_QUERY,
      { after },
      signal,
    );
    const page: z.infer<typeof LocationsAnswer>["locations"] = LocationsAnswer.parse(answer.data).locations;
    for (const node of page.nodes)
      locations.push({ id: node.id, name: node.name, alias: `l${locations.length}` });
    if (!page.pageInfo.hasNextPage) return locations;
    after = page.pageInfo.endCursor;
  }
}

export async function countVariants(
  client: ShopifyClient,
  limit: number,
  signal?: AbortSignal,
): Promise<number> {
  const answer = await client.request<{ productVariantsCount: { count: number } | null }>(
    "productVariantsCount",
    VARIANT_COUNT_QUERY,
    { limit },
    signal,
  );
  return answer.data.productVariantsCount?.count ?? 0;
}

function numericId(gid: string | undefined): number | undefined {
  const match = gid === undefined ? null : /\/(\d+)$/.exec(gid);
  return match ? Number(match[1]) : undefined;
}

/** Collects products into batches of about `batchSize` variants. */
class Batcher {
  private groups: ShopifyProductRecord[] = [];
  private issues: RowIssue[] = [];
  private records = 0;
  bytesRead = 0;

  constructor(
    private readonly label: string,
    private readonly batchSize: number,
  ) {}

  add(products: readonly ShopifyProductRecord[], issues: readonly RowIssue[]): void {
    for (const product of products) {
      this.groups.push(product);
      this.records += Math.max(1, product.variants.length);
    }
    this.issues.push(...issues);
  }

  full(): boolean {
    return this.records >= this.batchSize;
  }

  empty(): boolean {
    return this.groups.length === 0 && this.issues.length === 0;
  }

  take(checkpoint: Checkpoint | undefined): RecordBatch<ShopifyProductRecord> {
    const batch: RecordBatch<ShopifyProductRecord> = {
      file: this.label,
      groups: this.groups,
      records: this.records,
      bytesRead: this.bytesRead,
      issues: this.issues,
      checkpoint,
    };
    this.groups = [];
    this.issues = [];
    this.records = 0;
    return batch;
  }
}

export async function* readShopifyCatalog(
  options: ShopifyConnection,
  read: ReadOptions & { from?: Checkpoint | undefined },
  context: SourceContext,
  client: ShopifyClient = shopifyClientFor(options, (name) => context.secret(name)),
): AsyncIterable<RecordBatch<ShopifyProductRecord>> {
  const label = shopifyLabel(options);
  const signal = read.signal ?? context.signal;
  const from = read.from === undefined ? undefined : parseCheckpoint(read.from, label);
  if (from?.mode === "paged") {
    yield* readPaged(client, options, label, read.batchSize, from, signal);
    return;
  }
  if (from?.mode === "bulk") {
    yield* readBulk(client, options, label, read.batchSize, from, signal);
    return;
  }
  let mode = options.mode;
  let locations: ShopLocation[] | undefined;
  if (mode === "auto") {
    locations = await readLocations(client, signal);
    const variants = await countVariants(client, options.bulk_threshold + 1, signal);
    const status = client.throttleStatus();
    const slow =
      status !== undefined &&
      pagedReadSeconds(variants, locations.length, status) > options.paged_max_seconds;
    mode = variants > options.bulk_threshold || slow ? "bulk" : "paged";
  }
  if (mode === "bulk") yield* readBulk(client, options, label, read.batchSize, undefined, signal, locations);
  else yield* readPaged(client, options, label, read.batchSize, undefined, signal, locations);
}

/**
 * Seconds a paged read of `variants` would wait on the cost bucket: each variant costs
 * `variantNodeCost` points (stocked at every location, the worst case) plus its share of the
 * product's, the bucket holds
 * `currentlyAvailable` now and refills at `restoreRate` a second. A bulk operation costs no points.
 */
export function pagedReadSeconds(
  variants: number,
  locationCount: number,
  status: { currentlyAvailable: number; restoreRate: number },
): number {
  if (status.restoreRate <= 0) return Number.POSITIVE_INFINITY;
  const points = variants * (variantNodeCost(locationCount) + PRODUCT_SHARE_PER_VARIANT);
  return Math.max(0, points - status.currentlyAvailable) / status.restoreRate;
}

// --- Bulk ---------------------------------------------------------------------------------------

async function* readBulk(
  client: ShopifyClient,
  options: ShopifyConnection,
  label: string,
  batchSize: number,
  from: Extract<ShopifyCheckpoint, { mode: "bulk" }> | undefined,
  signal: AbortSignal | undefined,
  known?: ShopLocation[],
): AsyncIterable<RecordBatch<ShopifyProductRecord>> {
  let operation = "";
  let url: string | null | undefined;
  let skip = 0;
  let locations: ShopLocation[] = [];
  let resumed = false;
  const firstPosition = from?.position ?? 1;
  let after = from?.after;
  let stream: Readable | undefined;
  const reused = from ? await reusableResult(client, from.operation, signal) : undefined;
  if (from && reused !== undefined) {
    // The same file again: skip the lines of the products already handed out.
    try {
      stream = await client.download(reused, `bulk operation ${from.operation} result`, signal);
      operation = from.operation;
      url = reused;
      skip = from.line;
      locations = from.locations;
      resumed = skip > 0;
    } catch (error) {
      // The signed URL expired or was revoked: read the rest with a new operation.
      if (!isOmnifeedError(error, "not_found") && !isOmnifeedError(error, "auth")) throw error;
      stream = undefined;
    }
  }
  if (stream === undefined) {
    locations = known ?? (await readLocations(client, signal));
    operation = await startBulkQuery(client, bulkCatalogQuery(locations, after), signal);
    url = (await awaitBulkOperation(client, operation, options.bulk_poll_ms, signal)).url;
    if (url) stream = await client.download(url, `bulk operation ${operation} result`, signal);
  }
  const batcher = new Batcher(label, batchSize);
  const assembler = new BulkAssembler({ label, locations, firstPosition, resumed });
  const checkpoint = (): Checkpoint => {
    const lastId = numericId(assembler.lastProductId());
    if (lastId !== undefined) after = lastId;
    return JSON.stringify({
      v: 1,
      mode: "bulk",
      operation,
      line: assembler.resumeLine(),
      position: assembler.nextPosition(),
      ...(after !== undefined ? { after } : {}),
      locations,
    } satisfies ShopifyCheckpoint);
  };
  if (stream) {
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let index = 0;
    try {
      for await (const text of lines) {
        const line = index;
        index += 1;
        batcher.bytesRead += Buffer.byteLength(text) + 1;
        if (line < skip) continue;
        const out = assembler.push(text, line);
        batcher.add(out.products, out.issues);
        if (batcher.full()) yield batcher.take(checkpoint());
      }
    } finally {
      lines.close();
      stream.destroy();
    }
  }
  const rest = assembler.finish();
  batcher.add(rest.products, rest.issues);
  if (!batcher.empty()) yield batcher.take(undefined);
}

/** The result URL of an earlier operation if Shopify still serves it; undefined to start anew. */
async function reusableResult(
  client: ShopifyClient,
  id: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  let state;
  try {
    state = await readBulkOperation(client, id, signal);
  } catch (error) {
    if (isOmnifeedError(error, "not_found") || isOmnifeedError(error, "rejected")) return undefined;
    throw error;
  }
  if (state?.status !== "COMPLETED" || !state.url) return undefined;
  return state.url;
}

// --- Paged --------------------------------------------------------------------------------------

const PageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable().optional() });
const PagedProductSchema = ProductNodeSchema.extend({
  media: z.object({ nodes: z.array(MediaNodeSchema), pageInfo: PageInfoSchema }),
  variants: z.object({ nodes: z.array(VariantNodeSchema), pageInfo: PageInfoSchema }),
});
const PageAnswer = z.object({
  products: z.object({ nodes: z.array(z.unknown()), pageInfo: PageInfoSchema }),
});
const MoreVariantsAnswer = z.object({
  product: z
    .object({ variants: z.object({ nodes: z.array(VariantNodeSchema), pageInfo: PageInfoSchema }) })
    .nullable(),
});
const MoreMediaAnswer = z.object({
  product: z
    .object({ media: z.object({ nodes: z.array(MediaNodeSchema), pageInfo: PageInfoSchema }) })
    .nullable(),
});

/**
 * Variants read with each product of a page; the rest come by `moreVariantsQuery`. Measured on
 * 2,000 generated variants (5 locations, Plus bucket): 10 → 146 calls, 5 → 168, 25 → 228,
 * 50 → 455, the same points and time either way; fewer calls win on the real API's latency.
 */
const VARIANTS_PER_PRODUCT = 10;
/** A variant's share of its product's own points (node, connections, images): measured ≈ 3.9. */
const PRODUCT_SHARE_PER_VARIANT = 4;
const MAX_QUERY_COST = 1000;

async function* readPaged(
  client: ShopifyClient,
  options: ShopifyConnection,
  label: string,
  batchSize: number,
  from: Extract<ShopifyCheckpoint, { mode: "paged" }> | undefined,
  signal: AbortSignal | undefined,
  known?: ShopLocation[],
): AsyncIterable<RecordBatch<ShopifyProductRecord>> {
  const locations = known ?? (await readLocations(client, signal));
  const perProduct = 1 + productNodeCost(locations.length, VARIANTS_PER_PRODUCT);
  const first = Math.max(1, Math.min(options.page_size, Math.floor((MAX_QUERY_COST - 2) / perProduct)));
  const pageQuery = catalogPageQuery(locations, VARIANTS_PER_PRODUCT);
  // Sized by cost: 100 variants at 5 locations would ask 1,502 points (MAX_COST_EXCEEDED).
  const variantsQuery = moreVariantsQuery(locations, moreVariantsPageSize(locations.length, MAX_QUERY_COST));
  let cursor: string | null = from?.cursor ?? null;
  let position = from?.position ?? 1;
  const batcher = new Batcher(label, batchSize);
  for (;;) {
    const answer = await client.request<unknown>(
      "products",
      pageQuery,
      { first, after: cursor, query: productFilter(undefined) },
      signal,
    );
    const page = PageAnswer.parse(answer.data).products;
    const products: ShopifyProductRecord[] = [];
    const issues: RowIssue[] = [];
    for (const value of page.nodes) {
      const parsed = PagedProductSchema.safeParse(value);
      if (!parsed.success) {
        const ref = (value as { id?: unknown } | null)?.id;
        issues.push({
          file: label,
          line: position,
          ...(typeof ref === "string" ? { ref } : {}),
          severity: "error",
          message: `the product cannot be read: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        });
        position += 1;
        continue;
      }
      const node = parsed.data;
      const record = productRecordOf(node, position);
      position += 1;
      for (const media of node.media.nodes) if (media.image?.url) record.images.push(media.image.url);
      for (const variant of node.variants.nodes) record.variants.push(variantRecordOf(variant, locations));
      let more = node.variants.pageInfo;
      while (more.hasNextPage) {
        const next = await client.request<unknown>(
          "product.variants",
          variantsQuery,
          { id: node.id, after: more.endCursor },
          signal,
        );
        const variants = MoreVariantsAnswer.parse(next.data).product?.variants;
        if (!variants) break;
        for (const variant of variants.nodes) record.variants.push(variantRecordOf(variant, locations));
        more = variants.pageInfo;
      }
      let moreMedia = node.media.pageInfo;
      while (moreMedia.hasNextPage) {
        const next = await client.request<unknown>(
          "product.media",
          MORE_MEDIA_QUERY,
          { id: node.id, after: moreMedia.endCursor },
          signal,
        );
        const media = MoreMediaAnswer.parse(next.data).product?.media;
        if (!media) break;
        for (const item of media.nodes) if (item.image?.url) record.images.push(item.image.url);
        moreMedia = media.pageInfo;
      }
      sortVariants(record);
      products.push(record);
    }
    batcher.add(products, issues);
    if (page.pageInfo.endCursor) cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) break;
    if (batcher.full()) {
      yield batcher.take(
        JSON.stringify({ v: 1, mode: "paged", cursor, position } satisfies ShopifyCheckpoint),
      );
    }
  }
  if (!batcher.empty()) yield batcher.take(undefined);
}
