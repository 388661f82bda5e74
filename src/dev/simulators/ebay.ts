import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { currencyDecimals } from "../../core/money.js";
import { HttpAnswer, INVALID_JSON, isRecord, startJsonServer, stopJsonServer } from "./json-server.js";
import { Quota, type QuotaOptions } from "./quota.js";
import type { RecordedCall, RunningSimulator } from "./simulator.js";

/**
 * A local twin of eBay's Sell Fulfillment API v1 with eBay OAuth: `getOrders` (filter, limit /
 * offset paging with `next` and `total`), `getOrder`, `createShippingFulfillment` (201 +
 * Location) and the fulfillment reads, eBay's `{"errors":[{errorId, domain, category, message}]}`
 * envelope and 429s from a per-application token bucket. Wire format from
 * ../shared/reference/ebay-and-others.md §1 (read from eBay's sell_fulfillment_v1_oas3 model).
 *
 * eBay offers no order notification a seller can rely on (reference §1.4), so there is none here:
 * omnifeed polls `getOrders` with `lastmodifieddate`.
 */

/** The port `omnifeed dev simulators` gives this simulator (tests use 0). */
export const EBAY_SIMULATOR_PORT = 8646;

export const EBAY_SIMULATOR_SELLER = "simulated_seller";
export const EBAY_SIMULATOR_CREDENTIALS = {
  clientId: "Omnifeed-Simulato-PRD-0a1b2c3d4-5e6f7a8b",
  clientSecret: "PRD-simulator-secret-9c8d7e6f",
  refreshToken: "v^1.1#i^1#r^1#simulator-refresh-token",
} as const;

export const EBAY_SCOPES = {
  public: "https://api.ebay.com/oauth/api_scope",
  fulfillment: "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
  fulfillmentReadonly: "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly",
} as const;

/** Scopes the simulated seller granted the application (what a refresh may ask for). */
const GRANTED_SCOPES: readonly string[] = [EBAY_SCOPES.fulfillment, EBAY_SCOPES.fulfillmentReadonly];

export type EbayFulfillmentStatus = "NOT_STARTED" | "IN_PROGRESS" | "FULFILLED";

export interface PlaceEbayOrderLine {
  /** Missing on listings created without a SKU (eBay allows that). */
  sku?: string;
  quantity: number;
  unitPriceMinor: number;
  title?: string;
}

export interface PlaceEbayOrderInput {
  lines: PlaceEbayOrderLine[];
  currency?: string;
  deliveryCostMinor?: number;
  buyerUsername?: string;
  shipTo?: {
    fullName: string;
    addressLine1: string;
    city: string;
    stateOrProvince?: string;
    postalCode: string;
    countryCode: string;
    email?: string;
    phone?: string;
  };
  /** Checkout time (default now). */
  creationDate?: string;
}

export interface PlacedEbayOrder {
  orderId: string;
  /** The line item ids, in the order of the input lines. */
  lineItemIds: string[];
}

export interface SimulatedEbayFulfillment {
  fulfillmentId: string;
  lineItems: { lineItemId: string; quantity: number }[];
  shipmentTrackingNumber: string | undefined;
  shippingCarrierCode: string | undefined;
  shippedDate: string;
}

