import { describe, expect, it } from "vitest";
import type { PublishRecord, PublishValues, Section } from "../core/publish.js";
import type { ChannelPublisher, RemoteItem } from "../channels/publisher.js";
import { Reconciler, differencesOf } from "./reconcile.js";

const usd = (amount: number) => ({ amount, currency: "USD" });
function sectionOf(field: string): Section {
  if (field === "price") return "price";
  return field === "availability" ? "inventory" : "content";
}

function record(
  key: string,
  values: PublishValues | undefined,
  status: PublishRecord["status"] = "accepted",
): PublishRecord {
  return {
    key,
    sku: key,
    line: 2,
    status,
    ...(values ? { valuesJson: JSON.stringify(values) } : {}),
    hashes: { content: "c", price: "p", inventory: "i" },
    issues: [],
  };
}

async function reconcilerHolding(items: RemoteItem[]): Promise<Reconciler> {
  const publisher: ChannelPublisher = {
    channel: "meta",
    account: "cat",
    maxBatch: 10,
    send: () => Promise.resolve([]),
    // Two pages, as a channel with cursor paging gives them.
    list: async function* () {
      yield await Promise.resolve(items.slice(0, 1));
      yield items.slice(1);
    },
    get: () => Promise.resolve([]),
  };
  const context = {
    signal: new AbortController().signal,
    limiter: { take: () => Promise.resolve(), pause: () => Promise.resolve() },
  };
  return Reconciler.load(publisher, context);
}

describe("differencesOf", () => {
  it("compares only the fields both sides have, money by amount and currency", () => {
    expect(differencesOf({ price: usd(1500), title: "A" }, { price: usd(1500) })).toEqual([]);
    expect(differencesOf({ price: usd(1500), title: "A" }, { price: usd(1200), color: "red" })).toEqual([
      { field: "price", ours: usd(1500), theirs: usd(1200) },
    ]);
  });
});

describe("Reconciler", () => {
  it("finds missing, orphaned, drifted and rejected items and plans their fixes", async () => {
    const reconciler = await reconcilerHolding([
      { key: "SAME", values: { price: usd(100) }, status: "active", issues: [] },
      { key: "DRIFT", values: { price: usd(90), availability: "in stock" }, status: "active", issues: [] },
      {
        key: "BAD",
        values: { price: usd(100) },
        status: "rejected",
        issues: [{ code: "policy", message: "no", severity: "error" }],
      },
      { key: "ORPHAN", values: {}, status: "active", issues: [], remoteId: "r-orphan" },
    ]);
    const fixes = reconciler.check(
      [
        record("SAME", { price: usd(100) }),
        record("DRIFT", { price: usd(100), availability: "in stock" }),
        record("BAD", { price: usd(100) }),
        record("GONE", { price: usd(100) }),
        record("FILTERED", undefined, "filtered"),
      ],
      [],
      sectionOf,
    );
    expect(fixes.map((fix) => [fix.op, fix.key, fix.sections])).toEqual([
      ["update", "DRIFT", ["price"]],
      ["create", "GONE", ["content", "price", "inventory"]],
    ]);
    const deletes = reconciler.orphans(new Map());
    expect(deletes).toEqual([{ op: "delete", key: "ORPHAN", sections: [], remoteId: "r-orphan" }]);
    expect(reconciler.counts).toMatchObject({
      held: 4,
      intended: 4,
      inStep: 1,
      missing: 1,
      orphaned: 1,
      drifted: 1,
      rejected: 1,
    });
    expect(reconciler.findings.find((finding) => finding.kind === "rejected")?.issues?.[0]?.code).toBe(
      "policy",
    );
  });
});

describe("equivalent spellings", () => {
  it("takes a time in another offset and a whole number as text as the same value, not other values", () => {
    expect(
      differencesOf(
        { sale: { start: "2026-11-27T00:00-08:00" } },
        { sale: { start: "2026-11-27T08:00:00.000Z" } },
      ),
    ).toEqual([]);
    expect(differencesOf({ days: [{ min: 0, max: 1 }] }, { days: [{ min: "0", max: "1" }] })).toEqual([]);
    expect(
      differencesOf(
        { sale: { start: "2026-11-27T00:00-08:00" } },
        { sale: { start: "2026-11-27T09:00:00.000Z" } },
      ),
    ).toHaveLength(1);
    expect(differencesOf({ days: 1 }, { days: "2" })).toHaveLength(1);
    expect(differencesOf({ tags: ["a", "b"] }, { tags: ["a"] })).toHaveLength(1);
  });
});
