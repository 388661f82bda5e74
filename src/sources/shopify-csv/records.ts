import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import { readCsvChunks, type ConsecutiveCsvLayout, type CsvGroupOrChunk } from "../csv-chunks.js";
import { consecutiveGrouper, missingColumnError } from "../csv-groups.js";
import type { ReadOptions, RecordBatch } from "../source.js";
import { compileShopifyLayout } from "./columns.js";
import type { ShopifyCsvOptions } from "./config.js";
import { isKnownMetafield } from "./metafields.js";

/**
 * Groups a Shopify product CSV by handle: the rows of one product are consecutive and share it
 * (variant rows and image-only rows after the product's first row).
 */
export function readShopifyBatches(
  file: string,
  _options: ShopifyCsvOptions,
  read: ReadOptions,
): AsyncIterable<RecordBatch<CsvGroupOrChunk>> {
  return readCsvChunks(file, read, ",", (header) => {
    const layout = compileShopifyLayout(header.names);
    if (layout.at.handle === undefined) throw missingColumnError(file, header.line, "URL handle (or Handle)");
    for (const column of layout.metafields) {
      if (isKnownMetafield(column)) continue;
      const issue: RowIssue = {
        file,
        line: header.line,
        field: header.names[column.position]!,
        severity: "warning",
        message: `unknown omnifeed ${column.owner} metafield "${column.key}", not read (see docs/catalog-formats.md)`,
      };
      header.issues.push(issue);
    }
    return shopifyProductKey(header.names, layout.at.handle);
  });
}

/** Rows of one product share its handle. */
export function shopifyProductKey(header: string[], handleColumn: number): ConsecutiveCsvLayout {
  const keyOf = (row: readonly string[]): string => (cell(row, handleColumn) ?? "").trim();
  return { keyOf, grouper: () => consecutiveGrouper(header, keyOf) };
}
