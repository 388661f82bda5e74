import { afterEach, describe, expect, it } from "vitest";
import type { EbaySimulator, EbaySimulatorOptions } from "./ebay.js";
import { EBAY_SCOPES, EBAY_SIMULATOR_CREDENTIALS, startEbaySimulator } from "./ebay.js";

/** The eBay simulator's own behaviour, spoken to with plain fetch. */

interface EbayErrorBody {
  errors: { errorId: number; domain: string; category: string; message: string }[];
}
interface OrderView {
  orderId: string;
  orderFulfillmentStatus: string;
  lastModifiedDate: string;
  lineItems: { lineItemId: string; sku?: string; lineItemFulfillmentStatus: string; total: unknown }[];
  pricingSummary: { total: unknown };
  fulfillmentHrefs: string[];
}
interface Answer extends EbayErrorBody, OrderView {
  total: number;
  limit: number;
  offset: number;
  next?: string;
  href: string;
  orders: OrderView[];
  fulfillments: { fulfillmentId: string; shipmentTrackingNumber: string; lineItems: unknown[] }[];
}

let simulator: EbaySimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: EbaySimulatorOptions = {}): Promise<EbaySimulator> {
  simulator = await startEbaySimulator({ port: 0, ...options });
  return simulator;
}

const BASIC = `Basic ${Buffer.from(`${EBAY_SIMULATOR_CREDENTIALS.clientId}:${EBAY_SIMULATOR_CREDENTIALS.clientSecret}`).toString("base64")}`;

