import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../src/core/errors.js";
import { PACKAGE_ROOT } from "../../src/config/paths.js";
import { openStateStore, type OpenStateStoreOptions } from "../../src/sync/state-open.js";
import type { ItemState, StateStore } from "../../src/sync/state-store.js";

/**
 * The contract of `StateStore` (src/sync/state-store.ts) as tests every backend must pass
 * (STYLE.md: a written contract plus a conformance suite every adapter passes). `open` gives a
 * store and the options that open the same storage again: a second handle is what another process
 * sees, and the lock tests need one (and a child process) to mean anything.
 */
export interface OpenedStateStore {
  store: StateStore;
  /** Opens the same storage again (another connection, as another process would). */
  options: OpenStateStoreOptions;
  /** Removes what the suite stored (its file, its keys). */
  cleanup: () => Promise<void>;
}

const LOCK_HOLDER = resolve(PACKAGE_ROOT, "test/conformance/lock-holder.mjs");
const BUILT_OPEN = resolve(PACKAGE_ROOT, "dist/sync/state-open.js");

/** A state with every field set, different per `n`, so a mixed-up key or field shows. */
export function fullState(key: string, n: number): ItemState {
  return {
    key,
    hashes: { content: `c${n}`, price: `p${n}`, inventory: `i${n}` },
    publishedAt: 1_700_000_000_000 + n,
    outcome: {
      status: "rejected",
      issues: [
        { code: "missing_gtin", message: `GTIN missing (${n})`, severity: "error", attribute: "gtin" },
        { code: "image_small", message: "Image too small", severity: "warning" },
      ],
      at: 1_700_000_000_500 + n,
      error: `kind transient: attempt ${n}`,
    },
    remoteId: `online:en:US:${key}`,
    budget: { windowStart: 1_700_000_000_000, count: n % 3 },
  };
}

/** The smallest state the contract allows: nothing taken yet, no optional field. */
function bareState(key: string): ItemState {
  return { key, hashes: null, publishedAt: 0, outcome: { status: "failed", issues: [], at: 5 } };
}

/** A fresh scope per test, so tests never see each other's items or locks. */
function newScope(label: string): string {
  return `ws-${randomUUID().slice(0, 8)}/${label}/account-1`;
}

function isConflict(error: unknown): boolean {
  return isOmnifeedError(error, "conflict");
}

/** Starts the lock holder child and resolves once it says it holds the lock. */
async function startHolder(
  options: OpenStateStoreOptions,
  scope: string,
  ttlMs: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [LOCK_HOLDER, JSON.stringify({ options, scope, ttlMs })], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done, fail) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("locked\n")) done();
    });
    child.once("exit", (code) => fail(new Error(`lock holder exited (${code}) before locking: ${stderr}`)));
  });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGKILL");
  await exited;
}