interface LineItemRecord {
  lineItemId: string;
  legacyItemId: string;
  sku: string | undefined;
  title: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface SimulatedEbayOrder {
  orderId: string;
  legacyOrderId: string;
  creationDate: string;
  lastModifiedDate: string;
  currency: string;
  deliveryCostMinor: number;
  buyerUsername: string;
  shipTo: NonNullable<PlaceEbayOrderInput["shipTo"]>;
  lineItems: LineItemRecord[];
  fulfillments: SimulatedEbayFulfillment[];
  cancelled: boolean;
}

export interface EbaySimulatorOptions {
  host?: string;
  port?: number;
  /** Calls per second of the application's bucket; none when absent. */
  rateLimit?: QuotaOptions | undefined;
  /** Lifetime of user access tokens (eBay: 7200 s). */
  tokenLifetimeSeconds?: number;
}

export interface EbaySimulator extends RunningSimulator {
  calls: RecordedCall[];
  resetCalls(): void;
  quota: Quota;
  /** The next `count` API calls fail with this status, in eBay's error shape. */
  failNext(count: number, status: 429 | 500 | 503): void;
  /** A buyer completes checkout (and pays). */
  placeOrder(input: PlaceEbayOrderInput): PlacedEbayOrder;
  /** The order is cancelled (by the buyer, agreed by the seller). */
  cancel(orderId: string): void;
  /** The shipping fulfillments created for an order, oldest first. */
  fulfillments(orderId: string): SimulatedEbayFulfillment[];
  order(orderId: string): SimulatedEbayOrder;
  issuedTokens(): string[];
  revokeTokens(): void;
}

const FULFILLMENT_PREFIX = "/sell/fulfillment/v1/order";
const DAY_MS = 86_400_000;
const SEARCH_DAYS = 90;
const MAX_LIMIT = 200;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

interface EbayError {
  errorId: number;
  domain: string;
  category: "REQUEST" | "APPLICATION" | "BUSINESS";
  message: string;
  longMessage?: string;
  parameters?: { name: string; value: string }[];
}

function failure(status: number, error: EbayError): HttpAnswer {
  return new HttpAnswer(status, { errors: [error] });
}

function requestError(
  errorId: number,
  message: string,
  parameter?: { name: string; value: string },
): HttpAnswer {
  return failure(400, {
    errorId,
    domain: "API_FULFILLMENT",
    category: "REQUEST",
    message,
    ...(parameter ? { parameters: [parameter] } : {}),
  });
}

const systemError = (): HttpAnswer =>
  failure(500, {
    errorId: 30500,
    domain: "API_FULFILLMENT",
    category: "APPLICATION",
    message: "System error.",
  });

const tooManyRequests = (): HttpAnswer =>
  failure(429, {
    errorId: 2001,
    domain: "ACCESS",
    category: "REQUEST",
    message: "Too many requests",
    longMessage: "The request limit has been reached for the resource.",
  });

/** Splits `a:[x..y],b:{P|Q}` at the commas that are not inside brackets or braces. */
function filterCriteria(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of filter) {
    if (char === "[" || char === "{") depth += 1;
    if (char === "]" || char === "}") depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  if (current !== "") parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

const FULFILLMENT_FILTERS = new Set(["NOT_STARTED|IN_PROGRESS", "FULFILLED|IN_PROGRESS"]);

/** Starts the simulator; `port` 0 (tests) picks a free one. */
export async function startEbaySimulator(options: EbaySimulatorOptions = {}): Promise<EbaySimulator> {
  const host = options.host ?? "127.0.0.1";
  const lifetime = options.tokenLifetimeSeconds ?? 7200;
  const quota = new Quota(options.rateLimit);
  const calls: RecordedCall[] = [];
  const orders = new Map<string, SimulatedEbayOrder>();
  const tokens = new Map<string, { expiresAt: number; scopes: string[] }>();
  let failures: { count: number; status: 429 | 500 | 503 } = { count: 0, status: 500 };
  let orderCounter = 0;
  let itemCounter = 0;
  let fulfillmentCounter = 0;
  let lastClock = 0;
  let baseUrl = "";

  // Distinct, increasing times so a `lastmodifieddate` window never loses a change to a tie.
  const now = (): string => {
    lastClock = Math.max(Date.now(), lastClock + 1);
    return new Date(lastClock).toISOString();
  };
  // The simulator's present: never before the last time it handed out, which may be a few
  // milliseconds ahead of the wall clock when several changes land in one millisecond.
  const present = (): number => Math.max(Date.now(), lastClock);

  const amount = (minor: number, currency: string) => ({
    value: (minor / 10 ** currencyDecimals(currency)).toFixed(currencyDecimals(currency)),
    currency,
  });

  // --- OAuth ---------------------------------------------------------------------------------

  function token(request: IncomingMessage, body: unknown): HttpAnswer {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const expected = Buffer.from(
      `${EBAY_SIMULATOR_CREDENTIALS.clientId}:${EBAY_SIMULATOR_CREDENTIALS.clientSecret}`,
    ).toString("base64");
    if (basic !== expected)
      return new HttpAnswer(401, {
        error: "invalid_client",
        error_description: "client authentication failed",
      });
    const form = isRecord(body) ? body : {};
    const asked = typeof form.scope === "string" ? form.scope.split(" ").filter(Boolean) : [];
    let scopes: string[];
    let tokenType: string;
    if (form.grant_type === "client_credentials") {
      if (asked.some((scope) => scope !== EBAY_SCOPES.public))
        return new HttpAnswer(400, {
          error: "invalid_scope",
          error_description:
            "The requested scope is invalid, unknown, malformed, or exceeds the scope granted to the client",
        });
      scopes = [EBAY_SCOPES.public];
      tokenType = "Application Access Token";
    } else if (form.grant_type === "refresh_token") {
      if (form.refresh_token !== EBAY_SIMULATOR_CREDENTIALS.refreshToken)
        return new HttpAnswer(400, {
          error: "invalid_grant",
          error_description:
            "the provided authorization refresh token is invalid or was issued to another client",
        });
      if (asked.some((scope) => !GRANTED_SCOPES.includes(scope)))
        return new HttpAnswer(400, {
          error: "invalid_scope",
          error_description:
            "The requested scope is invalid, unknown, malformed, or exceeds the scope granted to the client",
        });
      scopes = asked.length > 0 ? asked : [...GRANTED_SCOPES];
      tokenType = "User Access Token";
    } else {
      return new HttpAnswer(400, {
        error: "unsupported_grant_type",
        error_description: "grant type in request is not supported by the authorization server",
      });
    }
    const accessToken = `v^1.1#i^1#p^3#r^0#I^3#f^0#t^${randomUUID().replaceAll("-", "")}`;
    tokens.set(accessToken, { expiresAt: Date.now() + lifetime * 1000, scopes });
    return new HttpAnswer(200, { access_token: accessToken, expires_in: lifetime, token_type: tokenType });
  }

  function unauthorized(request: IncomingMessage, write: boolean): HttpAnswer | undefined {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const held = bearer === undefined ? undefined : tokens.get(bearer);
    if (!held || held.expiresAt <= Date.now())
      return failure(401, {
        errorId: 1001,
        domain: "OAuth",
        category: "REQUEST",
        message: "Invalid access token",
        longMessage: "Invalid access token. Check the value of the Authorization HTTP request header.",
      });
    const allowed = write
      ? held.scopes.includes(EBAY_SCOPES.fulfillment)
      : held.scopes.includes(EBAY_SCOPES.fulfillment) ||
        held.scopes.includes(EBAY_SCOPES.fulfillmentReadonly);
    if (!allowed)
      return failure(403, {
        errorId: 1100,
        domain: "ACCESS",
        category: "REQUEST",
        message: "Access denied",
        longMessage: "Insufficient permissions to fulfill the request.",
      });
    return undefined;
  }

  // --- Orders --------------------------------------------------------------------------------

  function fulfilledLines(order: SimulatedEbayOrder): Set<string> {
    return new Set(
      order.fulfillments.flatMap((fulfillment) => fulfillment.lineItems.map((line) => line.lineItemId)),
    );
  }

  function statusOf(order: SimulatedEbayOrder): EbayFulfillmentStatus {
    const shipped = fulfilledLines(order);
    if (shipped.size === 0) return "NOT_STARTED";
    return order.lineItems.every((line) => shipped.has(line.lineItemId)) ? "FULFILLED" : "IN_PROGRESS";
  }

  function fulfillmentView(fulfillment: SimulatedEbayFulfillment): Record<string, unknown> {
    return {
      fulfillmentId: fulfillment.fulfillmentId,
      lineItems: fulfillment.lineItems.map((line) => ({ ...line })),
      shippedDate: fulfillment.shippedDate,
      ...(fulfillment.shippingCarrierCode !== undefined
        ? { shippingCarrierCode: fulfillment.shippingCarrierCode }
        : {}),
      ...(fulfillment.shipmentTrackingNumber !== undefined
        ? { shipmentTrackingNumber: fulfillment.shipmentTrackingNumber }
        : {}),
    };
  }

  function orderView(order: SimulatedEbayOrder): Record<string, unknown> {
    const shipped = fulfilledLines(order);
    const subtotal = order.lineItems.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);
    const masked = Date.now() - Date.parse(order.creationDate) > 14 * DAY_MS;
    return {
      orderId: order.orderId,
      legacyOrderId: order.legacyOrderId,
      creationDate: order.creationDate,
      lastModifiedDate: order.lastModifiedDate,
      orderFulfillmentStatus: statusOf(order),
      orderPaymentStatus: "PAID",
      sellerId: EBAY_SIMULATOR_SELLER,
      buyer: { username: order.buyerUsername },
      cancelStatus: { cancelState: order.cancelled ? "CANCELED" : "NONE_REQUESTED", cancelRequests: [] },
      pricingSummary: {
        priceSubtotal: amount(subtotal, order.currency),
        deliveryCost: amount(order.deliveryCostMinor, order.currency),
        total: amount(subtotal + order.deliveryCostMinor, order.currency),
      },
      fulfillmentStartInstructions: [
        {
          fulfillmentInstructionsType: "SHIP_TO",
          shippingStep: {
            shipTo: {
              fullName: order.shipTo.fullName,
              contactAddress: {
                addressLine1: order.shipTo.addressLine1,
                city: order.shipTo.city,
                ...(order.shipTo.stateOrProvince !== undefined
                  ? { stateOrProvince: order.shipTo.stateOrProvince }
                  : {}),
                postalCode: order.shipTo.postalCode,
                countryCode: order.shipTo.countryCode,
              },
              ...(order.shipTo.phone !== undefined
                ? { primaryPhone: { phoneNumber: order.shipTo.phone } }
                : {}),
              // eBay masks the buyer's email 14 days after the order (reference §1.2).
              ...(order.shipTo.email !== undefined && !masked ? { email: order.shipTo.email } : {}),
            },
            shippingCarrierCode: "USPS",
            shippingServiceCode: "USPSPriority",
          },
        },
      ],
      fulfillmentHrefs: order.fulfillments.map(
        (fulfillment) =>
          `${baseUrl}${FULFILLMENT_PREFIX}/${order.orderId}/shipping_fulfillment/${fulfillment.fulfillmentId}`,
      ),
      lineItems: order.lineItems.map((line) => ({
        lineItemId: line.lineItemId,
        legacyItemId: line.legacyItemId,
        ...(line.sku !== undefined ? { sku: line.sku } : {}),
        title: line.title,
        quantity: line.quantity,
        lineItemCost: amount(line.unitPriceMinor * line.quantity, order.currency),
        total: amount(line.unitPriceMinor * line.quantity, order.currency),
        lineItemFulfillmentStatus: shipped.has(line.lineItemId) ? "FULFILLED" : "NOT_STARTED",
      })),
    };
  }

  interface Window {
    field: "creationDate" | "lastModifiedDate";
    from: number;
    to: number;
  }

  function dateRange(name: string, value: string): Window | HttpAnswer {
    const match = /^\[([^\]]*)\]$/.exec(value);
    const [fromText, toText] = match?.[1]?.split("..") ?? [];
    if (!match || fromText === undefined || toText === undefined)
      return requestError(30800, `Invalid filter value ${value} for filter ${name}.`, {
        name: "filter",
        value,
      });
    if (fromText === "") return requestError(30820, "Start date is missing.", { name: "filter", value });
    const now = present();
    for (const text of [fromText, toText].filter((part) => part !== ""))
      if (!ISO_DATE_TIME.test(text) || Number.isNaN(Date.parse(text)))
        return requestError(30810, `Invalid date format: ${text}.`, { name: "filter", value: text });
    const from = Date.parse(fromText);
    const to = toText === "" ? now : Date.parse(toText);
    if (from > to) return requestError(30840, "Start date is after end date.", { name: "filter", value });
    if (from > now || to > now)
      return requestError(30850, "Dates cannot be in the future.", { name: "filter", value });
    if (to - from > SEARCH_DAYS * DAY_MS || now - from > SEARCH_DAYS * DAY_MS)
      return requestError(30830, "Start date must be within 90 days of end date and current date.", {
        name: "filter",
        value,
      });
    return { field: name === "creationdate" ? "creationDate" : "lastModifiedDate", from, to };
  }

