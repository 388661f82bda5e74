import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { currencyDecimals } from "../../core/money.js";
import { AMAZON_SIMULATOR_MARKETPLACE_ID, AMAZON_SIMULATOR_SELLER_ID } from "./amazon.js";
import {
  HttpAnswer,
  INVALID_JSON,
  isJson,
  isRecord,
  startJsonServer,
  stopJsonServer,
} from "./json-server.js";
import { AMAZON_SIMULATOR_CREDENTIALS, createLwaTokens, injectedFailure, spApiErrors } from "./lwa.js";
import { Quota, type QuotaOptions } from "./quota.js";
import type { RecordedCall, RunningSimulator, SimulatorMount } from "./simulator.js";

/**
 * A local twin of Amazon's order APIs: the Orders API 2026-01-01 (`searchOrders`, `getOrder` with
 * `includedData`), the v0 `confirmShipment` that carries tracking back, Login with Amazon tokens,
 * per-operation token buckets, and `ORDER_CHANGE` notifications POSTed to a receiver as an
 * EventBridge API destination would (raw notification body, shared-secret header).
 *
 * Wire format from the official models (orders_2026-01-01.json, ordersV0.json,
 * OrderChangeNotification.json) and ../shared/reference/amazon.md §4–§7. Two ways to serve it:
 * mounted on the listings simulator (`startAmazonSimulator({ mounts: [createAmazonOrdersApi().mount] })`,
 * one address and one LWA for listings, feeds and orders, as `omnifeed dev simulators` does), or
 * on its own address with its own LWA (`startAmazonOrdersSimulator`), same seller, marketplace
 * and credentials.
 */

/** Header the simulator puts the shared secret in when it delivers a notification (configurable). */
export const DEFAULT_NOTIFICATION_SECRET_HEADER = "x-omnifeed-notification-secret";

export const FULFILLMENT_STATUSES = [
  "PENDING_AVAILABILITY",
  "PENDING",
  "UNSHIPPED",
  "PARTIALLY_SHIPPED",
  "SHIPPED",
  "CANCELLED",
  "UNFULFILLABLE",
] as const;
export type AmazonFulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

const INCLUDED_DATA = [
  "BUYER",
  "RECIPIENT",
  "PROCEEDS",
  "EXPENSE",
  "PROMOTION",
  "CANCELLATION",
  "FULFILLMENT",
  "PACKAGES",
  "TAX",
  "PAYMENT",
  "FULFILLMENT_ORDERS",
] as const;
const FULFILLED_BY = ["MERCHANT", "AMAZON"];

/** The operations with their own token bucket. */
export type AmazonOrdersOperation = "searchOrders" | "getOrder" | "confirmShipment";

/** Amazon's published default rate and burst per operation (reference §7). */
export const AMAZON_ORDERS_RATE_LIMITS: Readonly<Record<AmazonOrdersOperation, QuotaOptions>> = {
  searchOrders: { perSecond: 0.0056, burst: 20 },
  getOrder: { perSecond: 0.5, burst: 30 },
  confirmShipment: { perSecond: 2, burst: 10 },
};

/** One line a buyer orders. */
export interface PlaceAmazonOrderLine {
  sku: string;
  quantity: number;
  /** Price of one unit in minor units of the order's currency. */
  unitPriceMinor: number;
  title?: string;
  asin?: string;
}

/** What `placeOrder` takes: the buyer's checkout. */
export interface PlaceAmazonOrderInput {
  lines: PlaceAmazonOrderLine[];
  currency?: string;
  /** `PENDING` (payment not yet authorised) or `UNSHIPPED` (default). */
  status?: "PENDING" | "UNSHIPPED";
  shippingMinor?: number;
  buyer?: { name: string; email: string };
  address?: {
    name: string;
    addressLine1: string;
    city: string;
    postalCode: string;
    countryCode: string;
    stateOrRegion?: string;
    phone?: string;
  };
  serviceLevel?: "STANDARD" | "EXPEDITED" | "NEXT_DAY" | "SECOND_DAY";
  /** Purchase time (default now). */
  createdTime?: string;
}

export interface PlacedAmazonOrder {
  orderId: string;
  /** The order item ids, in the order of the input lines. */
  orderItemIds: string[];
}

/** A package recorded by `confirmShipment`. */
export interface SimulatedAmazonPackage {
  packageReferenceId: string;
  carrierCode: string;
  carrierName: string | undefined;
  shippingMethod: string | undefined;
  trackingNumber: string;
  shipDate: string;
  createdTime: string;
  items: { orderItemId: string; quantity: number }[];
}

interface OrderItemRecord {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  buyerRequestedCancel: boolean;
}

/** An order as the simulator holds it. */
export interface SimulatedAmazonOrder {
  orderId: string;
  marketplaceId: string;
  createdTime: string;
  lastUpdatedTime: string;
  status: AmazonFulfillmentStatus;
  currency: string;
  shippingMinor: number;
  serviceLevel: string;
  buyer: { name: string; email: string };
  address: NonNullable<PlaceAmazonOrderInput["address"]>;
  items: OrderItemRecord[];
  packages: Map<string, SimulatedAmazonPackage>;
  cancelledBy: "BUYER" | "MERCHANT" | "AMAZON" | undefined;
}

