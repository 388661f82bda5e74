import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import { readCsvChunks, type ConsecutiveCsvLayout, type CsvGroupOrChunk } from "../csv-chunks.js";
import { consecutiveGrouper, missingColumnError, type CsvHeader } from "../csv-groups.js";
import { detectDelimiter, firstLine } from "../csv-header.js";
import { readHead } from "../file-input.js";
import type { ReadOptions, RecordBatch } from "../source.js";
import { compileCsvLayout, type CsvLayout } from "./columns.js";
import type { CsvOptions } from "./config.js";

/**
 * Groups the rows of a generic CSV into products: consecutive rows with the same product id
 * (`item_group_id`, or the SKU when it is empty). A product id seen again after other rows starts
 * a new product with the same id.
 */
export async function* readCsvBatches(
  file: string,
  options: CsvOptions,
  read: ReadOptions,
): AsyncGenerator<RecordBatch<CsvGroupOrChunk>> {
  const delimiter =
    options.delimiter ?? detectDelimiter(firstLine(await readHead(file, 16 * 1024, read.encoding)));
  yield* readCsvChunks(file, read, delimiter, (header) => {
    const layout = compileCsvLayout(header.names, options.column_map);
    header.issues.push(...headerIssues(file, header, layout));
    for (const required of ["sku", "title", "price"] as const) {
      if (layout.at[required] === undefined) throw missingColumnError(file, header.line, required);
    }
    return csvProductKey(header.names, layout);
  });
}

/** Rows of one product: the same `item_group_id`, or the same SKU when it is empty. */
export function csvProductKey(header: string[], layout: CsvLayout): ConsecutiveCsvLayout {
  const idColumn = layout.at.item_group_id;
  const skuColumn = layout.at.sku;
  const keyOf = (row: readonly string[]): string =>
    (cell(row, idColumn) ?? "").trim() || (cell(row, skuColumn) ?? "").trim();
  return { keyOf, grouper: () => consecutiveGrouper(header, keyOf) };
}

function headerIssues(file: string, header: CsvHeader, layout: CsvLayout): RowIssue[] {
  const issues: RowIssue[] = [];
  for (const name of layout.unknown) {
    issues.push({
      file,
      line: header.line,
      field: name,
      severity: "warning",
      message:
        "unknown column, not read (name it attr.<name> to keep it as an attribute, or map it with column_map)",
    });
  }
  for (const [canonical, merchant] of layout.unmapped) {
    issues.push({
      file,
      line: header.line,
      field: merchant,
      severity: "warning",
      message: `column_map maps ${canonical} to "${merchant}", which is not in the header`,
    });
  }
  return issues;
}
