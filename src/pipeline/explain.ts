import { createInterface } from "node:readline";
import type { CatalogEntry, Product, Variant } from "../core/catalog.js";
import type { ChannelId } from "../core/ids.js";
import type { RowIssue } from "../core/issues.js";
import type { ItemResult } from "../channels/channel.js";
import { transformVariant } from "../channels/channel.js";
import { openCatalogFile } from "../sources/file-input.js";
import { readCatalog } from "../sources/source.js";
import { catalogBatches } from "./catalog-read.js";
import type { PreparedRun } from "./plan.js";
import { DEFAULT_BATCH_SIZE } from "./stream-build.js";

export interface ExplainChannel {
  channel: ChannelId;
  result: ItemResult;
  /** The feeds this item goes to when accepted. */
  feeds: string[];
}

export interface ExplainResult {
  sku: string;
  found: boolean;
  /**
   * Not found, but a record of the SKU had a row error: the row never became a variant. The first
   * such error says why.
   */
  rejectedRow?: RowIssue;
  /** Row issues of the SKU's own records (for instance why it never reached the channels). */
  rowIssues: RowIssue[];
  /**
   * The record the variant was read from: a file's line, or for a store the store's ids (`ref`)
   * and its record of the product as raw JSON (trimmed).
   */
  source?: { file: string; format: string; line: number; ref?: string; text: string };
  product?: Omit<Product, "variants">;
  variant?: Variant;
  channels: ExplainChannel[];
}

/**
 * `omnifeed explain <sku>`: the source record, the canonical variant, and per channel the rules
 * that fired, the filters, the output fields and the validation issues. Reads the catalog until the
 * SKU is found, on this thread.
 */
export async function explainSku(run: PreparedRun, sku: string): Promise<ExplainResult> {
  const { file, format, encoding } = run.catalog;
  const rowIssues: RowIssue[] = [];
  for await (const batch of decodedBatches(run)) {
    rowIssues.push(...batch.issues.filter((issue) => issue.id === sku));
    for (const { product, origin, record } of batch.entries) {
      const index = product.variants.findIndex((variant) => variant.sku === sku);
      if (index < 0) continue;
      const variant = product.variants[index]!;
      const line = origin.variantLines[index] ?? origin.line;
      const ref = origin.ids && `${origin.ids.product}/${origin.ids.variants[index] ?? "?"}`;
      const text =
        record === undefined ? await readLine(file, line, encoding) : trimmed(JSON.stringify(record));
      return {
        sku,
        found: true,
        rowIssues,
        source: { file, format, line, ...(ref === undefined ? {} : { ref }), text },
        product: withoutVariants(product),
        variant,
        channels: run.channels.map(({ channel, mapping, feeds }) => ({
          channel: channel.id,
          result: transformVariant(channel, mapping, product, variant, { trace: true }),
          feeds: feeds.map((feed) => feed.id),
        })),
      };
    }
  }
  const rejectedRow = rowIssues.find((issue) => issue.severity === "error");
  return { sku, found: false, ...(rejectedRow ? { rejectedRow } : {}), rowIssues, channels: [] };
}

/**
 * The catalog decoded batch by batch; a store's record groups are decoded one at a time, so each
 * product comes with the store record it was read from (`explain` shows it in place of a line).
 */
async function* decodedBatches(
  run: PreparedRun,
): AsyncIterable<{ entries: (CatalogEntry & { record?: unknown })[]; issues: RowIssue[] }> {
  const { catalog } = run;
  if (catalog.kind === "file") {
    yield* readCatalog(catalog.source, catalog.file, catalog.options, {
      batchSize: DEFAULT_BATCH_SIZE,
      encoding: catalog.encoding,
    });
    return;
  }
  for await (const batch of catalogBatches(catalog, { batchSize: DEFAULT_BATCH_SIZE })) {
    const issues = [...batch.issues];
    const entries: (CatalogEntry & { record?: unknown })[] = [];
    for (const group of batch.groups) {
      const decoded = catalog.source.decode({ ...batch, groups: [group], issues: [] }, catalog.options);
      issues.push(...decoded.issues);
      for (const entry of decoded.entries) entries.push({ ...entry, record: group });
    }
    yield { entries, issues };
  }
}

function trimmed(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

// The text of one line of the catalog file (decompressed), cut at 2,000 characters.
async function readLine(file: string, line: number, encoding: string | undefined): Promise<string> {
  const input = await openCatalogFile(file, encoding);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let current = 0;
  try {
    for await (const text of lines) {
      current += 1;
      if (current === line) return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return "";
}

function withoutVariants(product: Product): Omit<Product, "variants"> {
  const fields: Partial<Product> = { ...product };
  delete fields.variants;
  return fields as Omit<Product, "variants">;
}
