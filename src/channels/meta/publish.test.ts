import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isOmnifeedError } from "../../core/errors.js";
import type { PublishValues } from "../../core/publish.js";
import { startMetaSimulator, type MetaSimulator } from "../../dev/simulators/meta.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { Change, ChannelPublisher, PublishContext } from "../publisher.js";
import { compilePublishValues } from "../publish-values.js";
import { MetaAccountSchema } from "./config.js";
import { META_FIELDS } from "./fields.js";
import {
  createMetaPublisher,
  META_DEFAULT_RATE_LIMIT,
  metaPublisher,
  moneyOfGraphPrice,
  outcomesOf,
  requestOf,
  splitRequests,
} from "./publish.js";
import { publisherOf } from "../publishers.js";

/** Values as `metaChannel.publishValues` yields them: from an item's attributes in feed spelling. */
const typed = compilePublishValues(META_FIELDS);

function valuesOf(id: string, overrides: Record<string, unknown> = {}): PublishValues {
  return typed({
    id,
    title: `Acme Tee ${id}`,
    description: "100% cotton tee.",
    availability: "in stock",
    condition: "new",
    price: "15.00 USD",
    link: `https://example.com/p/${id}`,
    image_link: `https://example.com/i/${id}.jpg`,
    brand: "Acme",
    item_group_id: "TS",
    quantity_to_sell_on_facebook: "7",
    shipping: [{ country: "US", region: "CA", service: "Ground", price: "4.99 USD" }],
    ...overrides,
  });
}

const create = (key: string, overrides: Record<string, unknown> = {}): Change => ({
  op: "create",
  key,
  sections: ["content", "price", "inventory"],
  values: valuesOf(key, overrides),
});

/** An in-process token bucket, as the embedded mode's limiter behaves; records pauses. */
function testLimiter(perSecond: number, burst: number): RateLimiter & { pauses: number[] } {
  let tokens = burst;
  let at = Date.now();
  let pausedUntil = 0;
  const pauses: number[] = [];
  return {
    pauses,
    async take(cost = 1) {
      for (;;) {
        const now = Date.now();
        tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
        at = now;
        if (now >= pausedUntil && tokens >= cost) {
          tokens -= cost;
          return;
        }
        await sleep(Math.max(pausedUntil - now, ((cost - tokens) / perSecond) * 1000, 1));
      }
    },
    async pause(waitMs) {
      pauses.push(waitMs);
      pausedUntil = Math.max(pausedUntil, Date.now() + waitMs);
      await Promise.resolve();
    },
  };
}

const unlimited = (): PublishContext => ({
  signal: new AbortController().signal,
  limiter: testLimiter(1_000, 1_000),
});

let sim: MetaSimulator;
let publisher: ChannelPublisher;

function publisherFor(
  simulator: MetaSimulator,
  tuning: Parameters<typeof createMetaPublisher>[3] = {},
  token = simulator.accessToken,
): ChannelPublisher {
  const account = MetaAccountSchema.parse({ ...simulator.accountSettings, poll_interval_ms: 10 });
  return createMetaPublisher(
    { ...account, catalog_id: simulator.catalogId },
    token,
    simulator.env.OMNIFEED_META_APP_SECRET,
    { attempts: 6, baseDelayMs: 5, maxDelayMs: 40, ...tuning },
  );
}

beforeEach(async () => {
  sim = await startMetaSimulator({ processingDelayMs: 30 });
  publisher = publisherFor(sim);
});

afterEach(async () => {
  await sim.close();
});

const batchCalls = (simulator: MetaSimulator) =>
  simulator.calls.filter((recorded) => recorded.path.endsWith("/items_batch"));

