import type { AxiosResponse } from "axios";
import { z } from "zod";
import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import { createHttpClient, kindOfStatus, type HttpErrorReading } from "../../infra/http.js";
import type { RateLimiter } from "../../infra/rate-limit.js";

/**
 * Every HTTP call omnifeed makes to eBay: the OAuth refresh-token grant and the Sell Fulfillment
 * API v1 (`getOrders`, `getOrder`, `shipping_fulfillment` list and create). Wire format from
 * ../shared/reference/ebay-and-others.md §1 (eBay's sell_fulfillment_v1_oas3 model). Hand-written
 * over `infra/http.ts` (adr/0026). The user token is refreshed five minutes before it expires and
 * once more when eBay answers 401.
 */

const FULFILLMENT = "/sell/fulfillment/v1/order";
const TOKEN_MARGIN_MS = 5 * 60_000;

export interface EbayClientOptions {
  apiUrl: string;
  identityUrl: string;
  credentials: () => Promise<{ clientId: string; clientSecret: string; refreshToken: string }>;
  scope: string;
  limiter: RateLimiter;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } | undefined;
  now?: () => number;
}

const TokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive() });
const OAuthErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });
const ErrorListSchema = z.looseObject({
  errors: z.array(z.looseObject({ errorId: z.number(), message: z.string() })),
});

const OrdersPageSchema = z.looseObject({
  orders: z.array(z.unknown()).default([]),
  total: z.number().int().nonnegative().optional(),
  next: z.string().optional(),
});

const FulfillmentsSchema = z.looseObject({
  fulfillments: z
    .array(
      z.looseObject({
        fulfillmentId: z.string(),
        shipmentTrackingNumber: z.string().optional(),
        lineItems: z.array(z.looseObject({ lineItemId: z.string() })).default([]),
      }),
    )
    .default([]),
});
export type EbayFulfillment = z.infer<typeof FulfillmentsSchema>["fulfillments"][number];

/** `createShippingFulfillment` body (ShippingFulfillmentDetails). */
export interface ShippingFulfillmentBody {
  lineItems: { lineItemId: string; quantity: number }[];
  shippedDate: string;
  shippingCarrierCode: string;
  trackingNumber: string;
}

export interface EbayClient {
  getOrders(
    query: { filter: string; limit: number; offset: number },
    signal: AbortSignal,
  ): Promise<{ orders: unknown[]; hasNext: boolean }>;
  /** The order, or undefined when eBay knows no such id. */
  getOrder(orderId: string, signal: AbortSignal): Promise<unknown>;
  fulfillments(orderId: string, signal: AbortSignal): Promise<EbayFulfillment[]>;
  /** Creates one package's fulfillment; answers its id (from `Location`). */
  createFulfillment(orderId: string, body: ShippingFulfillmentBody, signal: AbortSignal): Promise<string>;
}

/** `{"errors":[{errorId, message}]}` → `[errorId] message`; eBay may send Retry-After on 429. */
function ebayErrorReader(response: AxiosResponse): HttpErrorReading {
  const parsed = ErrorListSchema.safeParse(response.data);
  const message = parsed.success
    ? parsed.data.errors.map((error) => `[${error.errorId}] ${error.message}`).join("; ")
    : `HTTP ${response.status}`;
  return { kind: kindOfStatus(response.status), message };
}

function oauthErrorReader(response: AxiosResponse): HttpErrorReading {
  const parsed = OAuthErrorSchema.safeParse(response.data);
  const message = parsed.success
    ? `${parsed.data.error}${parsed.data.error_description ? `: ${parsed.data.error_description}` : ""}`
    : `HTTP ${response.status}`;
  const kind = response.status === 400 || response.status === 401 ? "auth" : kindOfStatus(response.status);
  return { kind, message };
}