/** Where notifications go: an EventBridge API destination's URL and connection header. */
export interface NotificationTarget {
  url: string;
  secret: string;
  /** Header carrying `secret` (API destination connection of type API_KEY); default {@link DEFAULT_NOTIFICATION_SECRET_HEADER}. */
  header?: string;
}

/** One attempt to deliver a notification. */
export interface NotificationDelivery {
  notificationId: string;
  body: Record<string, unknown>;
  /** HTTP status the receiver answered; `undefined` when it could not be reached. */
  status: number | undefined;
  error: string | undefined;
}

export interface AmazonOrdersApiOptions {
  /**
   * Token bucket per operation; absent keys take {@link AMAZON_ORDERS_RATE_LIMITS}, `null` turns
   * that operation's limit off.
   */
  rateLimits?: Partial<Record<AmazonOrdersOperation, QuotaOptions | null>>;
  /** Where `ORDER_CHANGE` notifications go; none sent when absent (set later with `notifyTo`). */
  notifications?: NotificationTarget;
  /**
   * How far in the past a `*Before` bound must be, and the default window end (Amazon: 2 minutes,
   * reference §4). Tests and the demo loop set 0 to see an order the moment it changes.
   */
  settleMs?: number;
}

export interface AmazonOrdersSimulatorOptions extends AmazonOrdersApiOptions {
  host?: string;
  port?: number;
  tokenLifetimeSeconds?: number;
}

/** The order operations and the buyer's side, wherever they are served. */
export interface AmazonOrdersApi {
  quotas: Record<AmazonOrdersOperation, Quota>;
  /** Mount on the listings simulator (`startAmazonSimulator({ mounts: [api.mount] })`). */
  mount: SimulatorMount;
  /** A buyer checks out; an `ORDER_CHANGE` goes out when a target is set. */
  placeOrder(input: PlaceAmazonOrderInput): PlacedAmazonOrder;
  /** Payment authorised: `PENDING` → `UNSHIPPED`. */
  authorize(orderId: string): void;
  /** Cancels a not yet shipped order (by Amazon when `by` is absent). */
  cancel(orderId: string, by?: "BUYER" | "MERCHANT" | "AMAZON"): void;
  /** The buyer asks to cancel: items flagged, a `BuyerRequestedChange` notification. */
  requestCancel(orderId: string): void;
  /** The packages `confirmShipment` recorded, in the order they were first created. */
  shipments(orderId: string): SimulatedAmazonPackage[];
  order(orderId: string): SimulatedAmazonOrder;
  notifyTo(target: NotificationTarget | undefined): void;
  /** Every delivery attempt so far. */
  deliveries(): NotificationDelivery[];
  /** Resolves once every delivery started so far has been answered. */
  settled(): Promise<void>;
  /** Sends an already emitted notification again, `times` times (an SQS redelivery). */
  redeliver(notificationId: string, times?: number): Promise<void>;
  /** Waits for the deliveries in flight. */
  close(): Promise<void>;
}

export interface AmazonOrdersSimulator extends RunningSimulator, AmazonOrdersApi {
  calls: RecordedCall[];
  resetCalls(): void;
  /** The next `count` API calls fail with this status, in Amazon's error shape. */
  failNext(count: number, status: 429 | 500 | 503): void;
  issuedTokens(): string[];
  revokeTokens(): void;
  close(): Promise<void>;
}

const ORDERS_PREFIX = "/orders/2026-01-01/orders";
const CONFIRM_PATTERN = /^\/orders\/v0\/orders\/([^/]+)\/shipmentConfirmation$/;
const ORDER_ID_PATTERN = /^\d{3}-\d{7}-\d{7}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** `*Before` must be at least this far in the past (reference §4). */
const AMAZON_SETTLE_MS = 2 * 60 * 1000;
const TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
const DELIVERY_TIMEOUT_MS = 5000;

const errors = spApiErrors;

const invalidInput = (message: string): HttpAnswer => errors(400, "InvalidInput", message);

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").filter((part) => part !== "");
}

const V0_STATUS: Record<AmazonFulfillmentStatus, string> = {
  PENDING_AVAILABILITY: "PendingAvailability",
  PENDING: "Pending",
  UNSHIPPED: "Unshipped",
  PARTIALLY_SHIPPED: "PartiallyShipped",
  SHIPPED: "Shipped",
  CANCELLED: "Canceled",
  UNFULFILLABLE: "Unfulfillable",
};

const SHIPPED_STATES: readonly AmazonFulfillmentStatus[] = ["UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"];

/**
 * The Amazon order operations as a mount: state, helpers and a handler that a server hosting LWA
 * (this file's own, or the listings simulator's via `mounts`) calls once a request is authorised.
 */
