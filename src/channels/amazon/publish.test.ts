import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testTokenBucket } from "../../../test/support/test-token-bucket.js";
import { isOmnifeedError } from "../../core/errors.js";
import type { ItemOutcome, PublishValues } from "../../core/publish.js";
import type { AmazonSimulator, AmazonSimulatorOptions } from "../../dev/simulators/amazon.js";
import { AMAZON_SIMULATOR_CREDENTIALS, startAmazonSimulator } from "../../dev/simulators/amazon.js";
import type { Change, PublishContext, RemoteItem } from "../publisher.js";
import { publisherOf } from "../publishers.js";
import { createAmazonClient } from "./client.js";
import type { AmazonPublisherTuning } from "./publish.js";
import { amazonPublisher, createAmazonPublisher, validateListing } from "./publish.js";

/** The Amazon publisher end to end against the simulator (port 0), over real HTTP. */

const MARKETPLACE = "ATVPDKIKX0DER";
const FAST: AmazonPublisherTuning = { baseDelayMs: 5, maxDelayMs: 40, feedPollMs: 10 };

let simulator: AmazonSimulator | undefined;

beforeEach(() => {
  vi.unstubAllEnvs();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await simulator?.close();
  simulator = undefined;
});

async function start(options: AmazonSimulatorOptions = {}): Promise<AmazonSimulator> {
  simulator = await startAmazonSimulator({ port: 0, ...options });
  for (const [name, value] of Object.entries(simulator.env)) vi.stubEnv(name, value);
  return simulator;
}

function context(
  perSecond = 1000,
  burst = 1000,
): PublishContext & { limiter: ReturnType<typeof testTokenBucket> } {
  return { signal: new AbortController().signal, limiter: testTokenBucket(perSecond, burst) };
}

/** Values as `amazonChannel.publishValues` yields them: product_type + listing attributes. */
function valuesOf(sku: string, price = 15, quantity = 7): PublishValues {
  return {
    product_type: "HOME",
    item_name: [{ value: `Mug ${sku}`, language_tag: "en_US", marketplace_id: MARKETPLACE }],
    brand: [{ value: "Acme", language_tag: "en_US", marketplace_id: MARKETPLACE }],
    condition_type: [{ value: "new_new", marketplace_id: MARKETPLACE }],
    purchasable_offer: [
      {
        marketplace_id: MARKETPLACE,
        currency: "USD",
        audience: "ALL",
        our_price: [{ schedule: [{ value_with_tax: price }] }],
      },
    ],
    list_price: [{ value_with_tax: 19.99, currency: "USD", marketplace_id: MARKETPLACE }],
    fulfillment_availability: [{ fulfillment_channel_code: "DEFAULT", quantity }],
  };
}

const create = (sku: string): Change => ({
  op: "create",
  key: sku,
  sections: ["content", "price", "inventory"],
  values: valuesOf(sku),
});

function byKey(outcomes: readonly ItemOutcome[]): Map<string, ItemOutcome> {
  return new Map(outcomes.map((outcome) => [outcome.key, outcome]));
}

async function publisher(sim: AmazonSimulator, extra: Record<string, unknown> = {}, tuning = FAST) {
  return createAmazonPublisher({ ...sim.accountSettings, ...extra }, tuning);
}

async function collect(items: AsyncIterable<RemoteItem[]>): Promise<RemoteItem[][]> {
  const pages: RemoteItem[][] = [];
  for await (const page of items) pages.push(page);
  return pages;
}

