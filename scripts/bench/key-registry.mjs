// Memory and time of the duplicate-key check at 1M keys × 3 channels, against a Set of strings
// per channel (ADR 0005). Run after `npm run build`: node --expose-gc scripts/bench/key-registry.mjs
import { performance } from "node:perf_hooks";
import { KeyRegistry } from "../../dist/pipeline/key-registry.js";

const COUNT = Number(process.argv[2] ?? 1_000_000);
const CHANNELS = 3;
const keyOf = (index) => `SKU-${String(index).padStart(7, "0")}-${(index * 2654435761) % 9973}`;

function used() {
  globalThis.gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function measure(name, run) {
  // Keys are made per item, as batch outputs arrive; only what the check keeps stays alive.
  const before = used();
  const started = performance.now();
  const kept = run();
  const ms = performance.now() - started;
  const bytes = used() - before;
  console.log(
    `${name.padEnd(34)} ${(bytes / 1e6).toFixed(1).padStart(7)} MB ${ms.toFixed(0).padStart(6)} ms`,
  );
  return kept;
}

measure(`KeyRegistry, ${CHANNELS} channels, same keys`, () => {
  const registry = new KeyRegistry(CHANNELS);
  for (let index = 0; index < COUNT; index += 1) {
    const key = keyOf(index);
    for (let channel = 0; channel < CHANNELS; channel += 1) registry.firstLineOf(channel, key, index + 2);
  }
  return registry;
});
measure(`KeyRegistry, ${CHANNELS} channels, own keys`, () => {
  const registry = new KeyRegistry(CHANNELS);
  for (let index = 0; index < COUNT; index += 1) {
    for (let channel = 0; channel < CHANNELS; channel += 1)
      registry.firstLineOf(channel, `${channel}:${keyOf(index)}`, index + 2);
  }
  return registry;
});
measure(`Map<string, line> × ${CHANNELS}`, () => {
  const maps = Array.from({ length: CHANNELS }, () => new Map());
  for (let index = 0; index < COUNT; index += 1) {
    for (const map of maps) {
      // A fresh string per channel, as each channel's keys arrive from a worker on their own.
      const key = keyOf(index);
      if (!map.has(key)) map.set(key, index + 2);
    }
  }
  return maps;
});
