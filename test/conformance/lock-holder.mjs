// A process that takes a state-store lock and holds it until it is killed: the conformance suite
// SIGKILLs it to check that a dead holder's lock lapses after its ttl, across processes.
// Usage: node lock-holder.mjs '{"options": <OpenStateStoreOptions>, "scope": "...", "ttlMs": 1500}'
import { openStateStore } from "../../dist/sync/state-open.js";

const { options, scope, ttlMs } = JSON.parse(process.argv[2] ?? "{}");
const store = await openStateStore(options);
// Keeps the process alive (the embedded store holds no socket open).
globalThis.setInterval(() => undefined, 60_000);
await store.withLock(
  scope,
  async () => {
    process.stdout.write("locked\n");
    await new Promise(() => undefined);
  },
  { ttlMs, waitMs: 0 },
);