describe("metaPublisher.send", () => {
  it("creates items with Meta's spelling and waits until the batch is applied", async () => {
    const outcomes = await publisher.send(
      [
        create("TS-RED-M", {
          sale_price: "12.00 USD",
          sale_price_effective_date: "2026-11-27T00:00-0800/2026-12-01T23:59-0800",
        }),
        create("TS-RED-L"),
      ],
      unlimited(),
    );
    expect(outcomes.map((outcome) => [outcome.key, outcome.status])).toEqual([
      ["TS-RED-M", "accepted"],
      ["TS-RED-L", "accepted"],
    ]);
    const held = sim.items().get("TS-RED-M")!.fields;
    expect(held).toMatchObject({
      id: "TS-RED-M",
      title: "Acme Tee TS-RED-M",
      price: "15.00 USD",
      sale_price: "12.00 USD",
      sale_price_effective_date: "2026-11-27T00:00-0800/2026-12-01T23:59-0800",
      availability: "in stock",
      quantity_to_sell_on_facebook: 7,
      shipping: [
        {
          shipping_country: "US",
          shipping_region: "CA",
          shipping_service: "Ground",
          shipping_price_value: 4.99,
          shipping_price_currency: "USD",
        },
      ],
    });
    const [batch] = batchCalls(sim);
    expect(batchCalls(sim)).toHaveLength(1);
    expect(batch!.body).toMatchObject({ item_type: "PRODUCT_ITEM", allow_upsert: true });
    // The token travels in the Authorization header only, never in a URL.
    expect(JSON.stringify(sim.calls)).not.toContain(sim.accessToken);
    expect(sim.calls.some((recorded) => recorded.path.endsWith("/check_batch_request_status"))).toBe(true);
  });

  it("sends a price-only change as one UPDATE carrying the price fields alone", async () => {
    await publisher.send([create("TS-RED-M", { sale_price: "12.00 USD" }), create("TS-RED-L")], unlimited());
    sim.resetCalls();
    const outcomes = await publisher.send(
      [
        {
          op: "update",
          key: "TS-RED-M",
          sections: ["price"],
          values: valuesOf("TS-RED-M", { price: "17.50 USD", title: "Changed too" }),
        },
      ],
      unlimited(),
    );
    expect(outcomes).toEqual([{ key: "TS-RED-M", op: "update", status: "accepted", issues: [] }]);
    const calls = batchCalls(sim);
    expect(calls).toHaveLength(1);
    const requests = (calls[0]!.body as { requests: { method: string; data: Record<string, unknown> }[] })
      .requests;
    // The sale ended: its fields are cleared; nothing of the content section goes along.
    expect(requests).toEqual([
      {
        method: "UPDATE",
        data: { id: "TS-RED-M", price: "17.50 USD", sale_price: "", sale_price_effective_date: "" },
      },
    ]);
    const held = sim.items().get("TS-RED-M")!.fields;
    expect(held).toMatchObject({ price: "17.50 USD", title: "Acme Tee TS-RED-M" });
    expect(held).not.toHaveProperty("sale_price");
  });

  it("deletes with the id alone", async () => {
    await publisher.send([create("A"), create("B")], unlimited());
    sim.resetCalls();
    const outcomes = await publisher.send([{ op: "delete", key: "A", sections: [] }], unlimited());
    expect(outcomes).toEqual([{ key: "A", op: "delete", status: "accepted", issues: [] }]);
    expect((batchCalls(sim)[0]!.body as { requests: unknown[] }).requests).toEqual([
      { method: "DELETE", data: { id: "A" } },
    ]);
    expect([...sim.items().keys()]).toEqual(["B"]);
  });

  it("rejects the items Meta refuses with Meta's reasons, and accepts the rest of the batch", async () => {
    sim.rejectItem("BANNED", { code: "policy", message: "Item violates the commerce policy: weapons." });
    const outcomes = await publisher.send(
      [create("BANNED"), create("UNDERSCORE", { availability: "in stock" }), create("GOOD")].map((change) =>
        change.key === "UNDERSCORE"
          ? { ...change, values: { ...change.values, availability: "in_stock" } }
          : change,
      ),
      unlimited(),
    );
    const byKey = new Map(outcomes.map((outcome) => [outcome.key, outcome]));
    expect(byKey.get("BANNED")).toMatchObject({
      status: "rejected",
      issues: [
        {
          code: "items_batch.error",
          message: "Item violates the commerce policy: weapons.",
          severity: "error",
        },
      ],
    });
    expect(byKey.get("UNDERSCORE")).toMatchObject({
      status: "rejected",
      issues: [
        {
          message: 'Invalid value for availability: "in_stock".',
          attribute: "availability",
          severity: "error",
        },
      ],
    });
    expect(byKey.get("GOOD")?.status).toBe("accepted");
    expect([...sim.items().keys()]).toEqual(["GOOD"]);
  });

  it("rides out a 429 storm and a 5xx burst with one outcome per change", async () => {
    // Five failures in a row: within the six attempts each call gets.
    sim.failNext(2, 429);
    sim.failNext(2, 503);
    sim.failNext(1, 500);
    const changes = Array.from({ length: 20 }, (_, index) => create(`K-${index}`));
    const outcomes = await publisher.send(changes, unlimited());
    expect(outcomes).toHaveLength(20);
    expect(outcomes.every((outcome) => outcome.status === "accepted")).toBe(true);
    expect(sim.items().size).toBe(20);
    expect(sim.calls.filter((recorded) => recorded.status >= 400).map((recorded) => recorded.status)).toEqual(
      [429, 429, 503, 503, 500],
    );
  });

  it("reports every change failed, without secrets, when retries run out — and nothing is lost", async () => {
    const short = publisherFor(sim, { attempts: 2 });
    sim.failNext(2, 502);
    const changes = Array.from({ length: 5 }, (_, index) => create(`F-${index}`));
    const outcomes = await short.send(changes, unlimited());
    expect(outcomes.map((outcome) => outcome.key).sort()).toEqual(changes.map((change) => change.key).sort());
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("failed");
      expect(outcome.error).toMatch(/^transient: .*items_batch.*\(#2\) An unexpected error has occurred/);
      expect(outcome.error).not.toContain(sim.accessToken);
    }
    expect(sim.items().size).toBe(0);
    // The next run sends them again and they land.
    const again = await short.send(changes, unlimited());
    expect(again.every((outcome) => outcome.status === "accepted")).toBe(true);
  });

  it("splits by size, and with the account's limiter never meets the catalog's throttle", async () => {
    await sim.close();
    sim = await startMetaSimulator({ processingDelayMs: 5, rateLimit: { perSecond: 20, burst: 2 } });
    const sized = publisherFor(sim, { maxBodyBytes: 3_000 });
    const changes = Array.from({ length: 30 }, (_, index) => create(`S-${index}`));
    const started = Date.now();
    const outcomes = await sized.send(changes, {
      signal: new AbortController().signal,
      limiter: testLimiter(18, 1),
    });
    expect(outcomes.every((outcome) => outcome.status === "accepted")).toBe(true);
    const calls = batchCalls(sim);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const recorded of calls)
      expect(Buffer.byteLength(JSON.stringify(recorded.body))).toBeLessThanOrEqual(3_000);
    expect(sim.quota.stats.refused).toBe(0);
    // At 18 calls a second after a burst of 1, the calls cannot all go at once. (The client's burst
    // is below the catalog's: calls reach the server bunched by network jitter.)
    expect(Date.now() - started).toBeGreaterThanOrEqual(((calls.length - 1) / 18) * 1000 * 0.9);
  });

  it("without a limiter in front, recovers from the catalog's 80014 throttle", async () => {
    await sim.close();
    sim = await startMetaSimulator({ processingDelayMs: 5, rateLimit: { perSecond: 20, burst: 1 } });
    const sized = publisherFor(sim, { maxBodyBytes: 3_000, attempts: 10 });
    const changes = Array.from({ length: 12 }, (_, index) => create(`T-${index}`));
    const outcomes = await sized.send(changes, unlimited());
    expect(outcomes.filter((outcome) => outcome.status === "accepted")).toHaveLength(12);
    expect(sim.quota.stats.refused).toBeGreaterThan(0);
    expect(sim.items().size).toBe(12);
  });

  it("stops with an auth error that does not carry the token", async () => {
    const wrong = `EAAwrong${randomBytes(12).toString("hex")}`;
    const bad = publisherFor(sim, {}, wrong);
    const error: unknown = await bad.send([create("A")], unlimited()).catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "auth")).toBe(true);
    expect((error as Error).message).toMatch(/\(#190\) Invalid OAuth access token/);
    expect((error as Error).message).not.toContain(wrong);
    expect(String((error as Error).stack)).not.toContain(wrong);

    const badSecret = createMetaPublisher(
      { ...MetaAccountSchema.parse(sim.accountSettings), catalog_id: sim.catalogId },
      sim.accessToken,
      "not-the-app-secret",
      { attempts: 1 },
    );
    const proofError: unknown = await badSecret.get(["A"], unlimited()).catch((caught: unknown) => caught);
    expect(isOmnifeedError(proofError, "auth")).toBe(true);
    expect((proofError as Error).message).not.toContain("not-the-app-secret");
  });

  it("stops when the run is cancelled", async () => {
    const controller = new AbortController();
    const pending = publisher.send([create("A")], {
      signal: controller.signal,
      limiter: testLimiter(1_000, 1_000),
    });
    controller.abort(new Error("stopped"));
    await expect(pending).rejects.toThrow();
  });
});

