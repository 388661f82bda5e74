import { readFile } from "node:fs/promises";
import { CsvError, parse } from "csv-parse/sync";
import { OmnifeedError } from "../core/errors.js";

/**
 * The SKU map: marketplace SKU → store SKU, for listings whose marketplace SKU differs from the
 * store's (an Amazon MSKU with a suffix, an old eBay custom label). A CSV file named by
 * `orders.sku_map` in the config, header `marketplace_sku,store_sku` and an optional
 * `marketplace` column (empty: any marketplace). SKUs not in the map are the same in both.
 */
export interface SkuMap {
  /** The store SKU of `sku` sold on `marketplace`. */
  storeSku(marketplace: string, sku: string): string;
  readonly size: number;
}

export const EMPTY_SKU_MAP: SkuMap = { storeSku: (_marketplace, sku) => sku, size: 0 };

/** A map from pairs; a marketplace-specific entry wins over one for any marketplace. */
export function skuMapOf(
  entries: readonly { marketplace?: string | undefined; from: string; to: string }[],
): SkuMap {
  const table = new Map<string, string>();
  for (const entry of entries) table.set(`${entry.marketplace ?? ""}\n${entry.from}`, entry.to);
  return {
    size: table.size,
    storeSku: (marketplace, sku) => table.get(`${marketplace}\n${sku}`) ?? table.get(`\n${sku}`) ?? sku,
  };
}

/** Reads a SKU map file; a bad row is a `config` error naming file:line and the column. */
export async function loadSkuMap(file: string): Promise<SkuMap> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new OmnifeedError(
      "config",
      `cannot read the SKU map: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      {
        where: file,
      },
    );
  }
  let rows: string[][];
  try {
    const parsed: unknown = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
    rows = parsed as string[][];
  } catch (error) {
    const line = error instanceof CsvError ? `:${String(error.lines)}` : "";
    throw new OmnifeedError("config", `the SKU map is not valid CSV: ${(error as Error).message}`, {
      where: `${file}${line}`,
    });
  }
  const header = (rows[0] ?? []).map((name) => name.toLowerCase());
  const from = header.indexOf("marketplace_sku");
  const to = header.indexOf("store_sku");
  const market = header.indexOf("marketplace");
  if (from < 0 || to < 0) {
    throw new OmnifeedError("config", "the SKU map needs the columns marketplace_sku and store_sku", {
      where: `${file}:1`,
    });
  }
  const seen = new Map<string, number>();
  const entries = rows.slice(1).map((row, index) => {
    const line = index + 2;
    const entry = {
      from: row[from] ?? "",
      to: row[to] ?? "",
      marketplace: market >= 0 && row[market] ? row[market] : undefined,
    };
    for (const [column, value] of [
      ["marketplace_sku", entry.from],
      ["store_sku", entry.to],
    ] as const)
      if (value === "") throw new OmnifeedError("config", `${column} is empty`, { where: `${file}:${line}` });
    if (entry.marketplace !== undefined && !/^[a-z][a-z0-9-]*$/.test(entry.marketplace)) {
      throw new OmnifeedError(
        "config",
        `marketplace: expected a marketplace id such as amazon, got ${entry.marketplace}`,
        {
          where: `${file}:${line}`,
        },
      );
    }
    const id = `${entry.marketplace ?? ""}\n${entry.from}`;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new OmnifeedError(
        "config",
        `marketplace_sku ${entry.from} is mapped twice (first on line ${first})`,
        {
          where: `${file}:${line}`,
        },
      );
    }
    seen.set(id, line);
    return entry;
  });
  return skuMapOf(entries);
}
