import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isOmnifeedError } from "../../core/errors.js";
import type { PublishValue, PublishValues } from "../../core/publish.js";
import { startGoogleSimulator, type GoogleSimulator } from "../../dev/simulators/google.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { Change, PublishContext } from "../publisher.js";
import { publisherOf } from "../publishers.js";
import { createGooglePublisher, googlePublisher, type GooglePublisher } from "./publish.js";

let directory: string;
let simulator: GoogleSimulator | undefined;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "omnifeed-google-publish-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await simulator?.close();
  simulator = undefined;
});

/** A limiter that lets every call go and records the pauses it was asked for. */
function openLimiter(): RateLimiter & { pauses: number[]; taken: number } {
  const limiter = {
    pauses: [] as number[],
    taken: 0,
    take: () => {
      limiter.taken += 1;
      return Promise.resolve();
    },
    pause: (waitMs: number) => {
      limiter.pauses.push(waitMs);
      return Promise.resolve();
    },
  };
  return limiter;
}

/** An in-memory token bucket that honours pauses, as the account's shared limiter does. */
function tokenBucket(perSecond: number, burst: number): RateLimiter {
  let tokens = burst;
  let at = Date.now();
  let pausedUntil = 0;
  return {
    async take() {
      for (;;) {
        const now = Date.now();
        tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
        at = now;
        if (now >= pausedUntil && tokens >= 1) {
          tokens -= 1;
          return;
        }
        const wait = Math.max(pausedUntil - now, ((1 - tokens) / perSecond) * 1000);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },
    pause(waitMs) {
      pausedUntil = Math.max(pausedUntil, Date.now() + waitMs);
      return Promise.resolve();
    },
  };
}

function context(limiter: RateLimiter = openLimiter()): PublishContext {
  return { signal: new AbortController().signal, limiter };
}

async function start(options: Parameters<typeof startGoogleSimulator>[0] = {}): Promise<{
  sim: GoogleSimulator;
  account: Record<string, unknown>;
}> {
  const sim = await startGoogleSimulator(options);
  simulator = sim;
  const file = join(directory, `key-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(sim.serviceAccountKey()));
  const settings: Record<string, unknown> = { ...sim.accountSettings, credentials_file: file };
  delete settings.credentials_env;
  return { sim, account: settings };
}

async function publisher(account: Record<string, unknown>): Promise<GooglePublisher> {
  return createGooglePublisher(account, { attempts: 6, baseDelayMs: 5, maxDelayMs: 50 });
}

const usd = (amount: number) => ({ amount, currency: "USD" });

/** Values as `googlePublishValues` yields them for a T-shirt variant. */
function tee(id: string, price = 1500): PublishValues {
  return {
    id,
    title: `Acme Tee ${id}`,
    description: "100% cotton tee.",
    link: `https://example.com/p/${id}`,
    image_link: `https://example.com/i/${id}.jpg`,
    availability: "in_stock",
    price: usd(price),
    sale_price: usd(price - 300),
    condition: "new",
    brand: "Acme",
    gtin: "00012345600012",
    item_group_id: "TS",
    color: "Red",
    size: "M",
    gender: "unisex",
    age_group: "adult",
    product_type: ["Apparel > Tops > T-Shirts"],
    shipping: [{ country: "US", service: "Standard", price: usd(499), max_transit_time: 5 }],
    max_handling_time: 1,
    multipack: 2,
    identifier_exists: true,
  };
}

const create = (values: PublishValues): Change => ({
  op: "create",
  key: values.id as string,
  sections: ["content", "price", "inventory"],
  values,
});

describe("googlePublisher: definition and settings", () => {
  it("is registered, says the account's rate limit and the two-updates-a-day budget", () => {
    expect(publisherOf("google")).toBe(googlePublisher);
    expect(googlePublisher.rateLimit({})).toEqual({ perSecond: 5, burst: 10 });
    expect(googlePublisher.rateLimit({ rate_limit_per_second: "12", rate_limit_burst: 30 })).toEqual({
      perSecond: 12,
      burst: 30,
    });
    expect(googlePublisher.updateBudget?.({})).toEqual({ updates: 2, windowMs: 86_400_000 });
    expect(googlePublisher.updateBudget?.({ daily_updates_per_item: 4 })).toEqual({
      updates: 4,
      windowMs: 86_400_000,
    });
  });

  it("names the missing key and never shows the key file's content", async () => {
    await expect(googlePublisher.create({ data_source: "1" })).rejects.toThrow(
      /channels\.google\.account\.merchant_id is not set/,
    );
    await expect(googlePublisher.create({ merchant_id: "1", data_source: "2" })).rejects.toThrow(
      /credentials_file \(or credentials_env\) is not set/,
    );
    await expect(
      googlePublisher.create({
        merchant_id: "1",
        data_source: "2",
        credentials_env: "OMNIFEED_TEST_UNSET_KEY",
      }),
    ).rejects.toThrow(/environment variable OMNIFEED_TEST_UNSET_KEY is not set/);
    const broken = join(directory, "broken.json");
    await writeFile(broken, '{"client_email":"a@b","private_key":');
    const error = await googlePublisher
      .create({ merchant_id: "1", data_source: "2", credentials_file: broken })
      .catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "config")).toBe(true);
    expect((error as Error).message).toContain("not JSON");
    expect((error as Error).message).not.toContain("private_key");
  });

  it("reads the key from the environment variable the account names", async () => {
    const { sim } = await start();
    vi.stubEnv("OMNIFEED_GOOGLE_SIM_CREDENTIALS", sim.env.OMNIFEED_GOOGLE_SIM_CREDENTIALS);
    const published = await googlePublisher.create(sim.accountSettings);
    expect(published.account).toBe("123456789/10987654321");
    const outcomes = await published.send([create(tee("ENV-1"))], context());
    expect(outcomes).toMatchObject([{ key: "ENV-1", status: "accepted" }]);
  });
});

