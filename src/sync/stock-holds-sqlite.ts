import Database from "better-sqlite3";
import { OmnifeedError } from "../core/errors.js";
import type { StockHolds, StockSale } from "./stock-holds.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS stock_hold (
    workspace TEXT NOT NULL,
    order_key TEXT NOT NULL,
    line TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    sold_at INTEGER NOT NULL,
    PRIMARY KEY (workspace, order_key, line)
  ) WITHOUT ROWID;
`;

/**
 * Stock holds in the embedded state file (a table of their own beside the item states), for CLI
 * runs. The primary key (workspace, order key, line) makes recording a sale twice a no-op.
 */
export class SqliteStockHolds implements StockHolds {
  private constructor(
    private readonly db: Database.Database,
    private readonly workspace: string,
    private readonly file: string,
  ) {}

  static open(file: string, workspace: string): SqliteStockHolds {
    try {
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma("busy_timeout = 5000");
      db.exec(SCHEMA);
      return new SqliteStockHolds(db, workspace, file);
    } catch (error) {
      throw new OmnifeedError("config", `cannot open the stock holds: ${(error as Error).message}`, {
        where: file,
      });
    }
  }

  record(sales: readonly StockSale[]): Promise<number> {
    return this.guard(() => {
      const insert = this.db.prepare(
        "INSERT OR IGNORE INTO stock_hold (workspace, order_key, line, sku, quantity, sold_at) VALUES (?, ?, ?, ?, ?, ?)",
      );
      return this.db.transaction(() => {
        let added = 0;
        for (const sale of sales) {
          added += insert.run(
            this.workspace,
            sale.orderKey,
            sale.line,
            sale.sku,
            sale.quantity,
            sale.soldAt,
          ).changes;
        }
        return added;
      })();
    });
  }

  held(skus?: readonly string[]): Promise<Map<string, number>> {
    return this.guard(() => {
      const rows = this.db
        .prepare("SELECT sku, sum(quantity) AS quantity FROM stock_hold WHERE workspace = ? GROUP BY sku")
        .all(this.workspace) as { sku: string; quantity: number }[];
      const wanted = skus ? new Set(skus) : undefined;
      return new Map(
        rows.filter((row) => !wanted || wanted.has(row.sku)).map((row) => [row.sku, row.quantity]),
      );
    });
  }

  release(snapshotAt: number): Promise<number> {
    return this.guard(
      () =>
        this.db
          .prepare("DELETE FROM stock_hold WHERE workspace = ? AND sold_at < ?")
          .run(this.workspace, snapshotAt).changes,
    );
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  private guard<T>(step: () => T): Promise<T> {
    try {
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(
        new OmnifeedError("transient", `stock holds: ${(error as Error).message}`, { where: this.file }),
      );
    }
  }
}