async function tokenCall(sim: EbaySimulator, form: Record<string, string>, authorization = BASIC) {
  const response = await fetch(`${sim.url}/identity/v1/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function userToken(sim: EbaySimulator): Promise<string> {
  const answer = await tokenCall(sim, {
    grant_type: "refresh_token",
    refresh_token: EBAY_SIMULATOR_CREDENTIALS.refreshToken,
    scope: EBAY_SCOPES.fulfillment,
  });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ token_type: "User Access Token", expires_in: 7200 });
  return answer.body.access_token as string;
}

async function get(sim: EbaySimulator, token: string, path: string) {
  const response = await fetch(path.startsWith("http") ? path : `${sim.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function ship(sim: EbaySimulator, token: string, orderId: string, body: unknown) {
  const response = await fetch(`${sim.url}/sell/fulfillment/v1/order/${orderId}/shipping_fulfillment`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    location: response.headers.get("location"),
    body: text === "" ? undefined : (JSON.parse(text) as EbayErrorBody),
  };
}

const LINES = {
  lines: [
    { sku: "MUG-RED", quantity: 2, unitPriceMinor: 1500 },
    { sku: "MUG-BLUE", quantity: 1, unitPriceMinor: 1799 },
  ],
};
const filterOf = (text: string) => encodeURIComponent(text);

describe("eBay simulator: OAuth", () => {
  it("grants a user token on refresh, an app token on client credentials, and refuses bad clients and grants", async () => {
    const sim = await start();
    await userToken(sim);
    const app = await tokenCall(sim, { grant_type: "client_credentials", scope: EBAY_SCOPES.public });
    expect(app.body.token_type).toBe("Application Access Token");
    const badClient = await tokenCall(sim, { grant_type: "client_credentials" }, "Basic Zm9vOmJhcg==");
    expect(badClient).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const badGrant = await tokenCall(sim, { grant_type: "refresh_token", refresh_token: "stale" });
    expect(badGrant).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const wideScope = await tokenCall(sim, {
      grant_type: "refresh_token",
      refresh_token: EBAY_SIMULATOR_CREDENTIALS.refreshToken,
      scope: "https://api.ebay.com/oauth/api_scope/sell.account",
    });
    expect(wideScope.body.error).toBe("invalid_scope");
  });

  it("answers 401 without a valid bearer token and 403 to an application token or a read-only token writing", async () => {
    const sim = await start();
    const { orderId, lineItemIds } = sim.placeOrder(LINES);
    const none = await get(sim, "forged", "/sell/fulfillment/v1/order");
    expect(none.status).toBe(401);
    expect(none.body.errors[0]).toMatchObject({ errorId: 1001, category: "REQUEST" });
    const app = await tokenCall(sim, { grant_type: "client_credentials", scope: EBAY_SCOPES.public });
    const denied = await get(sim, app.body.access_token as string, "/sell/fulfillment/v1/order");
    expect(denied.status).toBe(403);
    const readonly = await tokenCall(sim, {
      grant_type: "refresh_token",
      refresh_token: EBAY_SIMULATOR_CREDENTIALS.refreshToken,
      scope: EBAY_SCOPES.fulfillmentReadonly,
    });
    const readToken = readonly.body.access_token as string;
    expect((await get(sim, readToken, `/sell/fulfillment/v1/order/${orderId}`)).status).toBe(200);
    const write = await ship(sim, readToken, orderId, { lineItems: [{ lineItemId: lineItemIds[0] }] });
    expect(write.status).toBe(403);
  });
});

describe("eBay simulator: getOrders", () => {
  it("pages with limit/offset, total and a next URL that leads to the last page", async () => {
    const sim = await start();
    const token = await userToken(sim);
    const ids = [1, 2, 3].map(() => sim.placeOrder(LINES).orderId);
    const first = await get(sim, token, "/sell/fulfillment/v1/order?limit=2");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    // Newest first.
    expect(first.body.orders.map((order) => order.orderId)).toEqual([ids[2], ids[1]]);
    const second = await get(sim, token, first.body.next!);
    expect(second.body.orders.map((order) => order.orderId)).toEqual([ids[0]]);
    expect(second.body.next).toBeUndefined();
  });

  it("lists every order at once, even many placed in one millisecond", async () => {
    const sim = await start();
    const token = await userToken(sim);
    // Times are distinct and increasing, so a burst runs ahead of the wall clock; the default
    // window and an open-ended one must still reach its newest order.
    const ids = Array.from({ length: 300 }, () => sim.placeOrder(LINES).orderId);
    const all = await get(sim, token, "/sell/fulfillment/v1/order?limit=200");
    expect(all.body.total).toBe(300);
    const since = new Date(Date.now() - 60_000).toISOString();
    const open = await get(
      sim,
      token,
      `/sell/fulfillment/v1/order?limit=1&filter=${filterOf(`lastmodifieddate:[${since}..]`)}`,
    );
    expect(open.body.total).toBe(300);
    expect(open.body.orders[0]!.orderId).toBe(ids.at(-1));
  });

  it("filters by lastmodifieddate and orderfulfillmentstatus", async () => {
    const sim = await start();
    const token = await userToken(sim);
    const old = sim.placeOrder({
      ...LINES,
      creationDate: new Date(Date.now() - 5 * 86_400_000).toISOString(),
    });
    const fresh = sim.placeOrder(LINES);
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const modified = await get(
      sim,
      token,
      `/sell/fulfillment/v1/order?filter=${filterOf(`lastmodifieddate:[${since}..]`)}`,
    );
    expect(modified.body.orders.map((order) => order.orderId)).toEqual([fresh.orderId]);
    await ship(sim, token, old.orderId, {
      lineItems: [{ lineItemId: sim.order(old.orderId).lineItems[0]!.lineItemId }],
    });
    const both = await get(
      sim,
      token,
      `/sell/fulfillment/v1/order?filter=${filterOf(`lastmodifieddate:[${since}..],orderfulfillmentstatus:{FULFILLED|IN_PROGRESS}`)}`,
    );
    expect(both.body.orders.map((order) => [order.orderId, order.orderFulfillmentStatus])).toEqual([
      [old.orderId, "IN_PROGRESS"],
    ]);
  });

  it("answers bad filters, limits and offsets with eBay's error ids", async () => {
    const sim = await start();
    const token = await userToken(sim);
    const cases: [string, number][] = [
      [`filter=${filterOf("shipdate:[2026-01-01T00:00:00.000Z..]")}`, 30700],
      [`filter=${filterOf("orderfulfillmentstatus:{NOT_STARTED|FULFILLED}")}`, 30800],
      [`filter=${filterOf("lastmodifieddate:[2026-13-01..]")}`, 30810],
      [`filter=${filterOf("lastmodifieddate:[..2026-01-01T00:00:00.000Z]")}`, 30820],
      [
        `filter=${filterOf(`creationdate:[${new Date(Date.now() - 100 * 86_400_000).toISOString()}..]`)}`,
        30830,
      ],
      [`filter=${filterOf(`creationdate:[${new Date(Date.now() + 86_400_000).toISOString()}..]`)}`, 30840],
      ["limit=0", 31100],
      ["limit=201", 31100],
      ["offset=-1", 31000],
      ["fieldGroups=EVERYTHING", 32800],
    ];
    for (const [query, errorId] of cases) {
      const answer = await get(sim, token, `/sell/fulfillment/v1/order?${query}`);
      expect([query, answer.status, answer.body.errors[0]!.errorId]).toEqual([query, 400, errorId]);
      expect(answer.body.errors[0]!.domain).toBe("API_FULFILLMENT");
    }
    const unknown = await get(sim, token, "/sell/fulfillment/v1/order/99-99999-99999");
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]!.errorId).toBe(32100);
  });

  it("answers 429 in eBay's shape once the application's bucket is empty", async () => {
    const sim = await start({ rateLimit: { perSecond: 1, burst: 2 } });
    const token = await userToken(sim);
    expect((await get(sim, token, "/sell/fulfillment/v1/order")).status).toBe(200);
    expect((await get(sim, token, "/sell/fulfillment/v1/order")).status).toBe(200);
    const refused = await get(sim, token, "/sell/fulfillment/v1/order");
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatchObject({ errorId: 2001, message: "Too many requests" });
    expect(sim.quota.stats.refused).toBe(1);
  });
});

describe("eBay simulator: shipping fulfillments", () => {
  it("ships one line then the other: 201 + Location, statuses IN_PROGRESS then FULFILLED, fulfillments read back", async () => {
    const sim = await start();
    const token = await userToken(sim);
    const { orderId, lineItemIds } = sim.placeOrder(LINES);
    const first = await ship(sim, token, orderId, {
      lineItems: [{ lineItemId: lineItemIds[0], quantity: 2 }],
      shippedDate: new Date().toISOString(),
      shippingCarrierCode: "USPS",
      trackingNumber: "9400111899560000000001",
    });
    expect(first.status).toBe(201);
    expect(first.body).toBeUndefined();
    const fulfillmentId = decodeURIComponent(first.location!.split("/shipping_fulfillment/")[1]!);
    expect(first.location).toBe(
      `${sim.url}/sell/fulfillment/v1/order/${orderId}/shipping_fulfillment/${encodeURIComponent(fulfillmentId)}`,
    );
    const partial = await get(sim, token, `/sell/fulfillment/v1/order/${orderId}`);
    expect(partial.body.orderFulfillmentStatus).toBe("IN_PROGRESS");
    expect(partial.body.lineItems.map((line) => line.lineItemFulfillmentStatus)).toEqual([
      "FULFILLED",
      "NOT_STARTED",
    ]);
    const second = await ship(sim, token, orderId, {
      lineItems: [{ lineItemId: lineItemIds[1] }],
      shippingCarrierCode: "UPS",
      trackingNumber: "1Z999AA10123456784",
    });
    expect(second.status).toBe(201);
    const done = await get(sim, token, `/sell/fulfillment/v1/order/${orderId}`);
    expect(done.body.orderFulfillmentStatus).toBe("FULFILLED");
    expect(done.body.fulfillmentHrefs).toHaveLength(2);
    const listed = await get(sim, token, `/sell/fulfillment/v1/order/${orderId}/shipping_fulfillment`);
    expect(listed.body.total).toBe(2);
    expect(listed.body.fulfillments.map((fulfillment) => fulfillment.shipmentTrackingNumber)).toEqual([
      "9400111899560000000001",
      "1Z999AA10123456784",
    ]);
    const one = await get(sim, token, first.location!);
    expect(one.body).toMatchObject({ fulfillmentId, shippingCarrierCode: "USPS" });
    expect(sim.fulfillments(orderId)).toHaveLength(2);
  });

  it("refuses an unknown or already shipped line item, a bad shippedDate, and a cancelled order", async () => {
    const sim = await start();
    const token = await userToken(sim);
    const { orderId, lineItemIds } = sim.placeOrder(LINES);
    const unknown = await ship(sim, token, orderId, { lineItems: [{ lineItemId: "123" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body!.errors[0]!.message).toMatch(/Invalid line item ID at lineItems\[0\]: 123/);
    const empty = await ship(sim, token, orderId, { lineItems: [] });
    expect(empty.status).toBe(400);
    const date = await ship(sim, token, orderId, {
      lineItems: [{ lineItemId: lineItemIds[0] }],
      shippedDate: "02/21/2026",
    });
    expect(date.body!.errors[0]!.message).toMatch(/shippedDate/);
    expect((await ship(sim, token, orderId, { lineItems: [{ lineItemId: lineItemIds[0] }] })).status).toBe(
      201,
    );
    const twice = await ship(sim, token, orderId, { lineItems: [{ lineItemId: lineItemIds[0] }] });
    expect(twice.body!.errors[0]!.message).toMatch(/already fulfilled/);
    const other = sim.placeOrder(LINES);
    sim.cancel(other.orderId);
    const cancelled = await ship(sim, token, other.orderId, {
      lineItems: [{ lineItemId: other.lineItemIds[0] }],
    });
    expect(cancelled.status).toBe(409);
    expect(() => sim.cancel(orderId)).toThrow(/cannot be cancelled/);
  });
});