  function getOrders(url: URL): HttpAnswer {
    const query = url.searchParams;
    const fieldGroups = query.get("fieldGroups");
    if (fieldGroups !== null && fieldGroups.split(",").some((group) => group !== "TAX_BREAKDOWN"))
      return requestError(32800, `Invalid field group: ${fieldGroups}.`, {
        name: "fieldGroups",
        value: fieldGroups,
      });
    const limitText = query.get("limit");
    const limit = limitText === null ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return requestError(31100, `Invalid limit. Supported ranges 1 - ${MAX_LIMIT}.`, {
        name: "limit",
        value: String(limitText),
      });
    const offsetText = query.get("offset");
    const offset = offsetText === null ? 0 : Number(offsetText);
    if (!Number.isInteger(offset) || offset < 0)
      return requestError(31000, "Invalid offset.", { name: "offset", value: String(offsetText) });

    let matching: SimulatedEbayOrder[];
    const orderIds = query.get("orderIds");
    if (orderIds !== null) {
      // With orderIds every other parameter is ignored (reference §1.2).
      const ids = orderIds.split(",").filter(Boolean);
      if (ids.length > 50) return requestError(30900, "Maximum of 50 order IDs allowed.");
      matching = ids.flatMap((id) => orders.get(id) ?? []);
    } else {
      const windows: Window[] = [];
      let statuses: EbayFulfillmentStatus[] | undefined;
      for (const criterion of filterCriteria(query.get("filter") ?? "")) {
        const colon = criterion.indexOf(":");
        const name = colon < 0 ? criterion : criterion.slice(0, colon);
        const value = colon < 0 ? "" : criterion.slice(colon + 1);
        if (name === "creationdate" || name === "lastmodifieddate") {
          const window = dateRange(name, value);
          if (window instanceof HttpAnswer) return window;
          windows.push(window);
        } else if (name === "orderfulfillmentstatus") {
          const inner = /^\{(.*)\}$/.exec(value)?.[1];
          if (inner === undefined || !FULFILLMENT_FILTERS.has(inner))
            return requestError(30800, `Invalid filter value ${value} for filter ${name}.`, {
              name: "filter",
              value,
            });
          statuses = inner.split("|") as EbayFulfillmentStatus[];
        } else {
          return requestError(30700, `Invalid filter name: ${name}.`, { name: "filter", value: name });
        }
      }
      // Both date filters given: eBay uses creationdate only; none: the last 90 days by creation.
      const window = windows.find((candidate) => candidate.field === "creationDate") ??
        windows[0] ?? { field: "creationDate", from: present() - SEARCH_DAYS * DAY_MS, to: present() };
      matching = [...orders.values()].filter((order) => {
        const time = Date.parse(order[window.field]);
        return time >= window.from && time <= window.to && (!statuses || statuses.includes(statusOf(order)));
      });
      // eBay promises no order; newest first is what sellers see in Seller Hub.
      matching.sort(
        (a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate) || (a.orderId < b.orderId ? 1 : -1),
      );
    }
    const page = matching.slice(offset, offset + limit);
    const pageUrl = (at: number): string => {
      const next = new URL(`${baseUrl}${FULFILLMENT_PREFIX}`);
      for (const [name, value] of query)
        if (name !== "offset" && name !== "limit") next.searchParams.set(name, value);
      next.searchParams.set("limit", String(limit));
      next.searchParams.set("offset", String(at));
      return next.toString();
    };
    return new HttpAnswer(200, {
      href: pageUrl(offset),
      limit,
      offset,
      ...(offset + limit < matching.length ? { next: pageUrl(offset + limit) } : {}),
      ...(offset > 0 ? { prev: pageUrl(Math.max(0, offset - limit)) } : {}),
      total: matching.length,
      orders: page.map(orderView),
    });
  }