describe("amazon publisher: item calls", () => {
  it("creates listings with every attribute, one PUT each, and says the account", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    expect(amazon).toMatchObject({ channel: "amazon", account: "A1SIMSELLER0001/ATVPDKIKX0DER" });
    const outcomes = await amazon.send([create("MUG-1"), create("MUG 2/B")], context());
    expect(outcomes).toHaveLength(2);
    expect(outcomes.every((outcome) => outcome.status === "accepted" && outcome.op === "create")).toBe(true);
    const held = sim.items();
    const attributes: Record<string, unknown> = { ...valuesOf("MUG 2/B") };
    delete attributes.product_type;
    expect(held.get("MUG 2/B")).toMatchObject({ productType: "HOME", requirements: "LISTING", attributes });
    const puts = sim.calls.filter((call) => call.method === "PUT");
    expect(puts.map((call) => call.path).sort()).toEqual([
      "/listings/2021-08-01/items/A1SIMSELLER0001/MUG%202%2FB",
      "/listings/2021-08-01/items/A1SIMSELLER0001/MUG-1",
    ]);
    expect(puts[0]!.query).toMatchObject({ marketplaceIds: MARKETPLACE, includedData: "issues" });
  });

  it("sends a price-only update as exactly one PATCH carrying only the price attributes", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send([create("MUG-1")], context());
    sim.resetCalls();
    const outcomes = await amazon.send(
      [{ op: "update", key: "MUG-1", sections: ["price"], values: valuesOf("MUG-1", 12.5) }],
      context(),
    );
    expect(outcomes).toEqual([{ key: "MUG-1", op: "update", status: "accepted", issues: [] }]);
    const writes = sim.calls.filter((call) => call.path.startsWith("/listings"));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: "PATCH" });
    const body = writes[0]!.body as { productType: string; patches: { op: string; path: string }[] };
    expect(body.productType).toBe("HOME");
    expect(body.patches.map((patch) => `${patch.op} ${patch.path}`)).toEqual([
      "replace /attributes/purchasable_offer",
      "replace /attributes/list_price",
    ]);
    expect(sim.items().get("MUG-1")?.attributes.purchasable_offer).toEqual(
      valuesOf("MUG-1", 12.5).purchasable_offer,
    );
    expect(sim.items().get("MUG-1")?.attributes.item_name).toEqual(valuesOf("MUG-1").item_name);
  });

  it("sends a stock-only update as a PATCH of fulfillment_availability, and a content change as a full PUT", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send([create("MUG-1")], context());
    sim.resetCalls();
    await amazon.send(
      [{ op: "update", key: "MUG-1", sections: ["inventory"], values: valuesOf("MUG-1", 15, 0) }],
      context(),
    );
    expect(
      sim.calls.map((call) => (call.body as { patches?: { path: string }[] } | undefined)?.patches),
    ).toEqual([
      [
        {
          op: "replace",
          path: "/attributes/fulfillment_availability",
          value: [{ fulfillment_channel_code: "DEFAULT", quantity: 0 }],
        },
      ],
    ]);
    sim.resetCalls();
    const retitled = {
      ...valuesOf("MUG-1"),
      item_name: [{ value: "Big mug", language_tag: "en_US", marketplace_id: MARKETPLACE }],
    };
    delete (retitled as Record<string, unknown>).brand;
    await amazon.send([{ op: "update", key: "MUG-1", sections: ["content"], values: retitled }], context());
    expect(sim.calls.map((call) => call.method)).toEqual(["PUT"]);
    expect(sim.items().get("MUG-1")?.attributes.brand).toBeUndefined();
  });

  it("deletes a listing with one DELETE", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send([create("MUG-1"), create("MUG-2")], context());
    sim.resetCalls();
    const outcomes = await amazon.send([{ op: "delete", key: "MUG-1", sections: [] }], context());
    expect(outcomes).toEqual([{ key: "MUG-1", op: "delete", status: "accepted", issues: [] }]);
    expect(sim.calls.map((call) => call.method)).toEqual(["DELETE"]);
    expect([...sim.items().keys()]).toEqual(["MUG-2"]);
  });

  it("gives a refused item the simulator's reasons verbatim", async () => {
    const sim = await start();
    sim.rejectItem("BAD-1", {
      code: "90220",
      message: "'condition_type' is required but not supplied.",
      attribute: "condition_type",
    });
    const amazon = await publisher(sim);
    const outcomes = byKey(await amazon.send([create("BAD-1"), create("GOOD-1")], context()));
    expect(outcomes.get("BAD-1")).toEqual({
      key: "BAD-1",
      op: "create",
      status: "rejected",
      issues: [
        {
          code: "90220",
          message: "'condition_type' is required but not supplied.",
          severity: "error",
          attribute: "condition_type",
        },
      ],
    });
    expect(outcomes.get("GOOD-1")?.status).toBe("accepted");
    expect(sim.items().has("BAD-1")).toBe(false);
  });

  it("rejects an item Amazon answers 400, with Amazon's error code as the issue", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    const outcomes = await amazon.send(
      [
        {
          op: "create",
          key: "NO-TYPE",
          sections: ["content"],
          values: { ...valuesOf("NO-TYPE"), product_type: "" },
        },
      ],
      context(),
    );
    expect(outcomes).toEqual([
      {
        key: "NO-TYPE",
        op: "create",
        status: "rejected",
        issues: [
          {
            code: "InvalidInput",
            message: "Invalid Input (Missing required field: productType)",
            severity: "error",
          },
        ],
      },
    ]);
  });
});

