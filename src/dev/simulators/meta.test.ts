import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startMetaSimulator, type MetaSimulator } from "./meta.js";

const ITEM = {
  id: "TS-RED-M",
  title: "Acme Tee – Red – M",
  description: "100% cotton tee.",
  availability: "in stock",
  condition: "new",
  price: "15.00 USD",
  link: "https://example.com/p/ts?v=red-m",
  image_link: "https://example.com/i/ts-red.jpg",
  brand: "Acme",
};

let simulator: MetaSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: Parameters<typeof startMetaSimulator>[0] = {}): Promise<MetaSimulator> {
  simulator = await startMetaSimulator({ processingDelayMs: 40, ...options });
  return simulator;
}

function proofOf(sim: MetaSimulator): string {
  return createHmac("sha256", sim.env.OMNIFEED_META_APP_SECRET!).update(sim.accessToken).digest("hex");
}

async function call(
  sim: MetaSimulator,
  method: "GET" | "POST",
  path: string,
  options: {
    query?: Record<string, string>;
    body?: unknown;
    token?: string | null;
    proof?: string | null;
  } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const url = new URL(`${sim.url}/v26.0/${sim.catalogId}/${path}`);
  const proof = options.proof === undefined ? proofOf(sim) : options.proof;
  if (proof !== null) url.searchParams.set("appsecret_proof", proof);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const token = options.token === undefined ? sim.accessToken : options.token;
  const response = await fetch(url, {
    method,
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(options.body !== undefined && { "content-type": "application/json" }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

async function finished(sim: MetaSimulator, handle: string): Promise<Record<string, unknown>> {
  for (let poll = 0; poll < 50; poll += 1) {
    const answer = await call(sim, "GET", "check_batch_request_status", {
      query: { handle, load_ids_of_invalid_requests: "true" },
    });
    const entry = (answer.body.data as Record<string, unknown>[])[0]!;
    if (entry.status === "finished") return entry;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the batch never finished");
}

describe("Meta simulator: auth", () => {
  it("answers Graph's errors for a missing token, a bad token and a bad appsecret_proof", async () => {
    const sim = await start();
    const none = await call(sim, "GET", "products", { token: null });
    expect(none.body.error).toMatchObject({ code: 104, type: "OAuthException" });
    const bad = await call(sim, "GET", "products", { token: "EAAwrong" });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 190, type: "OAuthException" });
    expect(typeof (bad.body.error as { fbtrace_id?: unknown }).fbtrace_id).toBe("string");
    const noProof = await call(sim, "GET", "products", { proof: null });
    expect(noProof.body.error).toMatchObject({
      code: 100,
      message: "API calls from the server require an appsecret_proof argument",
    });
    const wrongProof = await call(sim, "GET", "products", { proof: "00".repeat(32) });
    expect(wrongProof.body.error).toMatchObject({
      code: 100,
      message: "Invalid appsecret_proof provided in the API argument",
    });
    expect((await call(sim, "GET", "products")).status).toBe(200);
  });

  it("accepts the token as the access_token parameter, and needs no proof when the app does not require it", async () => {
    const sim = await start({ appSecret: null });
    const answer = await call(sim, "GET", "products", {
      token: null,
      proof: null,
      query: { access_token: sim.accessToken },
    });
    expect(answer.status).toBe(200);
    expect(sim.env).not.toHaveProperty("OMNIFEED_META_APP_SECRET");
  });
});

describe("Meta simulator: items_batch", () => {
  it("queues a batch, reports started, then finished, and only then holds the items", async () => {
    const sim = await start({ processingDelayMs: 150 });
    const queued = await call(sim, "POST", "items_batch", {
      body: { item_type: "PRODUCT_ITEM", requests: [{ method: "CREATE", data: ITEM }] },
    });
    expect(queued.status).toBe(200);
    const handle = (queued.body.handles as string[])[0]!;
    expect(queued.body.validation_status).toEqual([{ retailer_id: "TS-RED-M", errors: [], warnings: [] }]);
    const early = await call(sim, "GET", "check_batch_request_status", { query: { handle } });
    expect((early.body.data as { status: string }[])[0]!.status).toBe("started");
    expect(sim.items().has("TS-RED-M")).toBe(false);
    const done = await finished(sim, handle);
    expect(done).toMatchObject({
      status: "finished",
      errors: [],
      errors_total_count: 0,
      ids_of_invalid_requests: [],
    });
    expect(sim.items().get("TS-RED-M")?.fields).toMatchObject({ price: "15.00 USD", title: ITEM.title });
  });

  it("refuses a malformed call as a whole and field problems per item", async () => {
    const sim = await start();
    const noType = await call(sim, "POST", "items_batch", { body: { requests: [] } });
    expect(noType.status).toBe(400);
    expect(noType.body.error).toMatchObject({
      code: 100,
      message: "(#100) The parameter item_type is required",
    });
    const badMethod = await call(sim, "POST", "items_batch", {
      body: { item_type: "PRODUCT_ITEM", requests: [{ method: "UPSERT", data: ITEM }] },
    });
    expect(badMethod.body.error).toMatchObject({
      code: 100,
      message: "(#100) Param requests[0][method] must be one of {CREATE, UPDATE, DELETE}",
    });
    const tooMany = await call(sim, "POST", "items_batch", {
      body: {
        item_type: "PRODUCT_ITEM",
        requests: Array.from({ length: 5001 }, (_, index) => ({
          method: "DELETE",
          data: { id: `K${index}` },
        })),
      },
    });
    expect(tooMany.body.error).toMatchObject({
      code: 100,
      message: "(#100) Param requests must be an array with at most 5000 elements",
    });

    const mixed = await call(sim, "POST", "items_batch", {
      body: {
        item_type: "PRODUCT_ITEM",
        requests: [
          { method: "CREATE", data: { ...ITEM, id: "NO-PRICE", price: undefined } },
          { method: "CREATE", data: { ...ITEM, id: "UNDERSCORE", availability: "in_stock" } },
          { method: "CREATE", data: { ...ITEM, id: "GOOD" } },
        ],
      },
    });
    const validation = mixed.body.validation_status as {
      retailer_id: string;
      errors: { message: string }[];
    }[];
    expect(validation[0]!.errors).toEqual([{ message: "A required field is missing: price." }]);
    expect(validation[1]!.errors[0]!.message).toMatch(/availability/);
    expect(validation[2]!.errors).toEqual([]);
    const done = await finished(sim, (mixed.body.handles as string[])[0]!);
    expect(done.errors).toEqual([
      { line: 0, id: "NO-PRICE", message: "A required field is missing: price." },
      { line: 1, id: "UNDERSCORE", message: 'Invalid value for availability: "in_stock".' },
    ]);
    expect(done.ids_of_invalid_requests).toEqual(["NO-PRICE", "UNDERSCORE"]);
    expect([...sim.items().keys()]).toEqual(["GOOD"]);
  });

  it("refuses writes of a rejected item in the finished batch, with the reason given", async () => {
    const sim = await start();
    sim.rejectItem("TS-RED-M", { code: "policy", message: "Item violates the commerce policy: weapons." });
    const queued = await call(sim, "POST", "items_batch", {
      body: { item_type: "PRODUCT_ITEM", requests: [{ method: "UPDATE", data: ITEM }] },
    });
    const done = await finished(sim, (queued.body.handles as string[])[0]!);
    expect(done.errors).toEqual([
      { line: 0, id: "TS-RED-M", message: "Item violates the commerce policy: weapons." },
    ]);
    expect(sim.items().size).toBe(0);
  });

  it("throttles batch calls with error 80014 and the usage header, and counts them in quota.stats", async () => {
    const sim = await start({ rateLimit: { perSecond: 1, burst: 2 } });
    const body = { item_type: "PRODUCT_ITEM", requests: [{ method: "DELETE", data: { id: "X" } }] };
    const statuses: number[] = [];
    let throttled: { body: Record<string, unknown>; headers: Headers } | undefined;
    for (let index = 0; index < 4; index += 1) {
      const answer = await call(sim, "POST", "items_batch", { body });
      statuses.push(answer.status);
      if (answer.status !== 200) throttled = answer;
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(throttled?.body.error).toMatchObject({ code: 80014, is_transient: true, type: "OAuthException" });
    const usage = JSON.parse(throttled!.headers.get("x-business-use-case-usage")!) as Record<
      string,
      { call_count: number }[]
    >;
    expect(usage[sim.catalogId]![0]!.call_count).toBe(100);
    expect(sim.quota.stats).toMatchObject({ allowed: 2, refused: 2 });
    // Reads are not batch calls: the quota does not touch them.
    expect((await call(sim, "GET", "products")).status).toBe(200);
  });

  it("fails the next calls as told, in Graph's shape", async () => {
    const sim = await start();
    sim.failNext(3, 503);
    sim.failNext(1, 429);
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await call(sim, "GET", "products")).status);
    expect(statuses).toEqual([503, 503, 503, 429, 200]);
    expect(sim.calls.map((recorded) => recorded.status)).toEqual(statuses);
    expect(sim.calls[3]!.path).toBe(`/v26.0/${sim.catalogId}/products`);
  });
});

describe("Meta simulator: products", () => {
  async function seed(sim: MetaSimulator, count: number): Promise<void> {
    const queued = await call(sim, "POST", "items_batch", {
      body: {
        item_type: "PRODUCT_ITEM",
        requests: Array.from({ length: count }, (_, index) => ({
          method: "CREATE",
          data: { ...ITEM, id: `SKU-${index}` },
        })),
      },
    });
    await finished(sim, (queued.body.handles as string[])[0]!);
  }

  it("pages with cursors and a next link until the last page", async () => {
    const sim = await start();
    await seed(sim, 7);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const answer = await call(sim, "GET", "products", {
        query: { fields: "id,retailer_id", limit: "3", ...(after && { after }) },
      });
      pages += 1;
      seen.push(...(answer.body.data as { retailer_id: string }[]).map((product) => product.retailer_id));
      const paging = answer.body.paging as { next?: string; cursors: { after: string } };
      if (!paging.next) break;
      expect(paging.next).toContain(sim.url);
      after = paging.cursors.after;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, index) => `SKU-${index}`));
  });

  it("filters by retailer id and shows changes made behind omnifeed's back", async () => {
    const sim = await start();
    await seed(sim, 3);
    sim.setPrice("SKU-1", { amountMinor: 1299, currency: "USD" });
    sim.disapprove("SKU-2", { code: "policy_violation", message: "Image contains text overlay." });
    sim.deleteItem("SKU-0");
    const answer = await call(sim, "GET", "products", {
      query: {
        fields: "id,retailer_id,price,currency,review_status,errors",
        filter: JSON.stringify({ retailer_id: { is_any: ["SKU-0", "SKU-1", "SKU-2"] } }),
      },
    });
    const data = answer.body.data as Record<string, unknown>[];
    expect(data.map((product) => product.retailer_id)).toEqual(["SKU-1", "SKU-2"]);
    expect(data[0]).toMatchObject({
      price: "$12.99",
      currency: "USD",
      review_status: "approved",
      errors: [],
    });
    expect(data[1]).toMatchObject({
      review_status: "rejected",
      errors: [
        {
          error_type: "policy_violation",
          description: "Image contains text overlay.",
          error_priority: "HIGH",
        },
      ],
    });
    expect(data[0]!.id).toMatch(/^\d+$/);
  });

  it("answers the order endpoints Meta removed with a Graph error", async () => {
    const sim = await start();
    const answer = await fetch(`${sim.url}/v26.0/555/commerce_orders`, {
      headers: { authorization: `Bearer ${sim.accessToken}` },
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: 12, type: "OAuthException" } });
  });

  it("answers Graph's errors for an unknown catalog and a wrong version", async () => {
    const sim = await start();
    const unknown = await fetch(`${sim.url}/v26.0/999/products?appsecret_proof=${proofOf(sim)}`, {
      headers: { authorization: `Bearer ${sim.accessToken}` },
    });
    expect(await unknown.json()).toMatchObject({ error: { code: 100, error_subcode: 33 } });
    const old = await fetch(`${sim.url}/v19.0/${sim.catalogId}/products?appsecret_proof=${proofOf(sim)}`, {
      headers: { authorization: `Bearer ${sim.accessToken}` },
    });
    expect(old.status).toBe(400);
  });
});
