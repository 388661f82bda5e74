import { describe, expect, it } from "vitest";
import type { SectionHashes } from "../core/publish.js";
import { budgetAfterSend, decide } from "./delta-plan.js";
import type { ItemState } from "./state-store.js";

const hashes = (content: string, price: string, inventory: string): SectionHashes => ({
  content,
  price,
  inventory,
});
const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

function stateOf(overrides: Partial<ItemState> = {}): ItemState {
  return {
    key: "SKU-1",
    hashes: hashes("c", "p", "i"),
    publishedAt: NOW - 1000,
    outcome: { status: "accepted", issues: [], at: NOW - 1000 },
    ...overrides,
  };
}

describe("decide", () => {
  it("creates an item never stored, one whose first send failed, and one the channel never took", () => {
    expect(decide(hashes("c", "p", "i"), undefined, undefined, NOW)).toEqual({ kind: "create" });
    expect(decide(hashes("c", "p", "i"), stateOf({ hashes: null, publishedAt: 0 }), undefined, NOW)).toEqual({
      kind: "create",
    });
    // Refused at create, then changed: the channel does not hold it, so it is a create again.
    const refused = stateOf({ publishedAt: 0, outcome: { status: "rejected", issues: [], at: NOW } });
    expect(decide(hashes("c2", "p", "i"), refused, undefined, NOW)).toEqual({ kind: "create" });
  });

  it("sends nothing for an unchanged item, nor for the same payload the channel refused", () => {
    expect(decide(hashes("c", "p", "i"), stateOf(), undefined, NOW)).toEqual({ kind: "unchanged" });
    const refused = stateOf({ publishedAt: 0, outcome: { status: "rejected", issues: [], at: NOW } });
    expect(decide(hashes("c", "p", "i"), refused, undefined, NOW)).toEqual({ kind: "unchanged" });
  });

  it("updates only the sections whose hash changed", () => {
    expect(decide(hashes("c", "p2", "i"), stateOf(), undefined, NOW)).toEqual({
      kind: "update",
      sections: ["price"],
    });
    expect(decide(hashes("c", "p", "i2"), stateOf(), undefined, NOW)).toEqual({
      kind: "update",
      sections: ["inventory"],
    });
    expect(decide(hashes("c2", "p2", "i"), stateOf(), undefined, NOW)).toEqual({
      kind: "update",
      sections: ["content", "price"],
    });
  });

  it("defers an update past the item's budget for the window, and sends it once the window has passed", () => {
    const budget = { updates: 2, windowMs: DAY };
    const spent = stateOf({ budget: { windowStart: NOW - 1000, count: 2 } });
    expect(decide(hashes("c", "p2", "i"), spent, budget, NOW)).toEqual({
      kind: "deferred",
      sections: ["price"],
    });
    expect(decide(hashes("c", "p2", "i"), spent, budget, NOW + DAY)).toEqual({
      kind: "update",
      sections: ["price"],
    });
    const once = stateOf({ budget: { windowStart: NOW - 1000, count: 1 } });
    expect(decide(hashes("c", "p2", "i"), once, budget, NOW)).toEqual({
      kind: "update",
      sections: ["price"],
    });
    // Without a budget the counter is not looked at.
    expect(decide(hashes("c", "p2", "i"), spent, undefined, NOW)).toEqual({
      kind: "update",
      sections: ["price"],
    });
  });
});

describe("budgetAfterSend", () => {
  const budget = { updates: 2, windowMs: DAY };
  it("starts a window, counts within it, and starts a new one after it", () => {
    expect(budgetAfterSend(undefined, budget, NOW)).toEqual({ windowStart: NOW, count: 1 });
    const state = stateOf({ budget: { windowStart: NOW, count: 1 } });
    expect(budgetAfterSend(state, budget, NOW + 5)).toEqual({ windowStart: NOW, count: 2 });
    expect(budgetAfterSend(state, budget, NOW + DAY)).toEqual({ windowStart: NOW + DAY, count: 1 });
    expect(budgetAfterSend(state, undefined, NOW)).toEqual({ windowStart: NOW, count: 1 });
  });
});