describe("metaPublisher.list and get", () => {
  it("pages through everything, and reads back typed values, prices changed there and disapprovals", async () => {
    const reader = publisherFor(sim, { pageSize: 4 });
    await reader.send(
      Array.from({ length: 10 }, (_, index) => create(`L-${index}`)),
      unlimited(),
    );
    sim.setPrice("L-1", { amountMinor: 1299, currency: "USD" });
    sim.disapprove("L-2", { code: "image_quality", message: "Image is too small." });
    sim.deleteItem("L-3");

    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of reader.list(unlimited())) {
      pages.push(page.length);
      seen.push(...page.map((item) => item.key));
    }
    expect(pages).toEqual([4, 4, 1]);
    expect(seen.sort()).toEqual(["L-0", "L-1", "L-2", "L-4", "L-5", "L-6", "L-7", "L-8", "L-9"]);

    const items = await reader.get(["L-0", "L-1", "L-2", "L-3"], unlimited());
    const byKey = new Map(items.map((item) => [item.key, item]));
    expect(byKey.has("L-3")).toBe(false);
    expect(byKey.get("L-0")).toMatchObject({
      status: "active",
      issues: [],
      values: {
        id: "L-0",
        title: "Acme Tee L-0",
        availability: "in stock",
        price: { amount: 1500, currency: "USD" },
        quantity_to_sell_on_facebook: 7,
        link: "https://example.com/p/L-0",
      },
    });
    expect(byKey.get("L-0")!.remoteId).toMatch(/^\d+$/);
    expect(byKey.get("L-1")!.values.price).toEqual({ amount: 1299, currency: "USD" });
    expect(byKey.get("L-2")).toMatchObject({
      status: "rejected",
      issues: [{ code: "image_quality", message: "Image is too small.", severity: "error" }],
    });
  });

  it("reads more keys than one filter takes", async () => {
    const keys = Array.from({ length: 230 }, (_, index) => `G-${index}`);
    await publisher.send(
      keys.map((key) => create(key)),
      unlimited(),
    );
    sim.resetCalls();
    const items = await publisher.get([...keys, "MISSING"], unlimited());
    expect(items).toHaveLength(230);
    expect(sim.calls.filter((recorded) => recorded.path.endsWith("/products"))).toHaveLength(3);
  });
});

