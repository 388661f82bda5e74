import { afterEach, describe, expect, it } from "vitest";
import type { AmazonSimulator } from "./amazon.js";
import {
  AMAZON_SIMULATOR_CREDENTIALS,
  AMAZON_SIMULATOR_MARKETPLACE_ID,
  startAmazonSimulator,
} from "./amazon.js";
import type { AmazonOrdersSimulator, AmazonOrdersSimulatorOptions } from "./amazon-orders.js";
import {
  createAmazonOrdersApi,
  DEFAULT_NOTIFICATION_SECRET_HEADER,
  startAmazonOrdersSimulator,
} from "./amazon-orders.js";
import type { WebhookReceiver } from "./webhook-receiver.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

/** The Amazon orders simulator's own behaviour, spoken to with plain fetch. */

/** The parts of SP-API answers these tests read. */
interface OrderView {
  orderId: string;
  buyer?: { buyerName: string; buyerEmail?: string };
  recipient?: { deliveryAddress: { postalCode: string } };
  proceeds?: { grandTotal: unknown };
  fulfillment?: { fulfillmentStatus: string };
  packages?: Record<string, unknown>[];
  orderItems: { product: unknown; fulfillment?: unknown }[];
}
interface Answer {
  errors: { code: string; message: string; details?: string }[];
  orders: OrderView[];
  order: OrderView;
  pagination?: { nextToken: string };
  lastUpdatedBefore?: string;
}
interface Notice {
  Payload: {
    OrderChangeNotification: {
      OrderChangeType: string;
      Summary: { OrderStatus: string; OrderItems: Record<string, unknown>[] };
    };
  };
  NotificationMetadata: { NotificationId: string };
}

let simulator: AmazonOrdersSimulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function start(options: AmazonOrdersSimulatorOptions = {}): Promise<AmazonOrdersSimulator> {
  simulator = await startAmazonOrdersSimulator({ port: 0, settleMs: 0, ...options });
  return simulator;
}

