import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { decodeState, encodeState } from "./state-codec.js";
import type { ItemState } from "./state-store.js";

const accepted: ItemState = {
  key: "SKU-1",
  hashes: { content: "c", price: "p", inventory: "i" },
  publishedAt: 10,
  outcome: { status: "accepted", issues: [], at: 11 },
  remoteId: "online:en:US:SKU-1",
  budget: { windowStart: 5, count: 2 },
};

/** The stored text of `accepted` with one field changed (`undefined` drops it). */
function storedWith(path: string[], value: unknown): string {
  const raw = JSON.parse(encodeState(accepted)) as Record<string, unknown>;
  let target = raw;
  for (const step of path.slice(0, -1)) target = target[step] as Record<string, unknown>;
  if (value === undefined) delete target[path[path.length - 1]!];
  else target[path[path.length - 1]!] = value;
  return JSON.stringify(raw);
}

function decodeError(text: string): Error {
  try {
    decodeState("SKU-1", text, "state file x");
  } catch (error) {
    expect(isOmnifeedError(error, "config")).toBe(true);
    return error as Error;
  }
  throw new Error("decoded a damaged state");
}

describe("state codec", () => {
  it("stores a state without its key and reads back exactly what was put", () => {
    const text = encodeState(accepted);
    expect(JSON.parse(text)).not.toHaveProperty("key");
    expect(decodeState("SKU-1", text, "x")).toStrictEqual(accepted);
    const failed: ItemState = {
      key: "K",
      hashes: null,
      publishedAt: 0,
      outcome: { status: "failed", issues: [], at: 3, error: "transient: timeout" },
    };
    expect(decodeState("K", encodeState(failed), "x")).toStrictEqual(failed);
    const rejected: ItemState = {
      ...accepted,
      outcome: {
        status: "rejected",
        issues: [{ code: "x", message: "m", severity: "error", attribute: "gtin" }],
        at: 1,
      },
    };
    expect(decodeState("SKU-1", encodeState(rejected), "x")).toStrictEqual(rejected);
  });

  it("drops fields it does not know, as zod does", () => {
    const text = storedWith(["extra"], "old field");
    expect(decodeState("SKU-1", text, "x")).toStrictEqual(accepted);
  });

  it.each([
    [["publishedAt"], "yesterday", "publishedAt"],
    [["publishedAt"], undefined, "publishedAt"],
    [["hashes"], undefined, "hashes"],
    [["hashes", "price"], 7, "hashes.price"],
    [["hashes", "inventory"], undefined, "hashes.inventory"],
    [["outcome", "status"], "maybe", "outcome.status"],
    [["outcome", "at"], null, "outcome.at"],
    [["outcome", "issues"], "none", "outcome.issues"],
    [["outcome", "issues"], [{ code: "x", message: "m", severity: "fatal" }], "outcome.issues.0.severity"],
    [["outcome", "error"], 42, "outcome.error"],
    [["remoteId"], 12, "remoteId"],
    [["budget"], { windowStart: 1 }, "budget.count"],
    [["outcome"], undefined, "outcome"],
  ])("refuses a damaged state (%j = %j), naming the key and the field", (path, value, field) => {
    const error = decodeError(storedWith(path, value));
    expect(error.message).toContain('the stored state of "SKU-1" is not a state omnifeed wrote');
    expect(error.message).toContain(field);
    expect(error.message).toMatch(/^state file x: /);
  });

  it("refuses text that is not JSON or not an object", () => {
    expect(decodeError("{oops").message).toContain('"SKU-1" is not JSON');
    expect(decodeError("null").message).toContain("not a state omnifeed wrote");
    expect(decodeError("[1,2]").message).toContain("not a state omnifeed wrote");
  });
});
