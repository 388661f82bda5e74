import { z } from "zod";
import type { CatalogEntry } from "../../src/core/catalog.js";
import { ProductSchema } from "../../src/core/catalog.js";
import { OmnifeedError } from "../../src/core/errors.js";
import type { RowIssue } from "../../src/core/issues.js";
import type { RecordBatch, StoreSource } from "../../src/sources/source.js";
import { defineStoreSource } from "../../src/sources/source.js";

/**
 * A store for tests of the store-catalog wiring (import spool, resume, explain by store id): a
 * list of products in memory read through the `StoreSource` contract the way a paging API is — a
 * page of products per call, ordered by id, a cursor (the last id read) as the checkpoint. It
 * counts the pages it served, so a test can tell what a resumed import fetched again.
 */
export interface MemoryProduct {
  id: number;
  handle: string;
  title: string;
  status?: "active" | "draft";
  variants: { id: number; sku: string; price: string; quantity: number }[];
}

export const MemoryStoreOptionsSchema = z.strictObject({
  store_url: z.string().url().default("https://memory.example"),
  currency: z.string().default("USD"),
  page_size: z.number().int().min(1).default(10),
  /** The environment variable that must hold the token; `check` and reads fail without it. */
  token_env: z.string().optional(),
});
export type MemoryStoreOptions = z.infer<typeof MemoryStoreOptionsSchema>;

export interface MemoryStore {
  source: StoreSource<MemoryStoreOptions>;
  /** Pages served by `records` so far (a page per call to the "API"). */
  pages: number;
  /** Throws (as a dropped connection would) when `pages` reaches this; `undefined` never. */
  failAtPage: number | undefined;
  products: MemoryProduct[];
}

type Group = { product: MemoryProduct; position: number };

export function memoryStore(products: MemoryProduct[]): MemoryStore {
  const state: MemoryStore = {
    pages: 0,
    failAtPage: undefined,
    products,
    source: undefined as unknown as StoreSource<MemoryStoreOptions>,
  };
  const sorted = () => [...state.products].sort((a, b) => a.id - b.id);
  state.source = defineStoreSource<MemoryStoreOptions>({
    kind: "store",
    // The contract's formats are the real stores; the memory store stands in for Shopify.
    format: "shopify",
    description: "products in memory (tests)",
    optionsSchema: MemoryStoreOptionsSchema,
    check(options, context) {
      const ok = options.token_env === undefined || context.secret(options.token_env) !== undefined;
      return Promise.resolve({
        ok,
        target: options.store_url,
        detail: ok ? `${state.products.length} products` : "401 no token",
      });
    },
    async *records(options, read, context) {
      if (options.token_env !== undefined && context.secret(options.token_env) === undefined) {
        throw new OmnifeedError("auth", `${options.store_url}: 401 no token`);
      }
      // The checkpoint is `<last id>:<products read>`: the cursor and the position reached.
      const [afterText, positionText] = (read.from ?? "0:0").split(":");
      let after = Number(afterText);
      let position = Number(positionText);
      for (;;) {
        read.signal?.throwIfAborted();
        context.signal?.throwIfAborted();
        if (state.failAtPage !== undefined && state.pages + 1 >= state.failAtPage) {
          throw new OmnifeedError("transient", `${options.store_url}: connection reset`);
        }
        await new Promise((resolve) => setImmediate(resolve));
        const page = sorted()
          .filter((product) => product.id > after)
          .slice(0, options.page_size);
        state.pages += 1;
        if (page.length === 0) return;
        const groups: Group[] = page.map((product) => ({ product, position: ++position }));
        after = page[page.length - 1]!.id;
        const batch: RecordBatch = {
          file: `memory:${options.store_url}`,
          groups,
          records: page.reduce((sum, product) => sum + product.variants.length, 0),
          bytesRead: 0,
          issues: [],
          checkpoint: `${after}:${position}`,
        };
        yield batch;
        if (page.length < options.page_size) return;
      }
    },
    decode(batch, options) {
      const entries: CatalogEntry[] = [];
      const issues: RowIssue[] = [];
      for (const { product, position } of batch.groups as Group[]) {
        if (product.status === "draft") continue;
        const parsed = ProductSchema.safeParse({
          id: product.handle,
          title: product.title,
          description: `${product.title}, from the memory store.`,
          brand: "Acme",
          images: [`https://cdn.memory.example/${product.handle}.jpg`],
          link: `${options.store_url}/products/${product.handle}`,
          variants: product.variants.map((variant) => ({
            sku: variant.sku,
            price: { amount: Math.round(Number(variant.price) * 100), currency: options.currency },
            quantity: variant.quantity,
          })),
        });
        if (!parsed.success) {
          issues.push({
            file: batch.file,
            line: position,
            ref: `product ${product.id}`,
            id: product.handle,
            severity: "error",
            message: parsed.error.issues
              .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
              .join("; "),
          });
          continue;
        }
        entries.push({
          product: parsed.data,
          origin: {
            file: batch.file,
            line: position,
            variantLines: product.variants.map(() => position),
            ids: {
              product: String(product.id),
              variants: product.variants.map((variant) => String(variant.id)),
            },
          },
        });
      }
      return { entries, issues };
    },
    label: (options) => `memory:${options.store_url}`,
  });
  return state;
}

/** `count` products of 1–3 variants each, ids 1…count, in a fixed pattern. */
export function memoryProducts(count: number): MemoryProduct[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    const variants = (id % 3) + 1;
    return {
      id,
      handle: `product-${id}`,
      title: `Product ${id}`,
      variants: Array.from({ length: variants }, (__, position) => ({
        id: id * 10 + position,
        sku: `SKU-${id}-${position}`,
        price: `${10 + (id % 7)}.${String(position * 25).padStart(2, "0")}`,
        quantity: (id + position) % 5,
      })),
    };
  });
}