async function tokenOf(sim: { url: string }): Promise<string> {
  const response = await fetch(`${sim.url}/auth/o2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: AMAZON_SIMULATOR_CREDENTIALS.refreshToken,
      client_id: AMAZON_SIMULATOR_CREDENTIALS.clientId,
      client_secret: AMAZON_SIMULATOR_CREDENTIALS.clientSecret,
    }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function get(sim: { url: string }, token: string, path: string) {
  const response = await fetch(`${sim.url}${path}`, { headers: { "x-amz-access-token": token } });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer,
  };
}

async function confirm(sim: { url: string }, token: string, orderId: string, body: unknown) {
  const response = await fetch(`${sim.url}/orders/v0/orders/${orderId}/shipmentConfirmation`, {
    method: "POST",
    headers: { "x-amz-access-token": token, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? undefined : (JSON.parse(text) as Answer),
  };
}

const PAST = new Date(Date.now() - 3_600_000).toISOString();
const TWO_LINES = {
  createdTime: new Date(Date.now() - 600_000).toISOString(),
  lines: [
    { sku: "MUG-RED", quantity: 2, unitPriceMinor: 1500 },
    { sku: "MUG-BLUE", quantity: 1, unitPriceMinor: 1799 },
  ],
};

function packageOf(reference: unknown, items: { orderItemId: string; quantity: number }[], extra = {}) {
  return {
    marketplaceId: AMAZON_SIMULATOR_MARKETPLACE_ID,
    packageDetail: {
      packageReferenceId: reference,
      carrierCode: "UPS",
      trackingNumber: `1Z${String(reference)}`,
      shipDate: new Date().toISOString(),
      orderItems: items,
      ...extra,
    },
  };
}

describe("Amazon orders simulator: auth and searchOrders", () => {
  it("refuses a call without a valid LWA access token, in SP-API's error shape", async () => {
    const sim = await start();
    const answer = await get(sim, "Atza|forged", `/orders/2026-01-01/orders?lastUpdatedAfter=${PAST}`);
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0]!.code).toBe("Unauthorized");
  });

  it("requires exactly one of createdAfter / lastUpdatedAfter and forbids mixing the families", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const none = await get(sim, token, "/orders/2026-01-01/orders");
    expect(none.status).toBe(400);
    expect(none.body.errors[0]).toMatchObject({ code: "InvalidInput" });
    const both = await get(
      sim,
      token,
      `/orders/2026-01-01/orders?createdAfter=${PAST}&lastUpdatedAfter=${PAST}`,
    );
    expect(both.status).toBe(400);
    const mixed = await get(
      sim,
      token,
      `/orders/2026-01-01/orders?createdAfter=${PAST}&lastUpdatedBefore=${PAST}`,
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors[0]!.message).toMatch(/lastUpdatedBefore cannot be used with createdAfter/);
  });

  it("refuses a lastUpdatedBefore less than the settle time in the past (Amazon: 2 minutes)", async () => {
    const sim = await start({ settleMs: 120_000 });
    const token = await tokenOf(sim);
    const tooRecent = new Date(Date.now() - 30_000).toISOString();
    const answer = await get(
      sim,
      token,
      `/orders/2026-01-01/orders?lastUpdatedAfter=${PAST}&lastUpdatedBefore=${tooRecent}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]!.message).toMatch(/at least 120 seconds before/);
  });

  it("pages with paginationToken, echoes the window end, and refuses a token whose parameters changed", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const ids = [1, 2, 3].map(() => sim.placeOrder(TWO_LINES).orderId);
    const base = `/orders/2026-01-01/orders?lastUpdatedAfter=${PAST}&marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}`;
    const first = await get(sim, token, `${base}&maxResultsPerPage=2`);
    expect(first.status).toBe(200);
    expect(first.body.orders.map((order) => order.orderId)).toEqual(ids.slice(0, 2));
    expect(typeof first.body.lastUpdatedBefore).toBe("string");
    const next = encodeURIComponent(first.body.pagination!.nextToken);
    const second = await get(
      sim,
      token,
      `${base}&maxResultsPerPage=2&includedData=FULFILLMENT&paginationToken=${next}`,
    );
    expect(second.body.orders.map((order) => order.orderId)).toEqual([ids[2]]);
    expect(second.body.pagination).toBeUndefined();
    expect(second.body.orders[0]!.fulfillment!.fulfillmentStatus).toBe("UNSHIPPED");
    const changed = await get(sim, token, `${base}&fulfillmentStatuses=SHIPPED&paginationToken=${next}`);
    expect(changed.status).toBe(400);
    expect(changed.body.errors[0]!.message).toMatch(/paginationToken you have submitted is not valid/);
  });

  it("filters by fulfillment status and gives buyer, recipient and packages only when included", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const pending = sim.placeOrder({ ...TWO_LINES, status: "PENDING" });
    const unshipped = sim.placeOrder(TWO_LINES);
    const listed = await get(
      sim,
      token,
      `/orders/2026-01-01/orders?createdAfter=${PAST}&fulfillmentStatuses=PENDING`,
    );
    expect(listed.body.orders.map((order) => order.orderId)).toEqual([pending.orderId]);
    const bare = await get(sim, token, `/orders/2026-01-01/orders/${unshipped.orderId}`);
    expect(bare.body.order.buyer).toBeUndefined();
    expect(bare.body.order.recipient).toBeUndefined();
    expect(bare.body.order.orderItems[0]!.product).toMatchObject({
      sellerSku: "MUG-RED",
      price: { unitPrice: { amount: "15.00", currencyCode: "USD" } },
    });
    const full = await get(
      sim,
      token,
      `/orders/2026-01-01/orders/${unshipped.orderId}?includedData=BUYER,RECIPIENT,PROCEEDS`,
    );
    expect(full.body.order.buyer!.buyerEmail).toMatch(/@marketplace\.amazon\.com$/);
    expect(full.body.order.recipient!.deliveryAddress.postalCode).toBe("98109");
    expect(full.body.order.proceeds!.grandTotal).toEqual({ amount: "47.99", currencyCode: "USD" });
    const pendingView = await get(
      sim,
      token,
      `/orders/2026-01-01/orders/${pending.orderId}?includedData=BUYER,RECIPIENT`,
    );
    expect(pendingView.body.order.recipient).toBeUndefined();
    expect(pendingView.body.order.buyer!.buyerEmail).toBeUndefined();
    const bad = await get(
      sim,
      token,
      `/orders/2026-01-01/orders/${unshipped.orderId}?includedData=EVERYTHING`,
    );
    expect(bad.status).toBe(400);
    const missing = await get(sim, token, "/orders/2026-01-01/orders/111-0000000-0000000");
    expect(missing.status).toBe(404);
  });
});