describe("amazon publisher: storms, bursts and failures", () => {
  it("gives every change its outcome through a 429 storm, pausing the bucket and never above the quota", async () => {
    const sim = await start({ rateLimit: { perSecond: 20, burst: 5 } });
    const amazon = await publisher(sim);
    sim.failNext(6, 429);
    const changes = Array.from({ length: 30 }, (_, index) => create(`SKU-${index}`));
    const ctx = context(20, 5);
    const outcomes = await amazon.send(changes, ctx);
    expect(outcomes).toHaveLength(30);
    expect(new Set(outcomes.map((outcome) => outcome.key)).size).toBe(30);
    expect(outcomes.every((outcome) => outcome.status === "accepted")).toBe(true);
    expect(sim.items().size).toBe(30);
    expect(ctx.limiter.paused).toBeGreaterThan(0);
    // The bucket kept to the simulator's limit: no quota 429 beyond the storm injected.
    expect(sim.quota.stats.refused).toBe(0);
    expect(ctx.limiter.observed).toContain(20);
  });

  it("rides out a 5xx burst with nothing lost", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    sim.failNext(8, 503);
    const outcomes = await amazon.send(
      Array.from({ length: 10 }, (_, index) => create(`SKU-${index}`)),
      context(),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(10).fill("accepted"));
    expect(sim.calls.filter((call) => call.status === 503)).toHaveLength(8);
  });

  it("marks changes failed, one outcome each, when retries run out; no token in the error text", async () => {
    const sim = await start();
    const amazon = await publisher(sim, {}, { ...FAST, attempts: 2 });
    sim.failNext(1000, 500);
    const changes = [create("A"), { op: "delete" as const, key: "B", sections: [] }, create("C")];
    const outcomes = await amazon.send(changes, context());
    expect(outcomes.map((outcome) => [outcome.key, outcome.status])).toEqual([
      ["A", "failed"],
      ["B", "failed"],
      ["C", "failed"],
    ]);
    for (const outcome of outcomes) {
      expect(outcome.error).toMatch(/^transient: .*InternalFailure/);
      for (const token of sim.issuedTokens()) expect(outcome.error).not.toContain(token);
      expect(outcome.error).not.toContain(AMAZON_SIMULATOR_CREDENTIALS.refreshToken);
    }
  });

  it("marks what was not sent as failed when the run is stopped", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    const controller = new AbortController();
    controller.abort();
    const outcomes = await amazon.send([create("A"), create("B")], {
      signal: controller.signal,
      limiter: testTokenBucket(100, 100),
    });
    expect(outcomes.map((outcome) => [outcome.key, outcome.status, outcome.error])).toEqual([
      ["A", "failed", "run stopped"],
      ["B", "failed", "run stopped"],
    ]);
    expect(sim.items().size).toBe(0);
  });
});

