import { createInterface } from "node:readline";
import type { Product, Variant } from "../core/catalog.js";
import type { ChannelId } from "../core/ids.js";
import type { RowIssue } from "../core/issues.js";
import type { ItemResult } from "../channels/channel.js";
import { transformVariant } from "../channels/channel.js";
import { openCatalogFile } from "../sources/file-input.js";
import { readCatalog } from "../sources/source.js";
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
  source?: { file: string; format: string; line: number; text: string };
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
  const { file, format, source, options, encoding } = run.catalog;
  const rowIssues: RowIssue[] = [];
  for await (const batch of readCatalog(source, file, options, { batchSize: DEFAULT_BATCH_SIZE, encoding })) {
    rowIssues.push(...batch.issues.filter((issue) => issue.id === sku));
    for (const { product, origin } of batch.entries) {
      const index = product.variants.findIndex((variant) => variant.sku === sku);
      if (index < 0) continue;
      const variant = product.variants[index]!;
      const line = origin.variantLines[index] ?? origin.line;
      return {
        sku,
        found: true,
        rowIssues,
        source: { file, format, line, text: await readLine(file, line, encoding) },
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