export function createEbayClient(options: EbayClientOptions): EbayClient {
  const now = options.now ?? Date.now;
  const identity = createHttpClient({
    service: "eBay OAuth",
    baseURL: options.identityUrl,
    readError: oauthErrorReader,
    ...options.retry,
  });
  const api = createHttpClient({
    service: "eBay Fulfillment API",
    baseURL: options.apiUrl,
    limiter: options.limiter,
    readError: ebayErrorReader,
    ...options.retry,
  });
  let token: { value: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function refresh(signal: AbortSignal): Promise<string> {
    const { clientId, clientSecret, refreshToken } = await options.credentials();
    const response = await identity.request<unknown>({
      what: "token refresh",
      method: "POST",
      url: "/identity/v1/oauth2/token",
      data: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        scope: options.scope,
      }).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      },
      signal,
    });
    const parsed = TokenSchema.safeParse(response.data);
    if (!parsed.success) throw new OmnifeedError("auth", "eBay OAuth: token answer without access_token");
    token = { value: parsed.data.access_token, expiresAt: now() + parsed.data.expires_in * 1000 };
    return token.value;
  }

  function accessToken(signal: AbortSignal): Promise<string> {
    if (token && token.expiresAt - TOKEN_MARGIN_MS > now()) return Promise.resolve(token.value);
    pending ??= refresh(signal).finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function call(
    request: { what: string; method: string; url: string; params?: Record<string, string>; data?: unknown },
    signal: AbortSignal,
  ): Promise<AxiosResponse<unknown>> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await accessToken(signal);
      try {
        return await api.request<unknown>({
          ...request,
          headers: {
            authorization: `Bearer ${current}`,
            accept: "application/json",
            ...(request.data !== undefined ? { "content-type": "application/json" } : {}),
          },
          signal,
        });
      } catch (error) {
        // A token eBay revoked or expired early answers 401: one refresh, one more try.
        if (attempt === 1 && isOmnifeedError(error, "auth") && /→ 401/.test(error.message)) {
          if (token?.value === current) token = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  function read<T>(schema: z.ZodType<T>, response: AxiosResponse<unknown>, what: string): T {
    const parsed = schema.safeParse(response.data);
    if (!parsed.success)
      throw new OmnifeedError("transient", `eBay Fulfillment API: ${what}: unexpected answer`);
    return parsed.data;
  }

  const orderPath = (orderId: string) => `${FULFILLMENT}/${encodeURIComponent(orderId)}`;

  return {
    async getOrders({ filter, limit, offset }, signal) {
      const response = await call(
        {
          what: "getOrders",
          method: "GET",
          url: FULFILLMENT,
          params: { filter, limit: String(limit), offset: String(offset) },
        },
        signal,
      );
      const page = read(OrdersPageSchema, response, "getOrders");
      return { orders: page.orders, hasNext: page.next !== undefined };
    },
    async getOrder(orderId, signal) {
      try {
        const response = await call(
          { what: `getOrder ${orderId}`, method: "GET", url: orderPath(orderId) },
          signal,
        );
        return response.data;
      } catch (error) {
        if (isOmnifeedError(error, "not_found")) return undefined;
        throw error;
      }
    },
    async fulfillments(orderId, signal) {
      const response = await call(
        {
          what: `getShippingFulfillments ${orderId}`,
          method: "GET",
          url: `${orderPath(orderId)}/shipping_fulfillment`,
        },
        signal,
      );
      return read(FulfillmentsSchema, response, "getShippingFulfillments").fulfillments;
    },
    async createFulfillment(orderId, body, signal) {
      const response = await call(
        {
          what: `createShippingFulfillment ${orderId}`,
          method: "POST",
          url: `${orderPath(orderId)}/shipping_fulfillment`,
          data: body,
        },
        signal,
      );
      const location = response.headers.location as unknown;
      const id = typeof location === "string" ? location.split("/").pop() : undefined;
      return id ? decodeURIComponent(id) : "";
    },
  };
}
