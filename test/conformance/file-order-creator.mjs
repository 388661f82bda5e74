// One process of the file store's multi-process race: it opens the store, waits for the common
// start time, creates the order and prints the outcome as one JSON line.
// Usage: node file-order-creator.mjs '{"dir": "...", "catalog": "...", "order": <Order>, "startAt": <ms>}'
import { setTimeout as sleep } from "node:timers/promises";
import { createFileStore } from "../../dist/stores/file/index.js";

const { dir, catalog, order, startAt } = JSON.parse(process.argv[2] ?? "{}");
const store = createFileStore({ dir, catalog: { file: catalog } });
await sleep(Math.max(0, startAt - Date.now()));
const ref = await store.createOrder(order, { clock: () => new Date() });
process.stdout.write(`${JSON.stringify(ref)}\n`);