describe("googlePublisher: send", () => {
  it("creates products with the Merchant API's spelling of every field", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    const limiter = openLimiter();
    const outcomes = await google.send([create(tee("TS-RED-M")), create(tee("sku/9"))], context(limiter));
    expect(outcomes).toEqual([
      {
        key: "TS-RED-M",
        op: "create",
        status: "accepted",
        issues: [],
        remoteId: "accounts/123456789/products/en~US~TS-RED-M",
      },
      expect.objectContaining({
        key: "sku/9",
        status: "accepted",
        remoteId: "accounts/123456789/products/ZW5-VVN-c2t1Lzk",
      }),
    ]);
    expect(limiter.taken).toBe(2);
    const held = sim.items().get("TS-RED-M")!;
    expect(held).toMatchObject({ offerId: "TS-RED-M", contentLanguage: "en", feedLabel: "US" });
    expect(held.productAttributes).toEqual({
      title: "Acme Tee TS-RED-M",
      description: "100% cotton tee.",
      link: "https://example.com/p/TS-RED-M",
      imageLink: "https://example.com/i/TS-RED-M.jpg",
      availability: "IN_STOCK",
      price: { amountMicros: "15000000", currencyCode: "USD" },
      salePrice: { amountMicros: "12000000", currencyCode: "USD" },
      condition: "NEW",
      brand: "Acme",
      gtins: ["00012345600012"],
      itemGroupId: "TS",
      color: "Red",
      size: "M",
      gender: "UNISEX",
      ageGroup: "ADULT",
      productTypes: ["Apparel > Tops > T-Shirts"],
      shipping: [
        {
          country: "US",
          service: "Standard",
          price: { amountMicros: "4990000", currencyCode: "USD" },
          maxTransitTime: "5",
          maxHandlingTime: "1",
        },
      ],
      multipack: "2",
      identifierExists: true,
    });
    const insert = sim.calls.find((call) => call.path.endsWith("productInputs:insert"))!;
    expect(insert.query).toEqual({ dataSource: "accounts/123456789/dataSources/10987654321" });
  });

  it("sends a price-only update as exactly one patch carrying only the price fields", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    await google.send([create(tee("A"))], context());
    sim.resetCalls();

    const cheaper: Record<string, PublishValue> = { ...tee("A", 1200) };
    delete cheaper.sale_price;
    const outcomes = await google.send(
      [{ op: "update", key: "A", sections: ["price"], values: cheaper }],
      context(),
    );
    expect(outcomes).toMatchObject([{ key: "A", op: "update", status: "accepted" }]);
    expect(sim.calls).toHaveLength(1);
    const [patch] = sim.calls;
    expect(patch!.method).toBe("PATCH");
    expect(patch!.path).toBe("/products/v1/accounts/123456789/productInputs/en~US~A");
    expect(patch!.query.updateMask!.split(",")).toEqual(
      expect.arrayContaining(["price", "salePrice", "salePriceEffectiveDate", "costOfGoodsSold"]),
    );
    expect(patch!.query.updateMask).not.toMatch(/title|availability/);
    expect(patch!.body).toEqual({
      productAttributes: { price: { amountMicros: "12000000", currencyCode: "USD" } },
    });
    const held = sim.items().get("A")!.productAttributes;
    expect(held.price).toEqual({ amountMicros: "12000000", currencyCode: "USD" });
    // The sale price left the item: the mask names it, the body lacks it, so Google removes it.
    expect(held.salePrice).toBeUndefined();
    expect(held.title).toBe("Acme Tee A");
  });

  it("sends store stock through localInventories and removes a store the item left", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    const withStores = (rows: PublishValues[]): PublishValues => ({ ...tee("L"), local_inventory: rows });
    await google.send(
      [
        create(
          withStores([
            {
              store_code: "S1",
              quantity: 5,
              availability: "in_stock",
              pickup_method: "buy",
              pickup_sla: "same day",
            },
            { store_code: "S2", quantity: 0, availability: "out_of_stock", price: usd(1400) },
          ]),
        ),
      ],
      context(),
    );
    const stores = sim.items().get("L")!.localInventories;
    expect(stores.get("S1")!.localInventoryAttributes).toEqual({
      availability: "IN_STOCK",
      quantity: "5",
      pickupMethod: "BUY",
      pickupSla: "SAME_DAY",
    });
    expect(stores.get("S2")!.localInventoryAttributes).toMatchObject({
      quantity: "0",
      price: { amountMicros: "14000000", currencyCode: "USD" },
    });
    expect(sim.items().get("L")!.productAttributes.localInventory).toBeUndefined();

    sim.resetCalls();
    const outcomes = await google.send(
      [
        {
          op: "update",
          key: "L",
          sections: ["inventory"],
          values: withStores([{ store_code: "S1", quantity: 2, availability: "in_stock" }]),
        },
      ],
      context(),
    );
    expect(outcomes).toMatchObject([{ status: "accepted" }]);
    expect(
      sim.calls.map((call) => `${call.method} ${call.path.replace(/.*\/products\/en~US~L/, "")}`),
    ).toEqual([
      "PATCH /products/v1/accounts/123456789/productInputs/en~US~L",
      "POST /localInventories:insert",
      "GET /localInventories",
      "DELETE /localInventories/S2",
    ]);
    expect(sim.calls[0]!.body).toEqual({ productAttributes: { availability: "IN_STOCK" } });
    expect([...sim.items().get("L")!.localInventories.keys()]).toEqual(["S1"]);
  });

  it("sends a content change as a whole insert, and puts back an item deleted behind our back", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    await google.send([create(tee("A")), create(tee("B"))], context());
    sim.resetCalls();
    const renamed = { ...tee("A"), title: "Acme Tee, new title" };
    sim.deleteItem("B");
    const outcomes = await google.send(
      [
        { op: "update", key: "A", sections: ["content"], values: renamed },
        { op: "update", key: "B", sections: ["price"], values: tee("B", 999) },
      ],
      context(),
    );
    expect(outcomes).toMatchObject([
      { key: "A", status: "accepted" },
      { key: "B", status: "accepted" },
    ]);
    expect(sim.items().get("A")!.productAttributes.title).toBe("Acme Tee, new title");
    expect(sim.items().get("B")!.productAttributes).toMatchObject({
      title: "Acme Tee B",
      price: { amountMicros: "9990000", currencyCode: "USD" },
    });
  });

  it("deletes an item, and takes an item already gone as deleted", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    await google.send([create(tee("A"))], context());
    const outcomes = await google.send(
      [
        { op: "delete", key: "A", sections: [] },
        { op: "delete", key: "NEVER", sections: [] },
      ],
      context(),
    );
    expect(outcomes).toEqual([
      { key: "A", op: "delete", status: "accepted", issues: [] },
      { key: "NEVER", op: "delete", status: "accepted", issues: [] },
    ]);
    expect(sim.items().has("A")).toBe(false);
    expect(sim.calls.filter((call) => call.method === "DELETE").map((call) => call.query.dataSource)).toEqual(
      ["accounts/123456789/dataSources/10987654321", "accounts/123456789/dataSources/10987654321"],
    );
  });

  it("gives a refused item the simulator's reason, code and attribute; the others go on", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    sim.rejectItem("BAD", { code: "INVALID_GTIN", message: "Invalid GTIN value", attribute: "gtins" });
    const outcomes = await google.send([create(tee("BAD")), create(tee("GOOD"))], context());
    expect(outcomes).toEqual([
      {
        key: "BAD",
        op: "create",
        status: "rejected",
        issues: [
          {
            code: "INVALID_GTIN",
            message: "[gtins] Invalid GTIN value",
            severity: "error",
            attribute: "gtins",
          },
        ],
      },
      expect.objectContaining({ key: "GOOD", status: "accepted" }),
    ]);
    // Refused once, not retried: a 400 would be refused again.
    expect(sim.calls.filter((call) => call.status === 400)).toHaveLength(1);
  });

  it("loses no change under a 429 storm and a 5xx burst", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    const limiter = openLimiter();
    sim.failNext(6, 429);
    sim.failNext(3, 503);
    sim.failNext(3, 502);
    sim.failNext(3, 500);
    const changes = Array.from({ length: 20 }, (_, index) => create(tee(`S${index}`)));
    const outcomes = await google.send(changes, context(limiter));
    expect(outcomes).toHaveLength(20);
    expect(outcomes.every((outcome) => outcome.status === "accepted")).toBe(true);
    expect(new Set(outcomes.map((outcome) => outcome.key)).size).toBe(20);
    expect(sim.items().size).toBe(20);
    // Each 429 paused the shared bucket for Google's RetryInfo delay (1 s).
    expect(limiter.pauses).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
  });

  it("keeps to the account's bucket and still sends everything when the simulator limits too", async () => {
    const { sim, account } = await start({ rateLimit: { perSecond: 20, burst: 4 } });
    const google = await publisher(account);
    const changes = Array.from({ length: 12 }, (_, index) => create(tee(`Q${index}`)));
    const started = Date.now();
    const outcomes = await google.send(changes, context(tokenBucket(20, 4)));
    expect(outcomes.filter((outcome) => outcome.status === "accepted")).toHaveLength(12);
    expect(sim.quota.stats.allowed).toBe(12);
    expect(sim.quota.stats.refused).toBeLessThanOrEqual(2);
    // 4 at once, then 8 more at 20 a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it("reports retries exhausted as failed, one outcome per change, with no secret in the text", async () => {
    const { sim, account } = await start();
    const google = await createGooglePublisher(account, { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 });
    sim.failNext(4, 503);
    const outcomes = await google.send([create(tee("F1")), create(tee("F2")), create(tee("OK"))], context());
    expect(outcomes).toHaveLength(3);
    const failed = outcomes.filter((outcome) => outcome.status === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const outcome of failed) {
      expect(outcome.error).toMatch(
        /^transient: .*Google Merchant API: productInputs\.insert .*503 UNAVAILABLE/,
      );
      expect(outcome.error).not.toMatch(/ya29|Bearer|PRIVATE KEY/);
    }
  });

  it("gives every change an outcome when the run is stopped", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    const stop = new AbortController();
    stop.abort(new Error("SIGTERM"));
    const outcomes = await google.send([create(tee("X1")), create(tee("X2"))], {
      signal: stop.signal,
      limiter: openLimiter(),
    });
    expect(outcomes).toEqual([
      {
        key: "X1",
        op: "create",
        status: "failed",
        issues: [],
        error: "the run was stopped before the call finished",
      },
      {
        key: "X2",
        op: "create",
        status: "failed",
        issues: [],
        error: "the run was stopped before the call finished",
      },
    ]);
    expect(sim.items().size).toBe(0);
  });

  it("stops with an auth error when the key is not the service account's, without the key or a token in it", async () => {
    const { sim, account } = await start();
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const file = join(directory, "stranger.json");
    await writeFile(file, JSON.stringify({ ...sim.serviceAccountKey(), private_key: stranger }));
    const google = await publisher({ ...account, credentials_file: file });
    const error = await google.send([create(tee("A"))], context()).catch((caught: unknown) => caught);
    expect(isOmnifeedError(error, "auth")).toBe(true);
    const text = `${(error as Error).message} ${(error as Error).stack ?? ""}`;
    expect(text).toContain("omnifeed-sim@omnifeed-sim.iam.gserviceaccount.com");
    expect(text).toContain("invalid_grant");
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(stranger.split("\n")[1]!);
    expect(text).not.toMatch(/assertion|eyJ/);
    expect(sim.items().size).toBe(0);
  });

  it("exchanges a new token once when Google stops taking the cached one", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    await google.send([create(tee("A"))], context());
    sim.revokeTokens();
    sim.resetCalls();
    const outcomes = await google.send([create(tee("B"))], context());
    expect(outcomes[0]?.error).toBeUndefined();
    expect(outcomes).toMatchObject([{ key: "B", status: "accepted" }]);
    expect(sim.calls.map((call) => `${call.status} ${call.path}`)).toEqual([
      "401 /products/v1/accounts/123456789/productInputs:insert",
      "200 /token",
      "200 /products/v1/accounts/123456789/productInputs:insert",
    ]);
    expect(sim.tokensIssued).toBe(2);
  });

  it("caches the token and refreshes it before it expires", async () => {
    const { sim, account } = await start({ tokenLifetimeSeconds: 3599 });
    const google = await publisher(account);
    await google.send([create(tee("A")), create(tee("B"))], context());
    await google.send([create(tee("C"))], context());
    expect(sim.tokensIssued).toBe(1);

    const { sim: short, account: shortAccount } = await start({ tokenLifetimeSeconds: 60 });
    // Refresh when less than 2 minutes are left: a 60 s token is refreshed at every call.
    const eager = await createGooglePublisher(shortAccount, { refreshBeforeMs: 120_000 });
    await eager.send([create(tee("A"))], context());
    await eager.send([create(tee("B"))], context());
    expect(short.tokensIssued).toBe(2);
    await sim.close();
  });
});