describe("amazon publisher: credentials and settings", () => {
  it("throws an auth error for a bad client secret, without the secret in the message", async () => {
    const sim = await start();
    vi.stubEnv("AMAZON_SIM_CLIENT_SECRET", "amzn1.oa2-cs.v1.wrong-secret-9911");
    const amazon = await publisher(sim);
    const failure = await amazon.send([create("A")], context()).catch((error: unknown) => error);
    expect(isOmnifeedError(failure, "auth")).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain("invalid_client");
    expect(message).not.toContain("wrong-secret");
    expect(message).not.toContain(AMAZON_SIMULATOR_CREDENTIALS.refreshToken);
    expect(message).not.toContain(AMAZON_SIMULATOR_CREDENTIALS.clientId);
  });

  it("reads secrets from files too", async () => {
    const sim = await start();
    const dir = mkdtempSync(join(tmpdir(), "omnifeed-amazon-"));
    try {
      writeFileSync(join(dir, "refresh"), `${AMAZON_SIMULATOR_CREDENTIALS.refreshToken}\n`);
      const amazon = await publisher(sim, {
        refresh_token_env: undefined,
        refresh_token_file: join(dir, "refresh"),
      });
      expect((await amazon.send([create("A")], context()))[0]!.status).toBe("accepted");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the missing account key", async () => {
    const sim = await start();
    const withoutSeller = { ...sim.accountSettings, seller_id: undefined };
    await expect(createAmazonPublisher(withoutSeller)).rejects.toThrow(
      "channels.amazon.account.seller_id is not set",
    );
    const withoutSecret = { ...sim.accountSettings, client_secret_env: undefined };
    await expect(createAmazonPublisher(withoutSecret)).rejects.toMatchObject({
      kind: "config",
      message: expect.stringContaining("channels.amazon.account.client_secret_env") as unknown,
    });
    vi.stubEnv("AMAZON_SIM_REFRESH_TOKEN", "");
    await expect(createAmazonPublisher(sim.accountSettings)).rejects.toThrow(
      "environment variable AMAZON_SIM_REFRESH_TOKEN is not set",
    );
  });

  it("is registered, and says the published rate limit or the account's", () => {
    expect(publisherOf("amazon")).toBe(amazonPublisher);
    expect(amazonPublisher.rateLimit({})).toEqual({ perSecond: 5, burst: 5 });
    expect(amazonPublisher.rateLimit({ rate_limit_per_second: "2.5", rate_limit_burst: "10" })).toEqual({
      perSecond: 2.5,
      burst: 10,
    });
  });

  it("fetches one token for many calls, and a new one shortly before it expires", async () => {
    const sim = await start();
    let clock = 1_000_000;
    const client = createAmazonClient({
      apiUrl: sim.url,
      lwaUrl: sim.url,
      credentials: AMAZON_SIMULATOR_CREDENTIALS,
      sellerId: "A1SIMSELLER0001",
      marketplaceId: MARKETPLACE,
      now: () => clock,
    });
    const call = { limiter: testTokenBucket(100, 100), signal: new AbortController().signal };
    for (const sku of ["A", "B", "C"]) await client.getListingsItem(sku, call);
    expect(sim.calls.filter((recorded) => recorded.path === "/auth/o2/token")).toHaveLength(1);
    clock += 3_600_000 - 59_000;
    await client.getListingsItem("A", call);
    expect(sim.calls.filter((recorded) => recorded.path === "/auth/o2/token")).toHaveLength(2);
    const form = sim.calls[0]!.body as Record<string, string>;
    expect(form).toMatchObject({
      grant_type: "refresh_token",
      client_id: AMAZON_SIMULATOR_CREDENTIALS.clientId,
    });
  });

  it("refreshes a token Amazon revoked early and goes on", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send([create("A")], context());
    sim.revokeTokens();
    expect((await amazon.send([create("B")], context()))[0]!.status).toBe("accepted");
    expect(sim.calls.filter((recorded) => recorded.path === "/auth/o2/token")).toHaveLength(2);
  });
});

describe("amazon publisher: reading back", () => {
  it("lists everything page by page, in the values the build yields", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send(
      Array.from({ length: 25 }, (_, index) => create(`SKU-${String(index).padStart(2, "0")}`)),
      context(),
    );
    const pages = await collect(amazon.list(context()));
    expect(pages.map((page) => page.length)).toEqual([20, 5]);
    const first = pages[0]![0]!;
    expect(first).toMatchObject({ key: "SKU-00", status: "active", issues: [], values: valuesOf("SKU-00") });
    expect(first.remoteId).toMatch(/^B0/);
    expect(sim.calls.filter((call) => call.method === "GET").map((call) => call.query.includedData)).toEqual([
      "summaries,attributes,issues,offers,fulfillmentAvailability",
      "summaries,attributes,issues,offers,fulfillmentAvailability",
    ]);
  });

  it("gets items, leaving out one deleted behind our back and showing a new price and a disapproval", async () => {
    const sim = await start();
    const amazon = await publisher(sim);
    await amazon.send([create("GONE"), create("PRICE"), create("SUPPRESSED")], context());
    sim.deleteItem("GONE");
    sim.setPrice("PRICE", { amountMinor: 1299, currency: "USD" });
    sim.disapprove("SUPPRESSED", { code: "18027", message: "Pricing error", attribute: "purchasable_offer" });
    const items = new Map(
      (await amazon.get(["GONE", "PRICE", "SUPPRESSED"], context())).map((item) => [item.key, item]),
    );
    expect([...items.keys()].sort()).toEqual(["PRICE", "SUPPRESSED"]);
    expect(items.get("PRICE")).toMatchObject({
      status: "active",
      values: { purchasable_offer: valuesOf("PRICE", 12.99).purchasable_offer },
    });
    expect(items.get("SUPPRESSED")).toMatchObject({
      status: "rejected",
      issues: [
        { code: "18027", message: "Pricing error", severity: "error", attribute: "purchasable_offer" },
      ],
    });
  });

  it("shows an item Amazon has not processed yet as pending", async () => {
    const sim = await start({ processingDelayMs: 200 });
    const amazon = await publisher(sim);
    await amazon.send([create("SLOW")], context());
    expect((await amazon.get(["SLOW"], context()))[0]?.status).toBe("pending");
  });
});