  const unknownOrder = (orderId: string): HttpAnswer =>
    failure(404, {
      errorId: 32100,
      domain: "API_FULFILLMENT",
      category: "REQUEST",
      message: `Invalid order ID: ${orderId}`,
      parameters: [{ name: "orderId", value: orderId }],
    });

  function createFulfillment(order: SimulatedEbayOrder, body: unknown): HttpAnswer {
    if (!isRecord(body)) return requestError(34500, "The request body must be a JSON object.");
    if (!Array.isArray(body.lineItems) || body.lineItems.length === 0)
      return requestError(34501, "lineItems must name at least one line item.", {
        name: "lineItems",
        value: "",
      });
    if (order.cancelled)
      return failure(409, {
        errorId: 34502,
        domain: "API_FULFILLMENT",
        category: "BUSINESS",
        message: `Order ${order.orderId} is cancelled and cannot be shipped.`,
      });
    const shipped = fulfilledLines(order);
    const lines: { lineItemId: string; quantity: number }[] = [];
    for (const [index, given] of (body.lineItems as unknown[]).entries()) {
      const lineItemId = isRecord(given) ? given.lineItemId : undefined;
      const line =
        typeof lineItemId === "string"
          ? order.lineItems.find((candidate) => candidate.lineItemId === lineItemId)
          : undefined;
      if (!line)
        return requestError(34503, `Invalid line item ID at lineItems[${index}]: ${String(lineItemId)}.`, {
          name: `lineItems[${index}].lineItemId`,
          value: String(lineItemId),
        });
      if (shipped.has(line.lineItemId) || lines.some((taken) => taken.lineItemId === line.lineItemId))
        return requestError(34504, `Line item ${line.lineItemId} is already fulfilled.`, {
          name: `lineItems[${index}].lineItemId`,
          value: line.lineItemId,
        });
      // `quantity` is reserved in eBay's model: a line item ships whole (reference §1.3).
      lines.push({ lineItemId: line.lineItemId, quantity: line.quantity });
    }
    let shippedDate = new Date().toISOString();
    if (body.shippedDate !== undefined) {
      if (
        typeof body.shippedDate !== "string" ||
        !ISO_DATE_TIME.test(body.shippedDate) ||
        Number.isNaN(Date.parse(body.shippedDate))
      )
        return requestError(34505, `Invalid shippedDate: ${JSON.stringify(body.shippedDate)}.`, {
          name: "shippedDate",
          value: JSON.stringify(body.shippedDate),
        });
      if (Date.parse(body.shippedDate) > Date.now() + 60_000)
        return requestError(34506, "shippedDate cannot be in the future.", {
          name: "shippedDate",
          value: body.shippedDate,
        });
      shippedDate = body.shippedDate;
    }
    for (const field of ["shippingCarrierCode", "trackingNumber"] as const)
      if (body[field] !== undefined && (typeof body[field] !== "string" || body[field] === ""))
        return requestError(34507, `${field} must be a non-empty string.`, {
          name: field,
          value: JSON.stringify(body[field]),
        });
    fulfillmentCounter += 1;
    const trackingNumber = typeof body.trackingNumber === "string" ? body.trackingNumber : undefined;
    const fulfillment: SimulatedEbayFulfillment = {
      fulfillmentId: `${trackingNumber ?? "NOTRACKING"}-${fulfillmentCounter}`,
      lineItems: lines,
      shipmentTrackingNumber: trackingNumber,
      shippingCarrierCode: body.shippingCarrierCode as string | undefined,
      shippedDate,
    };
    order.fulfillments.push(fulfillment);
    order.lastModifiedDate = now();
    const location = `${baseUrl}${FULFILLMENT_PREFIX}/${order.orderId}/shipping_fulfillment/${encodeURIComponent(fulfillment.fulfillmentId)}`;
    return new HttpAnswer(201, undefined, { location });
  }

