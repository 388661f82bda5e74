import Database from "better-sqlite3";
import { OmnifeedError } from "../core/errors.js";
import { decodeState, encodeState } from "./state-codec.js";
import { runLocked, type LockOwner, type LockSteps, type LockTiming } from "./state-lock.js";
import type { ItemState, StateStore } from "./state-store.js";

export { EMBEDDED_STATE_FILE } from "./state-files.js";

/** The layout this code writes; a file stamped with a later one was written by a newer omnifeed. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS item_state (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS locks (
    scope TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
`;

/** Rows per statement batch inside one transaction: bounds the JS arrays a huge `get` builds. */
const DEFAULT_PAGE = 1000;

/** SQLite failures no retry mends (adr/0010: a full disk or an unwritable file is `config`). */
const PERMANENT_CODES = new Set([
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
]);

interface Row {
  key: string;
  state: string;
}

/**
 * The embedded state store: one SQLite file (better-sqlite3), so a CLI run needs no server.
 * WAL lets a `scan` read while another process writes; `synchronous=NORMAL` in WAL loses at most
 * the last transactions on power loss, never the file, and a lost state only means an item is
 * sent again. Locks are rows with an expiry, taken in IMMEDIATE transactions, so they work across
 * processes sharing the file (adr/0011).
 */
export class SqliteStateStore implements StateStore {
  readonly backend = "embedded" as const;
  private readonly db: Database.Database;
  private readonly where: string;
  private readonly statements: ReturnType<SqliteStateStore["prepare"]>;

  private constructor(
    db: Database.Database,
    file: string,
    private readonly lock: Partial<LockTiming>,
  ) {
    this.db = db;
    this.where = `state file ${file}`;
    this.statements = this.prepare();
  }

