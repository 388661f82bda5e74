import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import type { RateLimit, RateLimiter } from "../../infra/rate-limit.js";
import type { SpApiClient } from "../../infra/sp-api.js";
import { AMAZON_ORDERS_DEFAULT_LIMITS, type AmazonMarketplaceConfig } from "./config.js";

/**
 * The order operations omnifeed calls on Amazon, over the SP-API client shared with the listings
 * channel (`infra/sp-api.ts`: LWA, errors, rate-limit headers): Orders API 2026-01-01
 * `searchOrders` and `getOrder` (no `payload` wrapper), and v0 `confirmShipment` (204, empty).
 * Each operation has its own token bucket, as Amazon counts them (reference §7). Orders are
 * returned unparsed: the transform reads each one, so one bad order does not sink its page.
 */

const SEARCH = "/orders/2026-01-01/orders";

/** What a pull asks for with each order: enough for a store order without a call per order. */
export const ORDER_INCLUDED_DATA = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT";

const SearchSchema = z.looseObject({
  orders: z.array(z.unknown()),
  pagination: z.looseObject({ nextToken: z.string().optional() }).optional(),
});

const GetOrderSchema = z.looseObject({ order: z.unknown() });

const PackagesSchema = z.looseObject({
  order: z.looseObject({
    salesChannel: z.looseObject({ marketplaceId: z.string().optional() }).optional(),
    packages: z
      .array(
        z.looseObject({
          packageReferenceId: z.string(),
          trackingNumber: z.string().optional(),
          carrier: z.string().optional(),
        }),
      )
      .optional(),
  }),
});
export interface OrderPackages {
  /** Undefined when Amazon holds no such order. */
  order: unknown;
  marketplaceId: string | undefined;
  packages: AmazonPackage[];
}

export type AmazonPackage = NonNullable<z.infer<typeof PackagesSchema>["order"]["packages"]>[number];

/** v0 `ConfirmShipmentRequest` (ordersV0.json). */
export interface ConfirmShipmentBody {
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
}

export type AmazonOrdersOperation = keyof typeof AMAZON_ORDERS_DEFAULT_LIMITS;

export interface AmazonOrdersClient {
  searchOrders(
    query: { after: string; before: string; token?: string | undefined },
    signal: AbortSignal,
  ): Promise<{ orders: unknown[]; nextToken: string | undefined }>;
  /** The order, or undefined when Amazon holds none by that id (404). */
  getOrder(orderId: string, includedData: string, signal: AbortSignal): Promise<unknown>;
  /** The packages Amazon holds for the order (`includedData=PACKAGES`) and its marketplace. */
  packages(orderId: string, signal: AbortSignal): Promise<OrderPackages>;
  confirmShipment(orderId: string, body: ConfirmShipmentBody, signal: AbortSignal): Promise<void>;
}

export function createAmazonOrdersClient(
  spApi: SpApiClient,
  config: AmazonMarketplaceConfig,
  limiterFor: (key: string, limit: RateLimit) => RateLimiter,
): AmazonOrdersClient {
  const limiters = new Map<AmazonOrdersOperation, RateLimiter>();
  const limiter = (operation: AmazonOrdersOperation): RateLimiter => {
    let bucket = limiters.get(operation);
    if (!bucket) {
      const limit = config.rate_limits?.[operation] ?? AMAZON_ORDERS_DEFAULT_LIMITS[operation];
      bucket = limiterFor(`amazon:${config.seller_id}:orders:${operation}`, {
        perSecond: limit.per_second,
        burst: limit.burst,
      });
      limiters.set(operation, bucket);
    }
    return bucket;
  };
  const orderPath = (orderId: string) => `${SEARCH}/${encodeURIComponent(orderId)}`;

  async function getOrder(orderId: string, includedData: string, signal: AbortSignal): Promise<unknown> {
    try {
      const answer = await spApi.call(
        GetOrderSchema,
        { what: `getOrder ${orderId}`, method: "GET", url: orderPath(orderId), params: { includedData } },
        { limiter: limiter("get_order"), signal },
      );
      return answer.order;
    } catch (error) {
      if (isOmnifeedError(error, "not_found")) return undefined;
      throw error;
    }
  }

  return {
    async searchOrders({ after, before, token }, signal) {
      const page = await spApi.call(
        SearchSchema,
        {
          what: "searchOrders",
          method: "GET",
          url: SEARCH,
          // With a token every other parameter must repeat exactly (reference §4).
          params: {
            lastUpdatedAfter: after,
            lastUpdatedBefore: before,
            marketplaceIds: config.marketplace_ids.join(","),
            fulfilledBy: "MERCHANT",
            maxResultsPerPage: String(config.page_size),
            includedData: ORDER_INCLUDED_DATA,
            ...(token ? { paginationToken: token } : {}),
          },
        },
        { limiter: limiter("search_orders"), signal },
      );
      return { orders: page.orders, nextToken: page.pagination?.nextToken };
    },
    getOrder,
    async packages(orderId, signal) {
      const order = await getOrder(orderId, "PACKAGES", signal);
      const parsed = PackagesSchema.safeParse({ order });
      return {
        order,
        marketplaceId: parsed.success ? parsed.data.order.salesChannel?.marketplaceId : undefined,
        packages: parsed.success ? (parsed.data.order.packages ?? []) : [],
      };
    },
    async confirmShipment(orderId, body, signal) {
      await spApi.call(
        z.unknown(),
        {
          what: `confirmShipment ${orderId} package ${body.packageDetail.packageReferenceId}`,
          method: "POST",
          url: `/orders/v0/orders/${encodeURIComponent(orderId)}/shipmentConfirmation`,
          data: body,
        },
        { limiter: limiter("confirm_shipment"), signal },
      );
    },
  };
}