  function orderCall(request: IncomingMessage, rest: string[], body: unknown): HttpAnswer {
    const orderId = decodeURIComponent(rest[0] ?? "");
    const order = orders.get(orderId);
    if (!order) return unknownOrder(orderId);
    if (rest.length === 1 && request.method === "GET") return new HttpAnswer(200, orderView(order));
    if (rest[1] !== "shipping_fulfillment") return failure(404, notFoundError());
    if (rest.length === 2 && request.method === "POST") {
      if (body === INVALID_JSON) return requestError(34500, "The request body is not valid JSON.");
      return createFulfillment(order, body);
    }
    if (rest.length === 2 && request.method === "GET")
      return new HttpAnswer(200, {
        fulfillments: order.fulfillments.map(fulfillmentView),
        total: order.fulfillments.length,
      });
    if (rest.length === 3 && request.method === "GET") {
      const fulfillmentId = decodeURIComponent(rest[2]!);
      const fulfillment = order.fulfillments.find((candidate) => candidate.fulfillmentId === fulfillmentId);
      if (!fulfillment)
        return failure(404, {
          errorId: 32210,
          domain: "API_FULFILLMENT",
          category: "REQUEST",
          message: `Invalid shipping fulfillment ID: ${fulfillmentId}`,
        });
      return new HttpAnswer(200, fulfillmentView(fulfillment));
    }
    return failure(404, notFoundError());
  }