  /**
   * Opens (creating when absent) the state file; `config` when it is not a state file omnifeed can
   * use. `lock` sets the ttl and wait of locks whose `withLock` call names none.
   */
  static open(file: string, lock: Partial<LockTiming> = {}): SqliteStateStore {
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (error) {
      throw new OmnifeedError("config", `cannot open the state file: ${(error as Error).message}`, {
        where: file,
      });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // Another process in a short write transaction (a lock, a batch of puts) is waited for,
      // not reported as SQLITE_BUSY.
      db.pragma("busy_timeout = 5000");
      db.transaction(() => {
        db.exec(SCHEMA);
        const row = db.prepare("SELECT max(version) AS version FROM schema_version").get() as {
          version: number | null;
        };
        if (row.version === null)
          db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION);
        else if (row.version > SCHEMA_VERSION) {
          throw new OmnifeedError(
            "config",
            `the state file has layout ${row.version}, written by a newer omnifeed (this one reads ${SCHEMA_VERSION})`,
            { where: file },
          );
        }
      }).immediate();
    } catch (error) {
      db.close();
      if (error instanceof OmnifeedError) throw error;
      throw new OmnifeedError("config", `not a usable state file: ${(error as Error).message}`, {
        where: file,
      });
    }
    return new SqliteStateStore(db, file, lock);
  }

  private prepare() {
    const db = this.db;
    return {
      // One statement per batch: the keys go in as one JSON array and come back in its order.
      getMany: db.prepare<[{ scope: string; keys: string }], { state: string | null }>(
        "SELECT s.state AS state FROM json_each(@keys) AS k LEFT JOIN item_state AS s ON s.scope = @scope AND s.key = k.value ORDER BY k.key",
      ),
      put: db.prepare<[string, string, string]>(
        "INSERT INTO item_state (scope, key, state) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state",
      ),
      remove: db.prepare<[string, string]>("DELETE FROM item_state WHERE scope = ? AND key = ?"),
      // Pages by key through the primary key's b-tree: each page is a seek, nothing is held between pages.
      page: db.prepare<[string, string, number], Row>(
        "SELECT key, state FROM item_state WHERE scope = ? AND key > ? ORDER BY key LIMIT ?",
      ),
      count: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM item_state WHERE scope = ?"),
      lockRow: db.prepare<[string], { owner: string; pid: number; host: string; expires_at: number }>(
        "SELECT owner, pid, host, expires_at FROM locks WHERE scope = ?",
      ),
      lockSet: db.prepare<[string, string, number, string, number]>(
        "INSERT OR REPLACE INTO locks (scope, owner, pid, host, expires_at) VALUES (?, ?, ?, ?, ?)",
      ),
      lockRenew: db.prepare<[number, string, string]>(
        "UPDATE locks SET expires_at = ? WHERE scope = ? AND owner = ?",
      ),
      lockRelease: db.prepare<[string, string]>("DELETE FROM locks WHERE scope = ? AND owner = ?"),
    };
  }

  get(scope: string, keys: readonly string[]): Promise<(ItemState | undefined)[]> {
    return this.guard(() => {
      const rows = this.statements.getMany.all({ scope, keys: JSON.stringify(keys) });
      return rows.map(({ state }, index) =>
        state === null ? undefined : decodeState(keys[index]!, state, this.where),
      );
    });
  }

  put(scope: string, states: readonly ItemState[]): Promise<void> {
    return this.guard(() => {
      const { put } = this.statements;
      const encoded = states.map((state) => [state.key, encodeState(state)] as const);
      this.db.transaction(() => {
        for (const [key, text] of encoded) put.run(scope, key, text);
      })();
    });
  }

  remove(scope: string, keys: readonly string[]): Promise<void> {
    return this.guard(() => {
      const { remove } = this.statements;
      this.db.transaction(() => {
        for (const key of keys) remove.run(scope, key);
      })();
    });
  }

  async *scan(scope: string, pageSize = DEFAULT_PAGE): AsyncIterable<ItemState[]> {
    const size = Math.max(1, Math.floor(pageSize));
    let after = "";
    for (;;) {
      const rows = await this.guard(() => this.statements.page.all(scope, after, size));
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.key;
      yield rows.map((row) => decodeState(row.key, row.state, this.where));
      if (rows.length < size) return;
    }
  }

  count(scope: string): Promise<number> {
    return this.guard(() => this.statements.count.get(scope)!.n);
  }

  withLock<T>(
    scope: string,
    task: () => Promise<T>,
    options?: { waitMs?: number; ttlMs?: number },
  ): Promise<T> {
    return runLocked(scope, this.lockSteps(scope), task, { ...this.lock, ...options });
  }

  private lockSteps(scope: string): LockSteps {
    const { lockRow, lockSet, lockRenew, lockRelease } = this.statements;
    return {
      take: (owner: LockOwner, ttlMs: number) =>
        this.guard(() =>
          // IMMEDIATE: the read and the write are one step, so two processes cannot both see it free.
          this.db
            .transaction(() => {
              const now = Date.now();
              const row = lockRow.get(scope);
              if (row !== undefined && row.expires_at > now) {
                return { taken: false as const, holder: { pid: row.pid, host: row.host } };
              }
              lockSet.run(scope, owner.id, owner.pid, owner.host, now + ttlMs);
              return { taken: true as const };
            })
            .immediate(),
        ),
      renew: (owner, ttlMs) =>
        this.guard(() => lockRenew.run(Date.now() + ttlMs, scope, owner.id).changes === 1),
      release: (owner) =>
        this.guard(() => {
          lockRelease.run(scope, owner.id);
        }),
    };
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  /** Runs a synchronous step as a promise; SQLite errors become `transient` with the file named. */
  private guard<T>(step: () => T): Promise<T> {
    try {
      return Promise.resolve(step());
    } catch (error) {
      if (error instanceof OmnifeedError) return Promise.reject(error);
      const code = (error as { code?: unknown }).code;
      const kind = typeof code === "string" && PERMANENT_CODES.has(code) ? "config" : "transient";
      return Promise.reject(
        new OmnifeedError(kind, `state store: ${(error as Error).message}`, {
          where: this.where,
          cause: error,
        }),
      );
    }
  }
}