describe("metaPublisher definition", () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "omnifeed-meta-"));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(folder, { recursive: true, force: true });
  });

  it("is registered", () => {
    expect(publisherOf("meta")).toBe(metaPublisher);
  });

  it("names the missing setting", async () => {
    await expect(metaPublisher.create({})).rejects.toThrow(/channels\.meta\.account\.catalog_id is not set/);
    await expect(metaPublisher.create({ catalog_id: "1" })).rejects.toThrow(
      /channels\.meta\.account\.access_token_env is not set/,
    );
    await expect(
      metaPublisher.create({ catalog_id: "1", access_token_env: "OMNIFEED_TEST_META_UNSET" }),
    ).rejects.toThrow(
      /OMNIFEED_TEST_META_UNSET is not set \(named by channels\.meta\.account\.access_token_env\)/,
    );
    await expect(metaPublisher.create({ catalog_id: "abc" })).rejects.toMatchObject({ kind: "config" });
  });

  it("publishes with the secrets named by the settings (env and file) against the simulator", async () => {
    const tokenFile = join(folder, "token");
    await writeFile(tokenFile, `${sim.accessToken}\n`);
    vi.stubEnv("OMNIFEED_META_APP_SECRET", sim.env.OMNIFEED_META_APP_SECRET);
    const settings = Object.fromEntries(
      Object.entries(sim.accountSettings).filter(([key]) => key !== "access_token_env"),
    );
    const created = await metaPublisher.create({
      ...settings,
      access_token_file: tokenFile,
      poll_interval_ms: 10,
    });
    expect(created).toMatchObject({ channel: "meta", account: sim.catalogId, maxBatch: 5_000 });
    expect(await created.send([create("E-1")], unlimited())).toMatchObject([{ status: "accepted" }]);
  });

  it("takes the published limit unless the account sets one", () => {
    expect(metaPublisher.rateLimit({})).toEqual(META_DEFAULT_RATE_LIMIT);
    expect(META_DEFAULT_RATE_LIMIT.burst + META_DEFAULT_RATE_LIMIT.perSecond * 3_600).toBeLessThanOrEqual(
      200,
    );
    expect(metaPublisher.rateLimit({ rate_limit_per_second: "2", rate_limit_burst: "5" })).toEqual({
      perSecond: 2,
      burst: 5,
    });
  });
});