  // --- HTTP plumbing -------------------------------------------------------------------------

  function route(request: IncomingMessage, url: URL, body: unknown): HttpAnswer {
    const path = url.pathname;
    if (path === "/identity/v1/oauth2/token" && request.method === "POST") return token(request, body);
    if (path !== FULFILLMENT_PREFIX && !path.startsWith(`${FULFILLMENT_PREFIX}/`))
      return failure(404, notFoundError());
    if (failures.count > 0) {
      failures.count -= 1;
      if (failures.status === 429) return tooManyRequests();
      return failures.status === 500
        ? systemError()
        : failure(503, {
            errorId: 30500,
            domain: "API_FULFILLMENT",
            category: "APPLICATION",
            message: "Service unavailable.",
          });
    }
    const denied = unauthorized(request, request.method !== "GET");
    if (denied) return denied;
    if (!quota.take(EBAY_SIMULATOR_CREDENTIALS.clientId)) return tooManyRequests();
    if (path === FULFILLMENT_PREFIX && request.method === "GET") return getOrders(url);
    const rest = path.slice(FULFILLMENT_PREFIX.length + 1).split("/");
    return orderCall(request, rest, body);
  }

  const started = await startJsonServer({
    host,
    port: options.port ?? 0,
    calls,
    requestIdHeader: "x-ebay-c-request-id",
    route,
    internalError: systemError,
  });
  baseUrl = started.baseUrl;