export function createAmazonOrdersApi(options: AmazonOrdersApiOptions = {}): AmazonOrdersApi {
  const settleMs = options.settleMs ?? AMAZON_SETTLE_MS;
  const limit = (operation: AmazonOrdersOperation): QuotaOptions | undefined => {
    const given = options.rateLimits?.[operation];
    return given === null ? undefined : (given ?? AMAZON_ORDERS_RATE_LIMITS[operation]);
  };
  const quotas: Record<AmazonOrdersOperation, Quota> = {
    searchOrders: new Quota(limit("searchOrders")),
    getOrder: new Quota(limit("getOrder")),
    confirmShipment: new Quota(limit("confirmShipment")),
  };
  const orders = new Map<string, SimulatedAmazonOrder>();
  const emitted = new Map<string, Record<string, unknown>>();
  const delivered: NotificationDelivery[] = [];
  const pending = new Set<Promise<void>>();
  let chain: Promise<void> = Promise.resolve();
  let target = options.notifications;
  let orderCounter = 0;
  let itemCounter = 0;
  let lastClock = 0;

  // Distinct, increasing update times so a `lastUpdatedAfter` window never loses a change to a tie.
  const now = (): string => {
    lastClock = Math.max(Date.now(), lastClock + 1);
    return new Date(lastClock).toISOString();
  };
  // The simulator's present: never before the last time it handed out, which may run a few
  // milliseconds ahead of the wall clock when several changes land in one millisecond.
  const present = (): number => Math.max(Date.now(), lastClock);

  const money = (minor: number, currency: string) => ({
    amount: (minor / 10 ** currencyDecimals(currency)).toFixed(currencyDecimals(currency)),
    currencyCode: currency,
  });

  const rateHeader = (operation: AmazonOrdersOperation): Record<string, string> => {
    const limitInForce = quotas[operation].limit;
    return limitInForce ? { "x-amzn-RateLimit-Limit": String(limitInForce.perSecond) } : {};
  };

  const quotaExceeded = (): HttpAnswer =>
    errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.");

  // --- Orders API 2026-01-01 -------------------------------------------------------------------

  function orderView(order: SimulatedAmazonOrder, included: ReadonlySet<string>): Record<string, unknown> {
    const shipped = shippedQuantities(order);
    const isPending = order.status === "PENDING";
    const view: Record<string, unknown> = {
      orderId: order.orderId,
      createdTime: order.createdTime,
      lastUpdatedTime: order.lastUpdatedTime,
      salesChannel: {
        channelName: "AMAZON",
        marketplaceId: order.marketplaceId,
        marketplaceName: "Amazon.com",
      },
      orderItems: order.items.map((item) => {
        const line: Record<string, unknown> = {
          orderItemId: item.orderItemId,
          quantityOrdered: item.quantity,
          product: {
            asin: item.asin,
            title: item.title,
            sellerSku: item.sku,
            price: { unitPrice: money(item.unitPriceMinor, order.currency) },
          },
        };
        if (included.has("PROCEEDS"))
          line.proceeds = { proceedsTotal: money(item.unitPriceMinor * item.quantity, order.currency) };
        if (included.has("FULFILLMENT")) {
          const done = shipped.get(item.orderItemId) ?? 0;
          line.fulfillment = { quantityFulfilled: done, quantityUnfulfilled: item.quantity - done };
        }
        if (included.has("CANCELLATION") && (item.buyerRequestedCancel || order.cancelledBy)) {
          line.cancellation = {
            ...(item.buyerRequestedCancel
              ? { cancellationRequest: { requester: "BUYER", cancelReason: "BUYER_CANCELED" } }
              : {}),
            ...(order.cancelledBy
              ? { cancellationExecution: { cancelledBy: order.cancelledBy, cancelReason: "CANCELLED" } }
              : {}),
          };
        }
        return line;
      }),
    };
    if (included.has("BUYER"))
      view.buyer = {
        buyerName: order.buyer.name,
        // Amazon shows the email only once the order can ship (reference §4).
        ...(SHIPPED_STATES.includes(order.status) ? { buyerEmail: order.buyer.email } : {}),
      };
    if (included.has("RECIPIENT") && !isPending)
      view.recipient = { deliveryAddress: { ...order.address, addressType: "RESIDENTIAL" } };
    if (included.has("PROCEEDS")) {
      const items = order.items.reduce((sum, item) => sum + item.unitPriceMinor * item.quantity, 0);
      view.proceeds = {
        grandTotal: money(items + order.shippingMinor, order.currency),
        breakdowns: [
          { type: "ITEM", subtotal: money(items, order.currency) },
          { type: "SHIPPING", subtotal: money(order.shippingMinor, order.currency) },
        ],
      };
    }
    if (included.has("FULFILLMENT")) {
      const created = Date.parse(order.createdTime);
      view.fulfillment = {
        fulfillmentStatus: order.status,
        fulfilledBy: "MERCHANT",
        fulfillmentServiceLevel: order.serviceLevel,
        shipByWindow: {
          earliestDateTime: new Date(created).toISOString(),
          latestDateTime: new Date(created + 2 * 86_400_000).toISOString(),
        },
      };
    }
    if (included.has("PACKAGES"))
      view.packages = [...order.packages.values()].map((pack) => ({
        packageReferenceId: pack.packageReferenceId,
        createdTime: pack.createdTime,
        packageStatus: { status: "SHIPPED" },
        carrier: pack.carrierCode === "Other" ? (pack.carrierName ?? "Other") : pack.carrierCode,
        shipTime: pack.shipDate,
        ...(pack.shippingMethod !== undefined ? { shippingService: pack.shippingMethod } : {}),
        trackingNumber: pack.trackingNumber,
        packageItems: pack.items.map((item) => ({ ...item })),
      }));
    return view;
  }

  function includedData(query: Record<string, string>): Set<string> | HttpAnswer {
    const wanted = list(query.includedData);
    const unknown = wanted.filter((value) => !(INCLUDED_DATA as readonly string[]).includes(value));
    if (unknown.length > 0) return invalidInput(`Invalid includedData value(s): ${unknown.join(",")}`);
    return new Set(wanted);
  }

  function dateParameter(query: Record<string, string>, name: string): number | HttpAnswer | undefined {
    const value = query[name];
    if (value === undefined) return undefined;
    if (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
      return invalidInput(`${name} must be an ISO 8601 date-time, got ${JSON.stringify(value)}`);
    return Date.parse(value);
  }

  // The token holds the window end fixed by the first page, so the pages of one search agree.
  interface PageToken {
    offset: number;
    key: string;
    end: number;
    issued: number;
  }

  function searchKey(query: Record<string, string>): string {
    return Object.entries(query)
      .filter(([name]) => !["paginationToken", "maxResultsPerPage", "includedData"].includes(name))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${value}`)
      .join("&");
  }

  function readToken(text: string): PageToken | undefined {
    try {
      const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
      if (
        isRecord(token) &&
        typeof token.offset === "number" &&
        typeof token.key === "string" &&
        typeof token.end === "number" &&
        typeof token.issued === "number"
      )
        return token as unknown as PageToken;
    } catch {
      return undefined;
    }
    return undefined;
  }

  function searchOrders(query: Record<string, string>): HttpAnswer {
    const createdAfter = dateParameter(query, "createdAfter");
    const createdBefore = dateParameter(query, "createdBefore");
    const updatedAfter = dateParameter(query, "lastUpdatedAfter");
    const updatedBefore = dateParameter(query, "lastUpdatedBefore");
    for (const value of [createdAfter, createdBefore, updatedAfter, updatedBefore])
      if (value instanceof HttpAnswer) return value;
    const byCreation = createdAfter !== undefined;
    if (byCreation === (updatedAfter !== undefined))
      return invalidInput("Exactly one of createdAfter and lastUpdatedAfter must be specified.");
    if (byCreation && updatedBefore !== undefined)
      return invalidInput("lastUpdatedBefore cannot be used with createdAfter.");
    if (!byCreation && createdBefore !== undefined)
      return invalidInput("createdBefore cannot be used with lastUpdatedAfter.");
    const after = (byCreation ? createdAfter : updatedAfter) as number;
    const beforeName = byCreation ? "createdBefore" : "lastUpdatedBefore";
    const before = (byCreation ? createdBefore : updatedBefore) as number | undefined;
    const latest = present() - settleMs;
    if (before !== undefined && before < after)
      return invalidInput(
        `${beforeName} must be later than or equal to ${byCreation ? "createdAfter" : "lastUpdatedAfter"}.`,
      );
    const settleText = `${settleMs / 1000} seconds`;
    if (before !== undefined && before > latest)
      return invalidInput(
        `${beforeName} must be a date at least ${settleText} before the time of the request.`,
      );
    if (after > latest)
      return invalidInput(
        `${byCreation ? "createdAfter" : "lastUpdatedAfter"} must be a date at least ${settleText} before the time of the request.`,
      );
    const statuses = list(query.fulfillmentStatuses);
    const badStatus = statuses.filter(
      (status) => !(FULFILLMENT_STATUSES as readonly string[]).includes(status),
    );
    if (badStatus.length > 0)
      return invalidInput(`Invalid fulfillmentStatuses value(s): ${badStatus.join(",")}`);
    const marketplaces = list(query.marketplaceIds);
    if (marketplaces.length > 50) return invalidInput("marketplaceIds accepts at most 50 values.");
    const fulfilledBy = list(query.fulfilledBy);
    const badFulfilledBy = fulfilledBy.filter((value) => !FULFILLED_BY.includes(value));
    if (badFulfilledBy.length > 0)
      return invalidInput(`Invalid fulfilledBy value(s): ${badFulfilledBy.join(",")}`);
    const size = query.maxResultsPerPage === undefined ? 100 : Number(query.maxResultsPerPage);
    if (!Number.isInteger(size) || size < 1 || size > 100)
      return invalidInput("maxResultsPerPage must be an integer between 1 and 100.");
    const included = includedData(query);
    if (included instanceof HttpAnswer) return included;

    const key = searchKey(query);
    let offset = 0;
    let end = before ?? latest;
    if (query.paginationToken !== undefined) {
      const token = readToken(query.paginationToken);
      if (!token || token.key !== key || Date.now() - token.issued > TOKEN_LIFETIME_MS)
        return invalidInput(
          "The paginationToken you have submitted is not valid. Please make sure the other request parameters match the original request.",
        );
      offset = token.offset;
      end = token.end;
    }
    const timeOf = (order: SimulatedAmazonOrder) =>
      Date.parse(byCreation ? order.createdTime : order.lastUpdatedTime);
    const matching = [...orders.values()]
      .filter((order) => timeOf(order) >= after && timeOf(order) < end)
      .filter((order) => statuses.length === 0 || statuses.includes(order.status))
      .filter((order) => marketplaces.length === 0 || marketplaces.includes(order.marketplaceId))
      .filter(() => fulfilledBy.length === 0 || fulfilledBy.includes("MERCHANT"))
      .sort((a, b) => timeOf(a) - timeOf(b) || (a.orderId < b.orderId ? -1 : 1));
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length;
    const nextToken: PageToken = { offset: offset + size, key, end, issued: Date.now() };
    return new HttpAnswer(
      200,
      {
        orders: page.map((order) => orderView(order, included)),
        ...(next
          ? { pagination: { nextToken: Buffer.from(JSON.stringify(nextToken)).toString("base64url") } }
          : {}),
        [beforeName]: new Date(end).toISOString(),
      },
      rateHeader("searchOrders"),
    );
  }

  function getOrder(orderId: string, query: Record<string, string>): HttpAnswer {
    const included = includedData(query);
    if (included instanceof HttpAnswer) return included;
    const order = orders.get(orderId);
    if (!order) return errors(404, "NotFound", `Order ${orderId} was not found.`);
    return new HttpAnswer(200, { order: orderView(order, included) }, rateHeader("getOrder"));
  }

  // --- v0 confirmShipment --------------------------------------------------------------------

  function shippedQuantities(order: SimulatedAmazonOrder, except?: string): Map<string, number> {
    const shipped = new Map<string, number>();
    for (const pack of order.packages.values()) {
      if (pack.packageReferenceId === except) continue;
      for (const item of pack.items)
        shipped.set(item.orderItemId, (shipped.get(item.orderItemId) ?? 0) + item.quantity);
    }
    return shipped;
  }

  function packageProblem(body: unknown): string | undefined {
    if (!isRecord(body)) return "The request body must be a JSON object.";
    if (typeof body.marketplaceId !== "string") return "Missing required field [marketplaceId].";
    const detail = body.packageDetail;
    if (!isRecord(detail)) return "Missing required field [packageDetail].";
    if (detail.packageReferenceId === undefined)
      return "Missing required field [packageDetail.packageReferenceId].";
    if (typeof detail.packageReferenceId !== "string")
      return "Request has an invalid type [packageDetail.packageReferenceId]; expected a string.";
    if (!/^[1-9]\d*$/.test(detail.packageReferenceId))
      return "packageDetail.packageReferenceId must hold a positive integer.";
    if (typeof detail.carrierCode !== "string" || detail.carrierCode === "")
      return "Missing required field [packageDetail.carrierCode].";
    if (
      detail.carrierCode === "Other" &&
      (typeof detail.carrierName !== "string" || detail.carrierName === "")
    )
      return "packageDetail.carrierName is required when carrierCode is Other.";
    if (typeof detail.trackingNumber !== "string" || detail.trackingNumber === "")
      return "Missing required field [packageDetail.trackingNumber].";
    if (typeof detail.shipDate !== "string") return "Missing required field [packageDetail.shipDate].";
    if (!ISO_DATE_TIME.test(detail.shipDate) || Number.isNaN(Date.parse(detail.shipDate)))
      return `Invalid date-time [packageDetail.shipDate]: ${JSON.stringify(detail.shipDate)}.`;
    if (!Array.isArray(detail.orderItems) || detail.orderItems.length === 0)
      return "packageDetail.orderItems must list at least one item.";
    for (const [index, item] of (detail.orderItems as unknown[]).entries()) {
      if (!isRecord(item) || typeof item.orderItemId !== "string")
        return `Missing required field [packageDetail.orderItems[${index}].orderItemId].`;
      if (typeof item.quantity !== "number" || !Number.isInteger(item.quantity) || item.quantity < 1)
        return `packageDetail.orderItems[${index}].quantity must be a positive integer.`;
    }
    return undefined;
  }

  function confirmShipment(orderId: string, body: unknown): HttpAnswer {
    const problem = packageProblem(body);
    if (problem) return errors(400, "InvalidInput", "Invalid Input", problem);
    const order = orders.get(orderId);
    if (!order) return errors(404, "NotFound", `Order ${orderId} was not found.`);
    const request = body as {
      marketplaceId: string;
      packageDetail: {
        packageReferenceId: string;
        carrierCode: string;
        carrierName?: string;
        shippingMethod?: string;
        trackingNumber: string;
        shipDate: string;
        orderItems: { orderItemId: string; quantity: number }[];
      };
    };
    if (request.marketplaceId !== order.marketplaceId)
      return invalidInput(`Order ${orderId} does not belong to marketplace ${request.marketplaceId}.`);
    if (order.status === "PENDING" || order.status === "PENDING_AVAILABILITY")
      return invalidInput(
        `Order ${orderId} is ${order.status}: it cannot be shipped before payment is authorised.`,
      );
    if (order.status === "CANCELLED") return invalidInput(`Order ${orderId} is cancelled.`);
    const detail = request.packageDetail;
    const reference = detail.packageReferenceId;
    const existing = order.packages.get(reference);
    if (!existing && order.status === "SHIPPED")
      return invalidInput(
        "Failed to create package due to not finding a matching package or order already fulfilled. PackageToUpdateNotFound",
      );
    const shipped = shippedQuantities(order, reference);
    const wanted = new Map<string, number>();
    for (const item of detail.orderItems)
      wanted.set(item.orderItemId, (wanted.get(item.orderItemId) ?? 0) + item.quantity);
    for (const [orderItemId, quantity] of wanted) {
      const item = order.items.find((candidate) => candidate.orderItemId === orderItemId);
      if (!item) return invalidInput(`Order item ${orderItemId} is not part of order ${orderId}.`);
      const left = item.quantity - (shipped.get(orderItemId) ?? 0);
      if (quantity > left)
        return invalidInput(
          `Quantity ${quantity} of order item ${orderItemId} exceeds the ${left} unit(s) not yet shipped.`,
        );
    }
    // Re-sending a reference edits that package (Amazon's documented retry path).
    order.packages.set(reference, {
      packageReferenceId: reference,
      carrierCode: detail.carrierCode,
      carrierName: detail.carrierName,
      shippingMethod: detail.shippingMethod,
      trackingNumber: detail.trackingNumber,
      shipDate: detail.shipDate,
      createdTime: existing?.createdTime ?? now(),
      items: [...wanted].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
    });
    const after = shippedQuantities(order);
    const complete = order.items.every((item) => (after.get(item.orderItemId) ?? 0) >= item.quantity);
    const status: AmazonFulfillmentStatus = complete
      ? "SHIPPED"
      : after.size > 0
        ? "PARTIALLY_SHIPPED"
        : "UNSHIPPED";
    const changed = status !== order.status;
    order.status = status;
    order.lastUpdatedTime = now();
    if (changed) emit(order, "OrderStatusChange", complete ? "Order shipped" : "Order partially shipped");
    return new HttpAnswer(204, undefined, rateHeader("confirmShipment"));
  }

  // --- ORDER_CHANGE notifications ------------------------------------------------------------

  function notificationOf(
    order: SimulatedAmazonOrder,
    changeType: "OrderStatusChange" | "BuyerRequestedChange",
    reason: string,
  ): Record<string, unknown> {
    const shipped = shippedQuantities(order);
    const at = new Date().toISOString();
    const created = Date.parse(order.createdTime);
    const shippedCount = order.items.reduce((sum, item) => sum + (shipped.get(item.orderItemId) ?? 0), 0);
    const total = order.items.reduce((sum, item) => sum + item.quantity, 0);
    return {
      NotificationVersion: "1.0",
      NotificationType: "ORDER_CHANGE",
      PayloadVersion: "1.0",
      EventTime: at,
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: "OrderLevel",
          SellerId: AMAZON_SIMULATOR_SELLER_ID,
          AmazonOrderId: order.orderId,
          OrderChangeType: changeType,
          OrderChangeTrigger: { TimeOfOrderChange: order.lastUpdatedTime, ChangeReason: reason },
          Summary: {
            MarketplaceId: order.marketplaceId,
            OrderStatus: V0_STATUS[order.status],
            PurchaseDate: order.createdTime,
            DestinationPostalCode: order.status === "PENDING" ? null : order.address.postalCode,
            FulfillmentType: "MFN",
            OrderType: "StandardOrder",
            NumberOfItemsShipped: shippedCount,
            NumberOfItemsUnshipped: order.status === "CANCELLED" ? 0 : total - shippedCount,
            EarliestShipDate: new Date(created).toISOString(),
            LatestShipDate: new Date(created + 2 * 86_400_000).toISOString(),
            OrderItems: order.items.map((item) => {
              const done = shipped.get(item.orderItemId) ?? 0;
              return {
                OrderItemId: item.orderItemId,
                SellerSKU: item.sku,
                SupplySourceId: null,
                OrderItemStatus: done >= item.quantity ? "Shipped" : "Unshipped",
                Quantity: item.quantity,
                QuantityShipped: done,
                IsBuyerRequestedCancel: item.buyerRequestedCancel,
              };
            }),
          },
        },
      },
      NotificationMetadata: {
        ApplicationId: `amzn1.sellerapps.app.${AMAZON_SIMULATOR_CREDENTIALS.clientId.split(".").pop() ?? "app"}`,
        SubscriptionId: "subscription-simulator-order-change",
        PublishTime: at,
        NotificationId: randomUUID(),
      },
    };
  }

  function deliver(body: Record<string, unknown>): void {
    const to = target;
    if (!to) return;
    const metadata = body.NotificationMetadata as { NotificationId: string };
    // One delivery at a time, in emission order, so a test reads a deterministic sequence.
    const attempt = chain.then(async (): Promise<void> => {
      const record: NotificationDelivery = {
        notificationId: metadata.NotificationId,
        body,
        status: undefined,
        error: undefined,
      };
      try {
        const response = await fetch(to.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [to.header ?? DEFAULT_NOTIFICATION_SECRET_HEADER]: to.secret,
          },
          body: JSON.stringify(body),
          // EventBridge gives an API destination 5 s to answer.
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        record.status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      delivered.push(record);
    });
    chain = attempt;
    pending.add(attempt);
    void attempt.finally(() => pending.delete(attempt));
  }

  function emit(
    order: SimulatedAmazonOrder,
    changeType: "OrderStatusChange" | "BuyerRequestedChange",
    reason: string,
  ): void {
    const body = notificationOf(order, changeType, reason);
    emitted.set((body.NotificationMetadata as { NotificationId: string }).NotificationId, body);
    deliver(body);
  }

  // --- HTTP plumbing -------------------------------------------------------------------------

  function operationOf(method: string, path: string) {
    const confirm = CONFIRM_PATTERN.exec(path);
    const orderPath = path.startsWith(`${ORDERS_PREFIX}/`)
      ? decodeURIComponent(path.slice(ORDERS_PREFIX.length + 1))
      : undefined;
    const operation: AmazonOrdersOperation | undefined =
      confirm && method === "POST"
        ? "confirmShipment"
        : path === ORDERS_PREFIX && method === "GET"
          ? "searchOrders"
          : orderPath !== undefined && !orderPath.includes("/") && method === "GET"
            ? "getOrder"
            : undefined;
    return { operation, orderId: orderPath ?? (confirm ? decodeURIComponent(confirm[1]!) : undefined) };
  }

  // The host has answered LWA, injected failures and authorisation before this is called.
  function handle(request: IncomingMessage, url: URL, body: unknown): HttpAnswer {
    const query = Object.fromEntries(url.searchParams);
    const { operation, orderId } = operationOf(request.method ?? "GET", url.pathname);
    if (!operation) return errors(404, "NotFound", "Resource not found");
    if (operation !== "searchOrders" && (orderId === undefined || !ORDER_ID_PATTERN.test(orderId)))
      return invalidInput(`Invalid orderId ${JSON.stringify(orderId)}: expected the 3-7-7 format.`);
    if (!quotas[operation].take(AMAZON_SIMULATOR_SELLER_ID)) return quotaExceeded();
    switch (operation) {
      case "searchOrders":
        return searchOrders(query);
      case "getOrder":
        return getOrder(orderId!, query);
      case "confirmShipment":
        if (body === INVALID_JSON) return invalidInput("The request body is not valid JSON.");
        if (!isJson(request))
          return errors(415, "UnsupportedMediaType", "The request content type is not supported.");
        return confirmShipment(orderId!, body);
    }
  }

  const held = (orderId: string): SimulatedAmazonOrder => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`the Amazon orders simulator holds no order ${orderId}`);
    return order;
  };

  return {
    quotas,
    mount: {
      handles: (method, path) => operationOf(method, path).operation !== undefined,
      handle,
    },
    placeOrder(input) {
      if (input.lines.length === 0) throw new Error("placeOrder: an order needs at least one line");
      for (const [index, line] of input.lines.entries()) {
        if (!Number.isInteger(line.quantity) || line.quantity < 1)
          throw new Error(`placeOrder: lines[${index}].quantity must be a positive integer`);
        if (!Number.isInteger(line.unitPriceMinor) || line.unitPriceMinor < 0)
          throw new Error(`placeOrder: lines[${index}].unitPriceMinor must be a non-negative integer`);
      }
      orderCounter += 1;
      const serial = String(orderCounter).padStart(7, "0");
      const orderId = `113-${serial}-${String(1_000_000 + ((orderCounter * 7919) % 9_000_000)).padStart(7, "0")}`;
      const createdTime = input.createdTime ?? now();
      const order: SimulatedAmazonOrder = {
        orderId,
        marketplaceId: AMAZON_SIMULATOR_MARKETPLACE_ID,
        createdTime,
        lastUpdatedTime: input.createdTime ?? createdTime,
        status: input.status ?? "UNSHIPPED",
        currency: input.currency ?? "USD",
        shippingMinor: input.shippingMinor ?? 0,
        serviceLevel: input.serviceLevel ?? "STANDARD",
        buyer: input.buyer ?? { name: "Simulated Buyer", email: `buyer-${serial}@marketplace.amazon.com` },
        address: input.address ?? {
          name: "Simulated Buyer",
          addressLine1: "410 Terry Ave N",
          city: "Seattle",
          stateOrRegion: "WA",
          postalCode: "98109",
          countryCode: "US",
        },
        items: input.lines.map((line) => {
          itemCounter += 1;
          return {
            orderItemId: String(10_000_000_000_000 + itemCounter),
            sku: line.sku,
            asin: line.asin ?? `B0SIM${String(itemCounter).padStart(5, "0")}`,
            title: line.title ?? line.sku,
            quantity: line.quantity,
            unitPriceMinor: line.unitPriceMinor,
            buyerRequestedCancel: false,
          };
        }),
        packages: new Map(),
        cancelledBy: undefined,
      };
      orders.set(orderId, order);
      emit(order, "OrderStatusChange", "Order placed");
      return { orderId, orderItemIds: order.items.map((item) => item.orderItemId) };
    },
    authorize(orderId) {
      const order = held(orderId);
      if (order.status !== "PENDING") throw new Error(`order ${orderId} is ${order.status}, not PENDING`);
      order.status = "UNSHIPPED";
      order.lastUpdatedTime = now();
      emit(order, "OrderStatusChange", "Payment authorised");
    },
    cancel(orderId, by = "AMAZON") {
      const order = held(orderId);
      if (!["PENDING", "PENDING_AVAILABILITY", "UNSHIPPED"].includes(order.status))
        throw new Error(
          `order ${orderId} is ${order.status}: only an order not yet shipped can be cancelled`,
        );
      order.status = "CANCELLED";
      order.cancelledBy = by;
      order.lastUpdatedTime = now();
      emit(order, "OrderStatusChange", "Order cancelled");
    },
    requestCancel(orderId) {
      const order = held(orderId);
      for (const item of order.items) item.buyerRequestedCancel = true;
      order.lastUpdatedTime = now();
      emit(order, "BuyerRequestedChange", "Buyer Requested Cancel");
    },
    shipments: (orderId) => [...held(orderId).packages.values()].map((pack) => structuredClone(pack)),
    order: (orderId) => held(orderId),
    notifyTo(next) {
      target = next;
    },
    deliveries: () => [...delivered],
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async redeliver(notificationId, times = 1) {
      const body = emitted.get(notificationId);
      if (!body) throw new Error(`no notification ${notificationId} was emitted`);
      for (let index = 0; index < times; index += 1) deliver(body);
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** Starts the simulator on its own address (with its own LWA); `port` 0 (tests) picks a free one. */
export async function startAmazonOrdersSimulator(
  options: AmazonOrdersSimulatorOptions = {},
): Promise<AmazonOrdersSimulator> {
  const host = options.host ?? "127.0.0.1";
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const api = createAmazonOrdersApi(options);
  const calls: RecordedCall[] = [];
  let failures: { count: number; status: 429 | 500 | 503 } = { count: 0, status: 500 };

  // Login with Amazon: same credentials and errors as the listings simulator, tokens of its own.
  const lwa = createLwaTokens(lifetime);

  function route(request: IncomingMessage, url: URL, body: unknown): HttpAnswer {
    const path = url.pathname;
    if (path === "/auth/o2/token" && request.method === "POST") return lwa.grant(body);
    if (!api.mount.handles(request.method ?? "GET", path))
      return errors(404, "NotFound", "Resource not found");
    if (failures.count > 0) {
      failures.count -= 1;
      return injectedFailure(failures.status);
    }
    const denied = lwa.unauthorized(request);
    if (denied) return denied;
    const answer = api.mount.handle(request, url, body);
    return new HttpAnswer(answer.status, answer.body, answer.headers);
  }

  const { server, baseUrl } = await startJsonServer({
    host,
    port: options.port ?? 0,
    calls,
    requestIdHeader: "x-amzn-RequestId",
    route,
    internalError: () =>
      errors(500, "InternalFailure", "We encountered an internal error. Please try again."),
  });

  return {
    ...api,
    channel: "amazon-orders",
    kind: "marketplace",
    url: baseUrl,
    // The `marketplaces.amazon` block of omnifeed.config.yaml that reaches this simulator.
    accountSettings: {
      seller_id: AMAZON_SIMULATOR_SELLER_ID,
      marketplace_ids: [AMAZON_SIMULATOR_MARKETPLACE_ID],
      api_url: baseUrl,
      lwa_url: baseUrl,
      client_id_env: "AMAZON_SIM_CLIENT_ID",
      client_secret_env: "AMAZON_SIM_CLIENT_SECRET",
      refresh_token_env: "AMAZON_SIM_REFRESH_TOKEN",
    },
    env: {
      AMAZON_SIM_CLIENT_ID: AMAZON_SIMULATOR_CREDENTIALS.clientId,
      AMAZON_SIM_CLIENT_SECRET: AMAZON_SIMULATOR_CREDENTIALS.clientSecret,
      AMAZON_SIM_REFRESH_TOKEN: AMAZON_SIMULATOR_CREDENTIALS.refreshToken,
    },
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    failNext(count, status) {
      failures = { count, status };
    },
    issuedTokens: () => lwa.issued(),
    revokeTokens: () => lwa.revoke(),
    async close() {
      await api.close();
      await stopJsonServer(server);
    },
  };
}