describe("Meta payloads", () => {
  it("turns a create into an upsert and refuses a change without values", () => {
    expect(requestOf(create("A"))).toMatchObject({ method: "UPDATE", data: { id: "A", price: "15.00 USD" } });
    expect(requestOf({ op: "update", key: "A", sections: ["price"] })).toMatch(/without values/);
    expect(
      requestOf({
        op: "update",
        key: "A",
        sections: ["inventory"],
        values: valuesOf("A", { availability: "out of stock" }),
      }),
    ).toEqual({
      method: "UPDATE",
      data: { id: "A", availability: "out of stock", quantity_to_sell_on_facebook: 7 },
    });
  });

  it("splits by count and by bytes, never leaving an item out", () => {
    const items = Array.from({ length: 11 }, (_, index) => ({
      id: `K${index}`,
      text: "x".repeat(index === 5 ? 500 : 10),
    }));
    const byCount = splitRequests(items, (item) => item, { maxCount: 4, maxBytes: 1_000_000 });
    expect(byCount.map((chunk) => chunk.length)).toEqual([4, 4, 3]);
    const bySize = splitRequests(items, (item) => item, { maxCount: 100, maxBytes: 400 });
    expect(bySize.flat()).toEqual(items);
    for (const chunk of bySize) {
      if (chunk.length > 1)
        expect(
          64 + chunk.reduce((sum, item) => sum + JSON.stringify(item).length + 1, 0),
        ).toBeLessThanOrEqual(400);
    }
    // One item over the size still goes, alone: Meta then says what is wrong with it.
    expect(bySize.find((chunk) => chunk.includes(items[5]!))).toEqual([items[5]]);
  });

  it("maps errors by id, or by line when Meta gives no id, and reports a capped error list", () => {
    const chunk = ["A", "B", "C"].map((key) => ({
      change: create(key),
      request: { method: "UPDATE" as const, data: { id: key } },
    }));
    const outcomes = outcomesOf(
      chunk,
      { handles: ["h"], validation_status: [] },
      {
        status: "finished",
        errors: [{ line: 1, message: "A required field is missing: price." }],
        warnings: [{ id: "A", message: "Title is long." }],
        ids_of_invalid_requests: ["B", "C"],
      },
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["accepted", "rejected", "rejected"]);
    expect(outcomes[0]!.issues).toEqual([
      { code: "items_batch.warning", message: "Title is long.", severity: "warning" },
    ]);
    expect(outcomes[1]!.issues[0]).toMatchObject({ attribute: "price" });
    expect(outcomes[2]!.issues[0]!.message).toMatch(/not among those returned/);
  });

  it("reads Graph's formatted prices", () => {
    expect(moneyOfGraphPrice("$1,299.00", "USD")).toEqual({ amount: 129_900, currency: "USD" });
    expect(moneyOfGraphPrice("15.00 USD", undefined)).toEqual({ amount: 1_500, currency: "USD" });
    expect(moneyOfGraphPrice("15,50 €", "EUR")).toEqual({ amount: 1_550, currency: "EUR" });
    expect(moneyOfGraphPrice("1.299,50 €", "EUR")).toEqual({ amount: 129_950, currency: "EUR" });
    expect(moneyOfGraphPrice("¥1,500", "JPY")).toEqual({ amount: 1_500, currency: "JPY" });
    expect(moneyOfGraphPrice("$12.00", undefined)).toBeUndefined();
  });
});