describe("amazon publisher: JSON_LISTINGS_FEED above the threshold", () => {
  it("sends one feed, polls it, and gives each message its outcome from the processing report", async () => {
    const sim = await start({ processingDelayMs: 15 });
    sim.rejectItem("BAD", {
      code: "99022",
      message: "our_price is missing",
      attribute: "purchasable_offer.our_price",
    });
    const amazon = await publisher(sim, { feed_threshold: 2 });
    await amazon.send([create("OLD")], context());
    sim.resetCalls();
    const changes: Change[] = [
      create("NEW-1"),
      create("BAD"),
      { op: "update", key: "OLD", sections: ["inventory"], values: valuesOf("OLD", 15, 3) },
      { op: "delete", key: "NEW-0", sections: [] },
    ];
    const outcomes = byKey(await amazon.send(changes, context()));
    expect(outcomes.size).toBe(4);
    expect(outcomes.get("NEW-1")).toEqual({ key: "NEW-1", op: "create", status: "accepted", issues: [] });
    expect(outcomes.get("BAD")).toEqual({
      key: "BAD",
      op: "create",
      status: "rejected",
      issues: [
        {
          code: "99022",
          message: "our_price is missing",
          severity: "error",
          attribute: "purchasable_offer.our_price",
        },
      ],
    });
    expect(outcomes.get("OLD")?.status).toBe("accepted");
    expect(sim.items().get("OLD")?.attributes.fulfillment_availability).toEqual([
      { fulfillment_channel_code: "DEFAULT", quantity: 3 },
    ]);
    const steps = sim.calls.map(
      (call) => `${call.method} ${call.path.replace(/\/[0-9a-f-]{36}$/, "/:id").replace(/\/\d+$/, "/:feed")}`,
    );
    expect(steps.slice(0, 3)).toEqual([
      "POST /feeds/2021-06-30/documents",
      "PUT /feed-documents/:id",
      "POST /feeds/2021-06-30/feeds",
    ]);
    expect(steps).toContain("GET /feeds/2021-06-30/feeds/:feed");
    expect(steps.slice(-2)).toEqual(["GET /feeds/2021-06-30/documents/:id", "GET /feed-documents/:id"]);
    const document = sim.calls[1]!.body as {
      header: unknown;
      messages: { operationType: string; messageId: number }[];
    };
    expect(document.header).toEqual({ sellerId: "A1SIMSELLER0001", version: "2.0" });
    expect(document.messages.map((message) => `${message.messageId} ${message.operationType}`)).toEqual([
      "1 UPDATE",
      "2 UPDATE",
      "3 PATCH",
      "4 DELETE",
    ]);
  });

  it("fails every change of a feed that cannot be submitted, and goes on past a 5xx", async () => {
    const sim = await start();
    const amazon = await publisher(sim, { feed_threshold: 1 }, { ...FAST, attempts: 2 });
    sim.failNext(1000, 503);
    const outcomes = await amazon.send([create("A"), create("B")], context());
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["failed", "failed"]);
    expect(outcomes[0]!.error).toContain("createFeedDocument");
    sim.failNext(1, 500);
    const retried = await amazon.send([create("A"), create("B")], context());
    expect(retried.map((outcome) => outcome.status)).toEqual(["accepted", "accepted"]);
  });
});

describe("validateListing (VALIDATION_PREVIEW)", () => {
  it("asks Amazon without persisting, and returns its issues", async () => {
    const sim = await start();
    sim.rejectItem("BAD", {
      code: "90220",
      message: "'brand' is required but not supplied.",
      attribute: "brand",
    });
    const options = { limiter: testTokenBucket(100, 100), signal: new AbortController().signal };
    expect(await validateListing(valuesOf("OK"), sim.accountSettings, { sku: "OK", ...options })).toEqual({
      valid: true,
      issues: [],
    });
    expect(await validateListing(valuesOf("BAD"), sim.accountSettings, { sku: "BAD", ...options })).toEqual({
      valid: false,
      issues: [
        {
          code: "90220",
          message: "'brand' is required but not supplied.",
          severity: "error",
          attribute: "brand",
        },
      ],
    });
    expect(sim.items().size).toBe(0);
    expect(
      sim.calls
        .filter((call) => call.method === "PUT")
        .every((call) => call.query.mode === "VALIDATION_PREVIEW"),
    ).toBe(true);
  });
});
