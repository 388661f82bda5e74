import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { describeStateStore, fullState } from "../../test/conformance/state-store.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";
import { EMBEDDED_STATE_FILE, SqliteStateStore } from "./state-sqlite.js";

describeStateStore("embedded (SQLite)", () => {
  const file = join(makeTempDir("state-embedded"), EMBEDDED_STATE_FILE);
  return Promise.resolve({
    store: SqliteStateStore.open(file),
    options: { backend: "embedded" as const, file },
    // The temp folder is removed after the file (test/support/remove-temp-dirs.ts).
    cleanup: () => Promise.resolve(),
  });
});

describe("embedded state file", () => {
  it("is one SQLite file in WAL mode, stamped with its layout, that keeps states across reopening", async () => {
    const file = join(makeTempDir("state-file"), EMBEDDED_STATE_FILE);
    const store = SqliteStateStore.open(file);
    await store.put("w/google/1", [fullState("A", 1)]);
    await store.close();
    expect(existsSync(file)).toBe(true);

    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version FROM schema_version").all()).toEqual([{ version: 1 }]);
    db.close();

    const again = SqliteStateStore.open(file);
    expect(await again.get("w/google/1", ["A"])).toStrictEqual([fullState("A", 1)]);
    await again.close();
  });

  it("refuses a file written by a newer layout, and a file that is not SQLite, as config errors", async () => {
    const dir = makeTempDir("state-bad");
    const newer = join(dir, "newer.sqlite");
    await SqliteStateStore.open(newer).close();
    const db = new Database(newer);
    db.prepare("UPDATE schema_version SET version = 99").run();
    db.close();
    expect(() => SqliteStateStore.open(newer)).toThrow(/layout 99, written by a newer omnifeed/);

    const garbage = join(dir, "garbage.sqlite");
    writeFileSync(
      garbage,
      "this is not a database, it is a text file that is long enough to have a header...",
    );
    let caught: unknown;
    try {
      SqliteStateStore.open(garbage);
    } catch (error) {
      caught = error;
    }
    expect(isOmnifeedError(caught, "config")).toBe(true);
    expect((caught as Error).message).toContain(garbage);
  });

  it("names the key when a stored state was damaged, instead of handing back garbage", async () => {
    const file = join(makeTempDir("state-damaged"), EMBEDDED_STATE_FILE);
    const store = SqliteStateStore.open(file);
    await store.put("s", [fullState("A", 1), fullState("B", 2)]);
    const db = new Database(file);
    db.prepare("UPDATE item_state SET state = ? WHERE key = 'B'").run(
      '{"hashes":null,"publishedAt":"yesterday"}',
    );
    db.close();
    await expect(store.get("s", ["A", "B"])).rejects.toThrow(
      /stored state of "B" is not a state omnifeed wrote/,
    );
    await store.close();
  });
});