describe("Amazon orders simulator: confirmShipment and the order state machine", () => {
  it("moves UNSHIPPED → PARTIALLY_SHIPPED → SHIPPED over two packages, with 204 and packages read back", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const { orderId, orderItemIds } = sim.placeOrder(TWO_LINES);
    const first = await confirm(
      sim,
      token,
      orderId,
      packageOf("1", [{ orderItemId: orderItemIds[0]!, quantity: 1 }]),
    );
    expect(first).toEqual({ status: 204, body: undefined });
    expect(sim.order(orderId).status).toBe("PARTIALLY_SHIPPED");
    const rest = await confirm(
      sim,
      token,
      orderId,
      packageOf(
        "2",
        [
          { orderItemId: orderItemIds[0]!, quantity: 1 },
          { orderItemId: orderItemIds[1]!, quantity: 1 },
        ],
        { carrierCode: "Other", carrierName: "Evri" },
      ),
    );
    expect(rest.status).toBe(204);
    expect(sim.order(orderId).status).toBe("SHIPPED");
    expect(sim.shipments(orderId).map((pack) => pack.packageReferenceId)).toEqual(["1", "2"]);
    const read = await get(
      sim,
      token,
      `/orders/2026-01-01/orders/${orderId}?includedData=PACKAGES,FULFILLMENT`,
    );
    expect(read.body.order.fulfillment!.fulfillmentStatus).toBe("SHIPPED");
    expect(read.body.order.packages![1]).toMatchObject({
      packageReferenceId: "2",
      carrier: "Evri",
      trackingNumber: "1Z2",
    });
    expect(read.body.order.orderItems[0]!.fulfillment).toEqual({
      quantityFulfilled: 2,
      quantityUnfulfilled: 0,
    });
  });

  it("edits a package re-sent with the same packageReferenceId instead of adding one", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const { orderId, orderItemIds } = sim.placeOrder(TWO_LINES);
    const items = [{ orderItemId: orderItemIds[0]!, quantity: 2 }];
    expect((await confirm(sim, token, orderId, packageOf("1", items))).status).toBe(204);
    const again = await confirm(sim, token, orderId, packageOf("1", items, { trackingNumber: "1ZFIXED" }));
    expect(again.status).toBe(204);
    expect(sim.shipments(orderId)).toHaveLength(1);
    expect(sim.shipments(orderId)[0]!.trackingNumber).toBe("1ZFIXED");
    expect(sim.order(orderId).status).toBe("PARTIALLY_SHIPPED");
  });

  it("refuses a numeric packageReferenceId, Other without carrierName, a bad shipDate and too many units", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const { orderId, orderItemIds } = sim.placeOrder(TWO_LINES);
    const line = [{ orderItemId: orderItemIds[1]!, quantity: 1 }];
    const numeric = await confirm(sim, token, orderId, packageOf(1, line));
    expect(numeric.status).toBe(400);
    expect(numeric.body!.errors[0]!.details).toMatch(/invalid type \[packageDetail\.packageReferenceId\]/);
    const other = await confirm(sim, token, orderId, packageOf("1", line, { carrierCode: "Other" }));
    expect(other.body!.errors[0]!.details).toMatch(/carrierName is required/);
    const date = await confirm(sim, token, orderId, packageOf("1", line, { shipDate: "02/21/2022" }));
    expect(date.body!.errors[0]!.details).toMatch(/shipDate/);
    const tooMany = await confirm(
      sim,
      token,
      orderId,
      packageOf("1", [{ orderItemId: orderItemIds[1]!, quantity: 2 }]),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body!.errors[0]!.message).toMatch(/exceeds the 1 unit/);
    expect(sim.order(orderId).status).toBe("UNSHIPPED");
  });

  it("refuses a new package on a shipped order, and shipping a pending or cancelled one", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const shipped = sim.placeOrder({ lines: [{ sku: "MUG-RED", quantity: 1, unitPriceMinor: 1500 }] });
    const line = [{ orderItemId: shipped.orderItemIds[0]!, quantity: 1 }];
    expect((await confirm(sim, token, shipped.orderId, packageOf("1", line))).status).toBe(204);
    const extra = await confirm(sim, token, shipped.orderId, packageOf("2", line));
    expect(extra.status).toBe(400);
    expect(extra.body!.errors[0]!.message).toMatch(/PackageToUpdateNotFound/);
    const pending = sim.placeOrder({ ...TWO_LINES, status: "PENDING" });
    const early = await confirm(
      sim,
      token,
      pending.orderId,
      packageOf("1", [{ orderItemId: pending.orderItemIds[0]!, quantity: 1 }]),
    );
    expect(early.status).toBe(400);
    sim.authorize(pending.orderId);
    sim.cancel(pending.orderId, "BUYER");
    const late = await confirm(
      sim,
      token,
      pending.orderId,
      packageOf("1", [{ orderItemId: pending.orderItemIds[0]!, quantity: 1 }]),
    );
    expect(late.body!.errors[0]!.message).toMatch(/cancelled/);
    expect(() => sim.cancel(shipped.orderId)).toThrow(/only an order not yet shipped/);
  });

  it("answers 429 QuotaExceeded past an operation's burst, with x-amzn-RateLimit-Limit on answered calls", async () => {
    const sim = await start({ rateLimits: { getOrder: { perSecond: 0.5, burst: 2 } } });
    const token = await tokenOf(sim);
    const { orderId } = sim.placeOrder(TWO_LINES);
    const path = `/orders/2026-01-01/orders/${orderId}`;
    const first = await get(sim, token, path);
    expect(first.headers.get("x-amzn-ratelimit-limit")).toBe("0.5");
    await get(sim, token, path);
    const third = await get(sim, token, path);
    expect(third.status).toBe(429);
    expect(third.body.errors[0]!.code).toBe("QuotaExceeded");
    expect(third.headers.get("retry-after")).toBeNull();
    // Another operation's bucket is untouched.
    const search = await get(sim, token, `/orders/2026-01-01/orders?createdAfter=${PAST}`);
    expect(search.status).toBe(200);
    expect(search.headers.get("x-amzn-ratelimit-limit")).toBe("0.0056");
  });
});

