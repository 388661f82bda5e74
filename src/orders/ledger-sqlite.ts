import Database from "better-sqlite3";
import { OmnifeedError } from "../core/errors.js";
import { orderKeyText, type OrderKey } from "../core/order.js";
import { runWithOrderLock, type OrderLockSteps } from "./ledger-lock.js";
import {
  decodeRecord,
  emptyCounts,
  isOpen,
  ORDER_STATES,
  type LedgerLockOptions,
  type OrderFilter,
  type OrderLedger,
  type OrderRecord,
  type OrderState,
} from "./ledger.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS orders (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    open INTEGER NOT NULL,
    store TEXT,
    store_order_id TEXT,
    record TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS orders_state ON orders (state, key);
  CREATE INDEX IF NOT EXISTS orders_open ON orders (open, key);
  CREATE INDEX IF NOT EXISTS orders_store ON orders (store, store_order_id);
  CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS order_leases (key TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at INTEGER NOT NULL);
`;

const PERMANENT_CODES = new Set([
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
]);

/** The embedded order ledger name, next to the publishing state file. */
export const EMBEDDED_LEDGER_FILE = "omnifeed-orders.sqlite";

/**
 * The embedded ledger: one SQLite file, WAL, so a CLI run needs no server and two CLI processes
 * on one machine share it. `synchronous=FULL`: unlike publishing state, a lost ledger write is an
 * order the next run must find again through the store-side lookup, so each commit is synced.
 * Order locks are lease rows taken in IMMEDIATE transactions.
 */
export class SqliteOrderLedger implements OrderLedger {
  readonly backend = "embedded" as const;
  private readonly db: Database.Database;
  private readonly where: string;
  private readonly statements: ReturnType<SqliteOrderLedger["prepare"]>;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.where = `order ledger ${file}`;
    this.statements = this.prepare();
  }

  static open(file: string): SqliteOrderLedger {
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (error) {
      throw new OmnifeedError("config", `cannot open the order ledger: ${(error as Error).message}`, {
        where: file,
      });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      throw new OmnifeedError("config", `not a usable order ledger: ${(error as Error).message}`, {
        where: file,
      });
    }
    return new SqliteOrderLedger(db, file);
  }

  private prepare() {
    const db = this.db;
    return {
      get: db.prepare<[string], { record: string }>("SELECT record FROM orders WHERE key = ?"),
      put: db.prepare<[string, string, number, string | null, string | null, string]>(
        "INSERT INTO orders (key, state, open, store, store_order_id, record) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, open = excluded.open, store = excluded.store, store_order_id = excluded.store_order_id, record = excluded.record",
      ),
      byStore: db.prepare<[string, string], { record: string }>(
        "SELECT record FROM orders WHERE store = ? AND store_order_id = ? LIMIT 1",
      ),
      page: db.prepare<[string, number], { key: string; state: string; open: number; record: string }>(
        "SELECT key, state, open, record FROM orders WHERE key > ? ORDER BY key LIMIT ?",
      ),
      openPage: db.prepare<[string, number], { key: string; state: string; open: number; record: string }>(
        "SELECT key, state, open, record FROM orders WHERE open = 1 AND key > ? ORDER BY key LIMIT ?",
      ),
      counts: db.prepare<[], { state: string; n: number }>(
        "SELECT state, count(*) AS n FROM orders GROUP BY state",
      ),
      checkpoint: db.prepare<[string], { value: string }>("SELECT value FROM checkpoints WHERE name = ?"),
      setCheckpoint: db.prepare<[string, string]>(
        "INSERT INTO checkpoints (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      ),
      lease: db.prepare<[string], { token: string; expires_at: number }>(
        "SELECT token, expires_at FROM order_leases WHERE key = ?",
      ),
      leaseSet: db.prepare<[string, string, number]>(
        "INSERT OR REPLACE INTO order_leases (key, token, expires_at) VALUES (?, ?, ?)",
      ),
      leaseRenew: db.prepare<[number, string, string]>(
        "UPDATE order_leases SET expires_at = ? WHERE key = ? AND token = ?",
      ),
      leaseRelease: db.prepare<[string, string]>("DELETE FROM order_leases WHERE key = ? AND token = ?"),
    };
  }

  get(key: OrderKey): Promise<OrderRecord | undefined> {
    const text = orderKeyText(key);
    return this.guard(() => {
      const row = this.statements.get.get(text);
      return row && decodeRecord(row.record, `${this.where}: ${text}`);
    });
  }

  put(record: OrderRecord): Promise<void> {
    const text = orderKeyText(record.key);
    return this.guard(() => {
      this.statements.put.run(
        text,
        record.state,
        isOpen(record) ? 1 : 0,
        record.store ?? null,
        record.storeOrderId ?? null,
        JSON.stringify(record),
      );
    });
  }

  findByStoreOrder(store: string, storeOrderId: string): Promise<OrderRecord | undefined> {
    return this.guard(() => {
      const row = this.statements.byStore.get(store, storeOrderId);
      return row && decodeRecord(row.record, `${this.where}: ${store} order ${storeOrderId}`);
    });
  }

  async *list(filter: OrderFilter = {}, pageSize = 500): AsyncIterable<OrderRecord[]> {
    const size = Math.max(1, Math.floor(pageSize));
    const statement = filter.openOnly ? this.statements.openPage : this.statements.page;
    let after = "";
    for (;;) {
      const rows = await this.guard(() => statement.all(after, size));
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.key;
      const wanted = rows.filter((row) => !filter.states || filter.states.includes(row.state as OrderState));
      if (wanted.length > 0) yield wanted.map((row) => decodeRecord(row.record, `${this.where}: ${row.key}`));
      if (rows.length < size) return;
    }
  }

  counts(): Promise<Record<OrderState, number>> {
    return this.guard(() => {
      const counts = emptyCounts();
      for (const row of this.statements.counts.all())
        if ((ORDER_STATES as readonly string[]).includes(row.state)) counts[row.state as OrderState] = row.n;
      return counts;
    });
  }

  checkpoint(name: string): Promise<string | undefined> {
    return this.guard(() => this.statements.checkpoint.get(name)?.value);
  }

  setCheckpoint(name: string, value: string): Promise<void> {
    return this.guard(() => {
      this.statements.setCheckpoint.run(name, value);
    });
  }

  withOrderLock<T>(key: OrderKey, task: () => Promise<T>, options?: LedgerLockOptions): Promise<T> {
    const text = orderKeyText(key);
    const { lease, leaseSet, leaseRenew, leaseRelease } = this.statements;
    const steps: OrderLockSteps = {
      take: (token, ttlMs) =>
        this.guard(() =>
          // IMMEDIATE: the read and the write are one step, so two processes cannot both see it free.
          this.db
            .transaction(() => {
              const now = Date.now();
              const row = lease.get(text);
              if (row !== undefined && row.expires_at > now)
                return { taken: false as const, holder: row.token };
              leaseSet.run(text, token, now + ttlMs);
              return { taken: true as const };
            })
            .immediate(),
        ),
      renew: (token, ttlMs) =>
        this.guard(() => leaseRenew.run(Date.now() + ttlMs, text, token).changes === 1),
      release: (token) =>
        this.guard(() => {
          leaseRelease.run(text, token);
        }),
    };
    return runWithOrderLock(text, steps, task, options);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private guard<T>(step: () => T): Promise<T> {
    try {
      return Promise.resolve(step());
    } catch (error) {
      if (error instanceof OmnifeedError) return Promise.reject(error);
      const code = (error as { code?: unknown }).code;
      const kind = typeof code === "string" && PERMANENT_CODES.has(code) ? "config" : "transient";
      return Promise.reject(
        new OmnifeedError(kind, `order ledger: ${(error as Error).message}`, {
          where: this.where,
          cause: error,
        }),
      );
    }
  }
}