export function describeStateStore(name: string, open: () => Promise<OpenedStateStore>): void {
  describe(`StateStore conformance: ${name}`, () => {
    let opened: OpenedStateStore;
    let store: StateStore;
    const extra: StateStore[] = [];

    /** Another handle on the same storage, closed after the suite. */
    async function second(): Promise<StateStore> {
      const other = await openStateStore(opened.options);
      extra.push(other);
      return other;
    }

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });

    afterAll(async () => {
      for (const other of extra) await other.close();
      await store?.close();
      await opened?.cleanup();
    });

    it("names its backend", () => {
      expect(store.backend).toBe(opened.options.backend);
    });

    it("answers undefined for keys never stored, in the order asked", async () => {
      const scope = newScope("unknown");
      await store.put(scope, [fullState("B", 2)]);
      const answer = await store.get(scope, ["A", "B", "C", "B"]);
      expect(answer).toHaveLength(4);
      expect(answer[0]).toBeUndefined();
      expect(answer[1]).toEqual(fullState("B", 2));
      expect(answer[2]).toBeUndefined();
      expect(answer[3]).toEqual(fullState("B", 2));
      expect(await store.get(scope, [])).toEqual([]);
    });

    it("round-trips every field, and the bare minimum, exactly", async () => {
      const scope = newScope("roundtrip");
      const odd = fullState('sku with spaces/ü/"quoted":1', 7);
      await store.put(scope, [fullState("full", 1), bareState("bare"), odd]);
      const [full, bare, back] = await store.get(scope, ["full", "bare", odd.key]);
      expect(full).toStrictEqual(fullState("full", 1));
      // No optional field appears as `undefined`: what comes back is what was put.
      expect(bare).toStrictEqual(bareState("bare"));
      expect(Object.keys(bare!).sort()).toEqual(["hashes", "key", "outcome", "publishedAt"]);
      expect(back).toStrictEqual(odd);
    });

    it("replaces a state on put, and later puts win within one call", async () => {
      const scope = newScope("replace");
      await store.put(scope, [fullState("K", 1)]);
      await store.put(scope, [bareState("K")]);
      expect(await store.get(scope, ["K"])).toStrictEqual([bareState("K")]);
      await store.put(scope, [fullState("K", 2), fullState("K", 3)]);
      expect(await store.get(scope, ["K"])).toStrictEqual([fullState("K", 3)]);
      expect(await store.count(scope)).toBe(1);
    });

    it("keeps scopes apart", async () => {
      const one = newScope("one");
      const two = `${one}-2`;
      await store.put(one, [fullState("shared", 1), fullState("only-one", 2)]);
      await store.put(two, [fullState("shared", 9)]);
      expect(await store.get(one, ["shared"])).toStrictEqual([fullState("shared", 1)]);
      expect(await store.get(two, ["shared", "only-one"])).toStrictEqual([fullState("shared", 9), undefined]);
      expect(await store.count(one)).toBe(2);
      expect(await store.count(two)).toBe(1);
      await store.remove(two, ["shared"]);
      expect(await store.get(one, ["shared"])).toStrictEqual([fullState("shared", 1)]);
      const scanned: string[] = [];
      for await (const page of store.scan(two)) scanned.push(...page.map((state) => state.key));
      expect(scanned).toEqual([]);
    });

    it("removes keys, ignoring keys it never had", async () => {
      const scope = newScope("remove");
      await store.put(scope, [fullState("a", 1), fullState("b", 2), fullState("c", 3)]);
      await store.remove(scope, ["a", "c", "never"]);
      expect(await store.get(scope, ["a", "b", "c"])).toStrictEqual([
        undefined,
        fullState("b", 2),
        undefined,
      ]);
      expect(await store.count(scope)).toBe(1);
      await store.remove(scope, []);
      expect(await store.count(scope)).toBe(1);
    });

    it("counts 0 for a scope never written", async () => {
      expect(await store.count(newScope("empty"))).toBe(0);
    });

    it("scans 2,500 keys in pages of about 100, each key exactly once, and counts them", async () => {
      const scope = newScope("scan");
      const total = 2_500;
      const states = Array.from({ length: total }, (_, n) =>
        fullState(`sku-${String(n).padStart(5, "0")}`, n),
      );
      // Several puts, as a publish stores them batch by batch.
      for (let start = 0; start < total; start += 1000)
        await store.put(scope, states.slice(start, start + 1000));
      expect(await store.count(scope)).toBe(total);

      const seen = new Map<string, number>();
      let pages = 0;
      for await (const page of store.scan(scope, 100)) {
        pages += 1;
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(100);
        for (const state of page) seen.set(state.key, (seen.get(state.key) ?? 0) + 1);
        const sample = page[0]!;
        expect(sample).toStrictEqual(fullState(sample.key, Number(sample.key.slice(4))));
      }
      expect(seen.size).toBe(total);
      expect([...seen.values()].every((times) => times === 1)).toBe(true);
      expect(pages).toBeGreaterThanOrEqual(25);

      // get of all of them at once keeps the order.
      const keys = states.map((state) => state.key).reverse();
      const back = await store.get(scope, keys);
      expect(back.map((state) => state?.key)).toEqual(keys);
    });

    it("lets one holder of a scope's lock run at a time; the second waits its turn", async () => {
      const scope = newScope("mutex");
      const events: string[] = [];
      let inside = 0;
      let overlap = false;
      const task = (label: string) => async () => {
        inside += 1;
        if (inside > 1) overlap = true;
        events.push(`${label}:start`);
        await sleep(150);
        events.push(`${label}:end`);
        inside -= 1;
        return label;
      };
      const other = await second();
      const results = await Promise.all([
        store.withLock(scope, task("a"), { waitMs: 5_000 }),
        other.withLock(scope, task("b"), { waitMs: 5_000 }),
        store.withLock(scope, task("c"), { waitMs: 5_000 }),
      ]);
      expect(results).toEqual(["a", "b", "c"]);
      expect(overlap).toBe(false);
      expect(events).toHaveLength(6);
      for (let index = 0; index < 6; index += 2) {
        expect(events[index]!.split(":")[0]).toBe(events[index + 1]!.split(":")[0]);
      }
    });

    it("runs locks of different scopes at the same time", async () => {
      const one = newScope("par-1");
      const two = newScope("par-2");
      let inside = 0;
      let most = 0;
      const task = async () => {
        inside += 1;
        most = Math.max(most, inside);
        await sleep(200);
        inside -= 1;
      };
      // Both inside at once: no wall-clock bound, which a loaded CI machine would break.
      await Promise.all([
        store.withLock(one, task, { waitMs: 100 }),
        store.withLock(two, task, { waitMs: 100 }),
      ]);
      expect(most).toBe(2);
    });

    it("gives up after waitMs with a conflict naming the holder's pid", async () => {
      const scope = newScope("wait");
      let release!: () => void;
      const held = new Promise<void>((done) => (release = done));
      let entered!: () => void;
      const inside = new Promise<void>((done) => (entered = done));
      const holding = store.withLock(scope, async () => {
        entered();
        await held;
      });
      await inside;
      const other = await second();
      const started = Date.now();
      let ran = false;
      const error = await other
        .withLock(
          scope,
          () => {
            ran = true;
            return Promise.resolve();
          },
          { waitMs: 300 },
        )
        .catch((caught: unknown) => caught);
      const waited = Date.now() - started;
      expect(ran).toBe(false);
      expect(isConflict(error)).toBe(true);
      expect((error as Error).message).toContain(`${scope} is being published by another process`);
      expect((error as Error).message).toContain(`pid ${process.pid}`);
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(2_000);
      release();
      await holding;
      // Released: the next taker gets it at once.
      expect(await other.withLock(scope, () => Promise.resolve("free"), { waitMs: 0 })).toBe("free");
    });

    it("keeps a lock renewed while its task runs longer than the ttl", async () => {
      const scope = newScope("renew");
      const other = await second();
      let entered!: () => void;
      const inside = new Promise<void>((done) => (entered = done));
      const holding = store.withLock(
        scope,
        async () => {
          entered();
          await sleep(2_000);
          return "done";
        },
        { ttlMs: 600 },
      );
      await inside;
      const error = await other
        .withLock(scope, () => Promise.resolve(), { waitMs: 1_500, ttlMs: 600 })
        .catch((caught: unknown) => caught);
      expect(isConflict(error)).toBe(true);
      expect(await holding).toBe("done");
    });

    it("releases the lock when the task throws, and passes the error on", async () => {
      const scope = newScope("throws");
      const failure = new Error("publish went wrong");
      await expect(store.withLock(scope, () => Promise.reject(failure))).rejects.toBe(failure);
      expect(await store.withLock(scope, () => Promise.resolve(42), { waitMs: 0 })).toBe(42);
    });

    it("lets another take the lock of a holder that stopped renewing, once its ttl is over", async () => {
      const scope = newScope("dead");
      const dying = await openStateStore(opened.options);
      let entered!: () => void;
      const inside = new Promise<void>((done) => (entered = done));
      let finish!: () => void;
      const forever = new Promise<void>((done) => (finish = done));
      const holding = dying.withLock(
        scope,
        async () => {
          entered();
          await forever;
        },
        { ttlMs: 600 },
      );
      await inside;
      // The holder "dies": its connection or file handle is gone, so it can neither renew nor release.
      await dying.close();
      const started = Date.now();
      const value = await store.withLock(scope, () => Promise.resolve("taken over"), { waitMs: 5_000 });
      expect(value).toBe("taken over");
      // Not before the dead holder's ttl ran out (less the time since its last renewal).
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      finish();
      await holding.catch(() => undefined);
    });

    it("takes the lock of a holder process killed with SIGKILL after its ttl, not before", async () => {
      if (!existsSync(BUILT_OPEN)) {
        throw new Error(
          `${BUILT_OPEN} is missing: run \`npm run build\` first (npm test does it in pretest)`,
        );
      }
      const scope = newScope("killed");
      const ttlMs = 1_500;
      const child = await startHolder(opened.options, scope, ttlMs);
      try {
        const refused = await store
          .withLock(scope, () => Promise.resolve(), { waitMs: 100 })
          .catch((caught: unknown) => caught);
        expect(isConflict(refused)).toBe(true);
        expect((refused as Error).message).toContain(`pid ${child.pid}`);

        const killedAt = Date.now();
        await killed(child);
        const value = await store.withLock(scope, () => Promise.resolve("after the holder died"), {
          waitMs: ttlMs * 4,
        });
        const after = Date.now() - killedAt;
        expect(value).toBe("after the holder died");
        // The child renews every ttl/3, so its lock outlives it by at least two thirds of the ttl.
        expect(after).toBeGreaterThanOrEqual(ttlMs / 3);
        expect(after).toBeLessThan(ttlMs + 2_000);
      } finally {
        await killed(child);
      }
    });
  });
}
