import type { RowIssue } from "../../core/issues.js";
import { cell } from "../csv-header.js";
import {
  missingColumnError,
  readCsvGroups,
  type CsvGroup,
  type CsvGrouper,
  type CsvHeader,
} from "../csv-groups.js";
import type { ReadOptions, RecordBatch } from "../source.js";
import { compileWooLayout, type WooLayout } from "./columns.js";
import type { WooCommerceCsvOptions } from "./config.js";
import { wooRowType } from "./decode.js";
import { isKnownMeta } from "./meta.js";

/**
 * Groups a WooCommerce export into products: a simple product's row alone; a variable product's
 * row followed by its variations. Variations name their parent (`Parent`: its SKU or `id:<ID>`)
 * and may come anywhere after it (a variation added later gets a later ID), so the rows of
 * variable products are kept in a map for the whole read — one row per variable product, the one
 * place where memory grows with the catalog. A run of variations is grouped with a copy of its
 * parent's row; variations far from their parent make a second group of the same product id.
 * Variations seen before their parent wait for it; those whose parent never comes are reported.
 */
export function readWooBatches(
  file: string,
  _options: WooCommerceCsvOptions,
  read: ReadOptions,
): AsyncIterable<RecordBatch<CsvGroup>> {
  return readCsvGroups(file, read, ",", (header) => {
    const layout = compileWooLayout(header.names);
    if (layout.at.type === undefined) throw missingColumnError(file, header.line, "Type");
    if (layout.at.sku === undefined && layout.at.id === undefined)
      throw missingColumnError(file, header.line, "SKU or ID");
    header.issues.push(...unknownMetaIssues(file, header, layout));
    return parentGrouper(file, header.names, layout);
  });
}

interface ParentRow {
  row: string[];
  line: number;
}

function parentGrouper(file: string, header: string[], layout: WooLayout): CsvGrouper {
  const parents = new Map<string, ParentRow>();
  const waiting = new Map<string, { rows: string[][]; lines: number[] }>();
  let open: CsvGroup | undefined;
  let openParent: ParentRow | undefined;
  const close = (emit: (group: CsvGroup) => void) => {
    if (open) emit(open);
    open = undefined;
    openParent = undefined;
  };
  return {
    row(row, line, emit) {
      const type = wooRowType(cell(row, layout.at.type));
      if (type === "variation") {
        const reference = parentReference(cell(row, layout.at.parent));
        const parent = parents.get(reference);
        if (!parent) {
          const early = waiting.get(reference) ?? { rows: [], lines: [] };
          early.rows.push(row);
          early.lines.push(line);
          waiting.set(reference, early);
          return;
        }
        if (!open || openParent !== parent) {
          close(emit);
          open = { header, rows: [parent.row], lines: [parent.line] };
          openParent = parent;
        }
        open.rows.push(row);
        open.lines.push(line);
        return;
      }
      close(emit);
      if (type !== "variable") {
        emit({ header, rows: [row], lines: [line] });
        return;
      }
      const parent = { row, line };
      open = { header, rows: [row], lines: [line] };
      openParent = parent;
      for (const reference of referencesOf(row, layout)) {
        parents.set(reference, parent);
        const early = waiting.get(reference);
        if (!early) continue;
        waiting.delete(reference);
        open.rows.push(...early.rows);
        open.lines.push(...early.lines);
      }
    },
    end(emit) {
      close(emit);
      const issues: RowIssue[] = [];
      for (const [reference, early] of waiting) {
        early.lines.forEach((line, index) => {
          const sku = cell(early.rows[index]!, layout.at.sku)?.trim();
          const issue: RowIssue = {
            file,
            line,
            field: "Parent",
            severity: "error",
            message:
              reference === ""
                ? "the variation names no parent"
                : `the parent product ${reference} is not in the file; the variation is left out`,
          };
          if (sku) issue.id = sku;
          issues.push(issue);
        });
      }
      waiting.clear();
      parents.clear();
      return issues;
    },
  };
}

/** `Parent` holds the parent's SKU or `id:<ID>`. */
function parentReference(value: string | undefined): string {
  const text = (value ?? "").trim();
  return /^id:\s*\d+$/i.test(text) ? `id:${text.slice(3).trim()}` : text;
}

function referencesOf(row: readonly string[], layout: WooLayout): string[] {
  const references: string[] = [];
  const sku = cell(row, layout.at.sku)?.trim();
  const id = cell(row, layout.at.id)?.trim();
  if (sku) references.push(sku);
  if (id) references.push(`id:${id}`);
  return references;
}

function unknownMetaIssues(file: string, header: CsvHeader, layout: WooLayout): RowIssue[] {
  return layout.meta
    .filter((column) => !isKnownMeta(column.key))
    .map((column) => ({
      file,
      line: header.line,
      field: header.names[column.position]!,
      severity: "warning" as const,
      message: `unknown omnifeed meta key "${column.key}", not read (see docs/catalog-formats.md)`,
    }));
}