describe("Amazon orders simulator: ORDER_CHANGE notifications", () => {
  it("delivers each change to the receiver with the shared-secret header, and redelivers on demand", async () => {
    receiver = await startWebhookReceiver();
    const sim = await start({ notifications: { url: receiver.url, secret: "s3cret", header: "x-api-key" } });
    const token = await tokenOf(sim);
    const { orderId, orderItemIds } = sim.placeOrder(TWO_LINES);
    await confirm(sim, token, orderId, packageOf("1", [{ orderItemId: orderItemIds[0]!, quantity: 2 }]));
    sim.requestCancel(orderId);
    await sim.settled();
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received.every((delivery) => delivery.headers["x-api-key"] === "s3cret")).toBe(true);
    const bodies = receiver.received.map((delivery) => JSON.parse(delivery.raw.toString("utf8")) as Notice);
    const changes = bodies.map((body) => body.Payload.OrderChangeNotification);
    expect(changes.map((change) => [change.OrderChangeType, change.Summary.OrderStatus])).toEqual([
      ["OrderStatusChange", "Unshipped"],
      ["OrderStatusChange", "PartiallyShipped"],
      ["BuyerRequestedChange", "PartiallyShipped"],
    ]);
    expect(changes[1]!.Summary.OrderItems[0]).toMatchObject({
      SellerSKU: "MUG-RED",
      QuantityShipped: 2,
      OrderItemStatus: "Shipped",
    });
    expect(changes[2]!.Summary.OrderItems[1]!.IsBuyerRequestedCancel).toBe(true);
    const ids = bodies.map((body) => body.NotificationMetadata.NotificationId);
    expect(new Set(ids).size).toBe(3);
    await sim.redeliver(ids[0]!, 2);
    expect(receiver.received).toHaveLength(5);
    const again = JSON.parse(receiver.received[4]!.raw.toString("utf8")) as Notice;
    expect(again.NotificationMetadata.NotificationId).toBe(ids[0]);
  });

  it("records a receiver's refusal and keeps the buyer's name and address out of the notification", async () => {
    receiver = await startWebhookReceiver();
    receiver.answerWith(401);
    const sim = await start();
    sim.notifyTo({ url: receiver.url, secret: "s3cret" });
    sim.placeOrder({ ...TWO_LINES, buyer: { name: "Ada Lovelace", email: "ada@example.com" } });
    await sim.settled();
    expect(sim.deliveries().map((delivery) => delivery.status)).toEqual([401]);
    expect(receiver.received[0]!.headers[DEFAULT_NOTIFICATION_SECRET_HEADER]).toBe("s3cret");
    const text = receiver.received[0]!.raw.toString("utf8");
    expect(text).not.toMatch(/Ada|ada@example|Terry Ave/);
  });
});