  const held = (orderId: string): SimulatedEbayOrder => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`the eBay simulator holds no order ${orderId}`);
    return order;
  };

  return {
    channel: "ebay",
    kind: "marketplace",
    url: baseUrl,
    // The `marketplaces.ebay` block of omnifeed.config.yaml that reaches this simulator.
    accountSettings: {
      seller_id: EBAY_SIMULATOR_SELLER,
      api_url: baseUrl,
      identity_url: baseUrl,
      client_id_env: "EBAY_SIM_CLIENT_ID",
      client_secret_env: "EBAY_SIM_CLIENT_SECRET",
      refresh_token_env: "EBAY_SIM_REFRESH_TOKEN",
      ...(options.rateLimit
        ? { rate_limit_per_second: options.rateLimit.perSecond, rate_limit_burst: options.rateLimit.burst }
        : {}),
    },
    env: {
      EBAY_SIM_CLIENT_ID: EBAY_SIMULATOR_CREDENTIALS.clientId,
      EBAY_SIM_CLIENT_SECRET: EBAY_SIMULATOR_CREDENTIALS.clientSecret,
      EBAY_SIM_REFRESH_TOKEN: EBAY_SIMULATOR_CREDENTIALS.refreshToken,
    },
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    quota,
    failNext(count, status) {
      failures = { count, status };
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
      const serial = String(orderCounter).padStart(5, "0");
      const orderId = `27-${serial}-${String((orderCounter * 7919) % 100_000).padStart(5, "0")}`;
      const creationDate = input.creationDate ?? now();
      const lineItems = input.lines.map((line) => {
        itemCounter += 1;
        return {
          lineItemId: String(10_000_000_000 + itemCounter),
          legacyItemId: String(110_000_000_000 + itemCounter),
          sku: line.sku,
          title: line.title ?? line.sku ?? `Item ${itemCounter}`,
          quantity: line.quantity,
          unitPriceMinor: line.unitPriceMinor,
        };
      });
      orders.set(orderId, {
        orderId,
        legacyOrderId: `${lineItems[0]!.legacyItemId}-${2_000_000_000_000 + orderCounter}`,
        creationDate,
        lastModifiedDate: creationDate,
        currency: input.currency ?? "USD",
        deliveryCostMinor: input.deliveryCostMinor ?? 0,
        buyerUsername: input.buyerUsername ?? `buyer_${serial}`,
        shipTo: input.shipTo ?? {
          fullName: "Simulated Buyer",
          addressLine1: "2025 Hamilton Ave",
          city: "San Jose",
          stateOrProvince: "CA",
          postalCode: "95125",
          countryCode: "US",
          email: `buyer${serial}@members.ebay.com`,
        },
        lineItems,
        fulfillments: [],
        cancelled: false,
      });
      return { orderId, lineItemIds: lineItems.map((line) => line.lineItemId) };
    },
    cancel(orderId) {
      const order = held(orderId);
      if (order.fulfillments.length > 0)
        throw new Error(`order ${orderId} has shipped lines and cannot be cancelled`);
      order.cancelled = true;
      order.lastModifiedDate = now();
    },
    fulfillments: (orderId) => held(orderId).fulfillments.map((fulfillment) => structuredClone(fulfillment)),
    order: (orderId) => held(orderId),
    issuedTokens: () => [...tokens.keys()],
    revokeTokens: () => tokens.clear(),
    close: () => stopJsonServer(started.server),
  };
}

function notFoundError(): EbayError {
  return { errorId: 2002, domain: "ACCESS", category: "REQUEST", message: "Resource not found" };
}
