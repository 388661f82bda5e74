import { describe, expect, it } from "vitest";
import type { ItemOutcome, SectionHashes } from "../core/publish.js";
import type { Change, ChannelPublisher } from "../channels/publisher.js";
import { memoryStateStore } from "../../test/support/memory-state-store.js";
import type { PlannedChange } from "./delta-plan.js";
import { PublishExecutor, stateAfter } from "./publish-executor.js";
import type { ItemState } from "./state-store.js";

const NOW = 1_800_000_000_000;
const OLD: SectionHashes = { content: "c", price: "p", inventory: "i" };
const NEW: SectionHashes = { content: "c", price: "p2", inventory: "i" };
const prior: ItemState = {
  key: "A",
  hashes: OLD,
  publishedAt: NOW - 5000,
  outcome: { status: "accepted", issues: [], at: NOW - 5000 },
  remoteId: "remote-A",
};
const update: PlannedChange = {
  op: "update",
  key: "A",
  sections: ["price"],
  values: { price: "x" },
  hashes: NEW,
  prior,
};
const outcome = (status: ItemOutcome["status"], extra: Partial<ItemOutcome> = {}): ItemOutcome => ({
  key: "A",
  op: "update",
  status,
  issues: [],
  ...extra,
});

describe("stateAfter", () => {
  it("accepted: keeps the new hashes, the time and the channel's id", () => {
    expect(stateAfter(update, outcome("accepted"), NOW, undefined)).toMatchObject({
      hashes: NEW,
      publishedAt: NOW,
      remoteId: "remote-A",
      outcome: { status: "accepted" },
    });
  });

  it("rejected: keeps the new hashes (the same payload is not sent again) but not a new published time", () => {
    const issue = { code: "8541", message: "bad price", severity: "error" as const };
    expect(stateAfter(update, outcome("rejected", { issues: [issue] }), NOW, undefined)).toMatchObject({
      hashes: NEW,
      publishedAt: NOW - 5000,
      outcome: { status: "rejected", issues: [issue] },
    });
    const create: PlannedChange = {
      op: "create",
      key: "B",
      sections: ["content", "price", "inventory"],
      hashes: NEW,
    };
    expect(
      stateAfter(create, { ...outcome("rejected"), key: "B", op: "create" }, NOW, undefined),
    ).toMatchObject({
      hashes: NEW,
      publishedAt: 0,
    });
  });

  it("failed: keeps the old hashes so the change is planned again, and says why", () => {
    expect(stateAfter(update, outcome("failed", { error: "HTTP 503" }), NOW, undefined)).toMatchObject({
      hashes: OLD,
      publishedAt: NOW - 5000,
      outcome: { status: "failed", error: "HTTP 503" },
    });
  });

  it("delete: forgotten when accepted, kept (to be sent again) otherwise", () => {
    const del: PlannedChange = { op: "delete", key: "A", sections: [], prior };
    expect(stateAfter(del, { ...outcome("accepted"), op: "delete" }, NOW, undefined)).toBe("remove");
    expect(stateAfter(del, { ...outcome("failed"), op: "delete" }, NOW, undefined)).toMatchObject({
      hashes: OLD,
      outcome: { status: "failed" },
    });
  });
});

describe("PublishExecutor", () => {
  function publisher(answer: (change: Change) => ItemOutcome | undefined, maxBatch = 2) {
    const calls: Change[][] = [];
    const definition: ChannelPublisher = {
      channel: "google",
      account: "acct",
      maxBatch,
      send: (changes) => {
        calls.push([...changes]);
        return Promise.resolve(
          changes.map(answer).filter((entry): entry is ItemOutcome => entry !== undefined),
        );
      },
      list: async function* () {},
      get: () => Promise.resolve([]),
    };
    return { definition, calls };
  }
  const context = {
    signal: new AbortController().signal,
    limiter: { take: () => Promise.resolve(), pause: () => Promise.resolve() },
  };

  async function* once(changes: PlannedChange[]) {
    yield await Promise.resolve(changes);
  }

  it("cuts batches to the channel's size, records every outcome, and counts a missing answer as failed", async () => {
    const store = memoryStateStore();
    const { definition, calls } = publisher((change) =>
      change.key === "C"
        ? undefined
        : {
            key: change.key,
            op: change.op,
            status: change.key === "B" ? "rejected" : "accepted",
            issues: change.key === "B" ? [{ code: "X", message: "no", severity: "error" }] : [],
            remoteId: `r-${change.key}`,
          },
    );
    const changes: PlannedChange[] = ["A", "B", "C"].map((key) => ({
      op: "create",
      key,
      sections: ["content", "price", "inventory"],
      values: { title: key },
      hashes: NEW,
    }));
    const executor = new PublishExecutor(definition, { store, scope: "w/google/acct", context, now: NOW });
    await executor.run(once(changes));
    expect(calls.map((batch) => batch.map((change) => change.key))).toEqual([["A", "B"], ["C"]]);
    // The executor's bookkeeping (hashes, prior state) never reaches the channel.
    expect(calls[0]![0]).not.toHaveProperty("hashes");
    const result = executor.result();
    expect(result.outcomes.create).toEqual({ accepted: 1, rejected: 1, failed: 1 });
    expect(result.topReasons).toEqual([{ code: "X", message: "no", items: 1, examples: ["B"] }]);
    expect(result.failures).toEqual([{ error: "google gave no outcome for this change", items: 1 }]);
    const [a, b, c] = await store.get("w/google/acct", ["A", "B", "C"]);
    expect(a).toMatchObject({ publishedAt: NOW, remoteId: "r-A", hashes: NEW });
    expect(b).toMatchObject({ publishedAt: 0, hashes: NEW, outcome: { status: "rejected" } });
    expect(c).toMatchObject({ publishedAt: 0, hashes: null, outcome: { status: "failed" } });
  });

  it("stops before the next batch when the run is aborted, keeping what was recorded", async () => {
    const store = memoryStateStore();
    const controller = new AbortController();
    const { definition } = publisher((change) => {
      controller.abort(new Error("stop"));
      return { key: change.key, op: change.op, status: "accepted", issues: [] };
    }, 1);
    const executor = new PublishExecutor(definition, {
      store,
      scope: "s",
      context: { ...context, signal: controller.signal },
      now: NOW,
    });
    const changes: PlannedChange[] = ["A", "B"].map((key) => ({
      op: "create",
      key,
      sections: ["content"],
      hashes: NEW,
    }));
    await expect(executor.run(once(changes))).rejects.toThrow("stop");
    expect(await store.count("s")).toBe(1);
  });
});