describe("Amazon orders simulator: mounted on the listings simulator", () => {
  let listings: AmazonSimulator | undefined;

  afterEach(async () => {
    await listings?.close();
    listings = undefined;
  });

  it("serves orders on the listings address with the listings LWA token, and its failures and auth apply", async () => {
    const orders = createAmazonOrdersApi({ settleMs: 0 });
    listings = await startAmazonSimulator({ port: 0, mounts: [orders.mount] });
    const token = await tokenOf(listings);
    const { orderId, orderItemIds } = orders.placeOrder(TWO_LINES);
    const read = await get(listings, token, `/orders/2026-01-01/orders/${orderId}`);
    expect(read.status).toBe(200);
    expect(read.body.order.orderId).toBe(orderId);
    const shipped = await confirm(
      listings,
      token,
      orderId,
      packageOf("1", [{ orderItemId: orderItemIds[1]!, quantity: 1 }]),
    );
    expect(shipped.status).toBe(204);
    expect(orders.order(orderId).status).toBe("PARTIALLY_SHIPPED");
    expect((await get(listings, "Atza|forged", `/orders/2026-01-01/orders/${orderId}`)).status).toBe(403);
    listings.failNext(1, 503);
    expect((await get(listings, token, `/orders/2026-01-01/orders/${orderId}`)).status).toBe(503);
    // The listings routes are untouched.
    const listing = await fetch(
      `${listings.url}/listings/2021-08-01/items/A1SIMSELLER0001/NOPE?marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}`,
      { headers: { "x-amz-access-token": token } },
    );
    expect(listing.status).toBe(404);
    expect(listings.calls.map((call) => call.path)).toContain(
      `/orders/v0/orders/${orderId}/shipmentConfirmation`,
    );
  });
});
