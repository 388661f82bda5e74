import type { ItemState, StateStore } from "../../src/sync/state-store.js";

/**
 * A state store in a Map, for unit tests of the planner and the executor: the real backends pass
 * the conformance suite (test/conformance/state-store.ts), this one only keeps what it is given.
 */
export function memoryStateStore(): StateStore & { scopes: Map<string, Map<string, ItemState>> } {
  const scopes = new Map<string, Map<string, ItemState>>();
  const scopeOf = (scope: string) => {
    let states = scopes.get(scope);
    if (!states) scopes.set(scope, (states = new Map<string, ItemState>()));
    return states;
  };
  return {
    backend: "embedded",
    scopes,
    get: (scope, keys) => Promise.resolve(keys.map((key) => structuredClone(scopeOf(scope).get(key)))),
    put: (scope, states) => {
      for (const state of states) scopeOf(scope).set(state.key, structuredClone(state));
      return Promise.resolve();
    },
    remove: (scope, keys) => {
      for (const key of keys) scopeOf(scope).delete(key);
      return Promise.resolve();
    },
    async *scan(scope, pageSize = 100) {
      const all = [...scopeOf(scope).values()];
      for (let start = 0; start < all.length; start += pageSize) {
        yield await Promise.resolve(all.slice(start, start + pageSize));
      }
    },
    count: (scope) => Promise.resolve(scopeOf(scope).size),
    withLock: (_scope, task) => task(),
    close: () => Promise.resolve(),
  };
}