describe("googlePublisher: list and get", () => {
  it("reads back typed values, disapprovals and changes made behind our back", async () => {
    const { sim, account } = await start();
    const google = await publisher(account);
    await google.send(
      Array.from({ length: 5 }, (_, index) => create(tee(`R${index}`))),
      context(),
    );
    sim.setPrice("R1", { amountMinor: 1999, currency: "USD" });
    sim.disapprove("R2", {
      code: "landing_page_error",
      message: "Unavailable landing page",
      attribute: "link",
    });
    sim.deleteItem("R3");

    const items = await google.get(["R0", "R1", "R2", "R3"], context());
    expect(items.map((item) => item.key)).toEqual(["R0", "R1", "R2"]);
    const [r0, r1, r2] = items;
    expect(r0).toMatchObject({
      status: "active",
      issues: [],
      remoteId: "accounts/123456789/products/en~US~R0",
      values: {
        title: "Acme Tee R0",
        price: usd(1500),
        sale_price: usd(1200),
        availability: "in_stock",
        condition: "new",
        gtin: "00012345600012",
        multipack: 2,
        product_type: ["Apparel > Tops > T-Shirts"],
      },
    });
    expect(r1!.values.price).toEqual(usd(1999));
    expect(r2).toMatchObject({
      status: "rejected",
      issues: [
        {
          code: "landing_page_error",
          message: "Unavailable landing page",
          severity: "error",
          attribute: "link",
        },
      ],
    });

    const listed: string[] = [];
    for await (const page of google.list(context())) listed.push(...page.map((item) => item.key));
    expect(listed.sort()).toEqual(["R0", "R1", "R2", "R4"]);
  });

  it("shows nothing until Google has processed the input", async () => {
    const { account } = await start({ processingDelayMs: 150 });
    const google = await publisher(account);
    await google.send([create(tee("P"))], context());
    expect(await google.get(["P"], context())).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await google.get(["P"], context())).toMatchObject([{ key: "P", status: "active" }]);
  });
});
