import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  execute,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from "graphql";
import { runBulkQuery, checkBulkQuery } from "./shopify-bulk.js";
import { actualCost, requestedCost } from "./shopify-cost.js";
import { shopifySchema } from "./shopify-schema.js";
import { ShopifyStore, restFulfillment, restOrder } from "./shopify-store.js";
import {
  createShopifyResolvers,
  type BulkOperationRecord,
  type ShopifyContext,
} from "./shopify-resolvers.js";
import type { RecordedCall, RunningSimulator } from "./simulator.js";
import type { StoreCatalogProduct } from "./store-catalog.js";
import {
  deliverWebhook,
  isRecord,
  readBody,
  sendAnswer,
  signBody,
  type HttpAnswer,
  type WebhookDelivery,
} from "./store-webhooks.js";

export type { RecordedCall } from "./simulator.js";
export type { WebhookDelivery } from "./store-webhooks.js";

/**
 * A local twin of one Shopify shop's Admin GraphQL API (../shared/reference/stores.md §1):
 * `POST /admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`, real GraphQL (parsed,
 * validated and executed by graphql-js against the part of the Admin schema omnifeed uses, see
 * adr/0019), versions that fall forward and the `X-Shopify-API-Version` answer header, cursor
 * connections of at most 250, calculated query cost with a leaky bucket (`THROTTLED`), bulk
 * operations with a JSONL result served here, `orderCreate` and order search, fulfillments with
 * tracking, the client-credentials grant, and webhooks signed with the app's client secret.
 */

/** The port `omnifeed dev simulators` gives the Shopify simulator (tests use 0). */
export const SHOPIFY_SIMULATOR_PORT = 8644;

export const SHOPIFY_SIMULATOR_CREDENTIALS = {
  shopDomain: "omnifeed-sim.myshopify.com",
  accessToken: "shpat_simulator0000000000000000000001",
  clientId: "sim0client0id0000000000000000001",
  clientSecret: "shpss_simulator0client0secret000000001",
} as const;

export const SHOPIFY_SIMULATOR_TOKEN_ENV = "OMNIFEED_SHOPIFY_SIM_ACCESS_TOKEN";
export const SHOPIFY_SIMULATOR_SECRET_ENV = "OMNIFEED_SHOPIFY_SIM_CLIENT_SECRET";

/** Stable versions of 2025–2026, the 2027-01 release candidate and `unstable` (stores.md §1.1). */
export const SHOPIFY_SUPPORTED_VERSIONS = [
  "2025-01",
  "2025-04",
  "2025-07",
  "2025-10",
  "2026-01",
  "2026-04",
  "2026-07",
  "2026-10",
  "2027-01",
  "unstable",
] as const;

/** Served, but no client should pin it yet. */
export const SHOPIFY_RELEASE_CANDIDATE = "2027-01";

export interface ShopifySimulatorOptions {
  host?: string;
  port?: number;
  shopDomain?: string;
  accessToken?: string;
  clientId?: string;
  /** The app's client secret: the client-credentials grant checks it and webhooks are signed with it. */
  clientSecret?: string;
  /** Products the shop starts with. */
  catalog?: readonly StoreCatalogProduct[];
  /** Versions served, oldest first; an older `YYYY-MM` falls forward to the first of them. */
  supportedVersions?: readonly string[];
  /** The cost bucket (default 1000 points, restoring 50 per second; make it small in tests). */
  throttle?: { maximumAvailable: number; restoreRate: number };
  /** The bucket's clock in ms (default `Date.now`): a test drives it with the client's fake clock. */
  clock?: () => number;
  /** Cost one query may request (default 1000: above it `MAX_COST_EXCEEDED`). */
  maxQueryCost?: number;
  /** Status of a throttled answer: Shopify has answered both 200 and 429 (default 200). */
  throttledStatus?: 200 | 429;
  /** How long a bulk operation runs before it completes (default 0). */
  processingDelayMs?: number;
  /** How long a new order stays invisible to `orders(query:)` (default 0; Shopify's index lags). */
  orderSearchLagMs?: number;
  /** Without `read_all_orders` orders processed over 60 days ago are not found (default true). */
  readAllOrders?: boolean;
  /** Where webhooks go (all topics unless `webhookTopics`). */
  webhookUrl?: string;
  webhookTopics?: readonly string[];
  /** Version the webhook subscription was made with (header `X-Shopify-API-Version`). */
  webhookApiVersion?: string;
  /** The shop's UTC offset, for REST-shaped webhook timestamps (default −300: America/Bogota). */
  timezoneOffsetMinutes?: number;
  currency?: string;
  /** Lifetime of tokens from the client-credentials grant (default 86399 s). */
  tokenLifetimeSeconds?: number;
}

export interface ShopifyFulfillInput {
  company?: string;
  number?: string;
  url?: string;
  /** Line items and quantities by line item GID or legacy id; all remaining when absent. */
  lines?: { lineItemId: string | number; quantity: number }[];
}

export interface ShopifySimulator extends RunningSimulator {
  /** `<url>/admin/api/<version>/graphql.json`. */
  graphqlUrl(version?: string): string;
  readonly store: ShopifyStore;
  seed(catalog: readonly StoreCatalogProduct[]): void;
  calls: RecordedCall[];
  resetCalls(): void;
  /** Every webhook delivery attempted so far. */
  readonly webhookDeliveries: WebhookDelivery[];
  /** Resolves once every webhook queued so far has been delivered (or has failed). */
  webhooksSettled(): Promise<void>;
  setWebhookUrl(url: string | undefined): void;
  /** Sends a delivery again, byte for byte with the same `X-Shopify-Webhook-Id` (as Shopify's retries). */
  redeliver(webhookId: string): Promise<WebhookDelivery>;
  /** The merchant (or a 3PL) ships: a fulfillment with tracking; `fulfillments/create` fires. */
  fulfill(orderId: string | number, input: ShopifyFulfillInput): { fulfillmentId: string };
  /** Tracking added or changed on an existing fulfillment; `fulfillments/update` fires. */
  updateTracking(
    fulfillmentId: string | number,
    input: { company?: string; number?: string; url?: string },
  ): void;
  /** The merchant cancels the order; `orders/cancelled` and `orders/updated` fire. */
  cancelOrder(
    orderId: string | number,
    reason?: "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF",
  ): void;
  /** The bucket now (refilled to this instant). */
  throttleStatus(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  /** Empties the bucket, as other apps' calls would. */
  drainBucket(): void;
  /** The next `count` GraphQL calls fail with this status. */
  /**
   * The next `count` GraphQL calls fail with this status; with `when`, only calls whose body
   * contains that text (`orderCreate`) — the failure comes before the call is executed.
   */
  failNext(count: number, status: 500 | 502 | 503, when?: string): void;
  /** Every bulk result file is gone (its signed URL answers 404), as after the 7 days Shopify keeps them. */
  expireBulkResults(): void;
  /** Access tokens issued by the client-credentials grant stop working. */
  revokeTokens(): void;
}

interface Bucket {
  available: number;
  at: number;
}

const UNAUTHORIZED_BODY = {
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
};

export async function startShopifySimulator(
  options: ShopifySimulatorOptions = {},
): Promise<ShopifySimulator> {
  const shopDomain = options.shopDomain ?? SHOPIFY_SIMULATOR_CREDENTIALS.shopDomain;
  const staticToken = options.accessToken ?? SHOPIFY_SIMULATOR_CREDENTIALS.accessToken;
  const clientId = options.clientId ?? SHOPIFY_SIMULATOR_CREDENTIALS.clientId;
  const clientSecret = options.clientSecret ?? SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret;
  const versions = [...(options.supportedVersions ?? SHOPIFY_SUPPORTED_VERSIONS)];
  const stableVersions = versions.filter((version) => version !== "unstable");
  // The newest stable version: the release candidate is served but not the default.
  const latestStable =
    [...stableVersions].reverse().find((version) => version !== SHOPIFY_RELEASE_CANDIDATE) ?? "unstable";
  const throttle = { maximumAvailable: 1000, restoreRate: 50, ...options.throttle };
  const maxQueryCost = options.maxQueryCost ?? 1000;
  const offsetMinutes = options.timezoneOffsetMinutes ?? -300;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 86_399;
  const schema = shopifySchema();
  const store = new ShopifyStore();
  const calls: RecordedCall[] = [];
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<unknown>>();
  const issuedTokens = new Map<string, number>();
  const bulkOperations = new Map<number, BulkOperationRecord>();
  const bulkResults = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  const failures: { status: 500 | 502 | 503; when: string | undefined }[] = [];
  let webhookUrl = options.webhookUrl;
  const clock = options.clock ?? Date.now;
  let bucket: Bucket = { available: throttle.maximumAvailable, at: clock() };
  let url = "";
  let bulkCounter = 0;

  store.seed(options.catalog ?? [], new Date().toISOString());
  const defaultLocation = () => store.locations[0]?.id ?? null;

  // --- Webhooks ------------------------------------------------------------------------------

  function emit(topic: string, payload: unknown): void {
    if (webhookUrl === undefined) return;
    if (options.webhookTopics && !options.webhookTopics.includes(topic)) return;
    const body = JSON.stringify(payload);
    const headers = {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-hmac-sha256": signBody(clientSecret, body),
      "x-shopify-shop-domain": shopDomain,
      "x-shopify-api-version": options.webhookApiVersion ?? latestStable,
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    };
    void send(webhookUrl, topic, headers, body);
  }

  function send(
    target: string,
    topic: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<WebhookDelivery> {
    // Shopify waits 1 s to connect and 5 s in all for the receiver's answer.
    const delivery = deliverWebhook(target, topic, headers, body, 5000).then((done) => {
      deliveries.push(done);
      return done;
    });
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
    return delivery;
  }

  const orderPayload = (orderId: number) =>
    restOrder(store, store.ordersById.get(orderId)!, offsetMinutes, defaultLocation());
  const fulfillmentPayload = (fulfillmentId: number) =>
    restFulfillment(store, store.fulfillmentsById.get(fulfillmentId)!, offsetMinutes, defaultLocation());

  // --- Bulk operations -----------------------------------------------------------------------

  function later(work: () => void, ms: number): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  }

  function startBulk(query: string, groupObjects: boolean, version: string): BulkOperationRecord {
    bulkCounter += 1;
    const operation: BulkOperationRecord = {
      id: 3_100_000_000_000 + bulkCounter,
      query,
      groupObjects,
      version,
      type: "QUERY",
      status: "CREATED",
      errorCode: null,
      createdAt: new Date().toISOString(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
    };
    bulkOperations.set(operation.id, operation);
    later(() => {
      if (operation.status !== "CREATED") return;
      operation.status = "RUNNING";
      later(() => finishBulk(operation), options.processingDelayMs ?? 0);
    }, 0);
    return operation;
  }

  function finishBulk(operation: BulkOperationRecord): void {
    if (operation.status !== "RUNNING") return;
    try {
      const result = runBulkQuery(schema, resolvers, operation);
      operation.objectCount = result.objectCount;
      operation.rootObjectCount = result.rootObjectCount;
      if (result.objectCount > 0) {
        const token = randomBytes(16).toString("hex");
        bulkResults.set(token, result.jsonl);
        operation.fileSize = Buffer.byteLength(result.jsonl);
        operation.url = `${url}/bulk-operation-results/${token}.jsonl?X-Goog-Expires=604800&X-Goog-Signature=${randomBytes(8).toString("hex")}`;
      }
      operation.status = "COMPLETED";
    } catch {
      operation.status = "FAILED";
      operation.errorCode = "INTERNAL_SERVER_ERROR";
    }
    operation.completedAt = new Date().toISOString();
    emit("bulk_operations/finish", {
      admin_graphql_api_id: `gid://shopify/BulkOperation/${operation.id}`,
      completed_at: operation.completedAt,
      created_at: operation.createdAt,
      error_code: operation.errorCode?.toLowerCase() ?? null,
      status: operation.status.toLowerCase(),
      type: "query",
    });
  }

  const resolvers = createShopifyResolvers({
    store,
    schema,
    shopDomain,
    currency: options.currency ?? "USD",
    orderSearchLagMs: options.orderSearchLagMs ?? 0,
    readAllOrders: options.readAllOrders ?? true,
    bulkOperations,
    startBulk,
    checkBulkQuery: (query) => checkBulkQuery(schema, query),
    onOrderCreated: (orderId) => emit("orders/create", orderPayload(orderId)),
    onFulfillmentCreated: (fulfillmentId, orderId) => {
      emit("fulfillments/create", fulfillmentPayload(fulfillmentId));
      emit("orders/updated", orderPayload(orderId));
    },
    onTrackingUpdated: (fulfillmentId) => emit("fulfillments/update", fulfillmentPayload(fulfillmentId)),
    onOrderCancelled: (orderId) => {
      emit("orders/cancelled", orderPayload(orderId));
      emit("orders/updated", orderPayload(orderId));
    },
  });

  // --- Cost bucket ---------------------------------------------------------------------------

  function refill(now = clock()): Bucket {
    bucket = {
      available: Math.min(
        throttle.maximumAvailable,
        bucket.available + ((now - bucket.at) / 1000) * throttle.restoreRate,
      ),
      at: now,
    };
    return bucket;
  }

  function throttleStatus() {
    return {
      maximumAvailable: throttle.maximumAvailable,
      currentlyAvailable: Math.floor(refill().available),
      restoreRate: throttle.restoreRate,
    };
  }

  // --- GraphQL -------------------------------------------------------------------------------

  function resolveVersion(requested: string): string | undefined {
    if (versions.includes(requested)) return requested;
    // A retired version falls forward silently to the oldest supported one (stores.md §1.1).
    if (
      /^\d{4}-(01|04|07|10)$/.test(requested) &&
      stableVersions[0] !== undefined &&
      requested < stableVersions[0]
    ) {
      return stableVersions[0];
    }
    return undefined;
  }

  function graphql(version: string, text: string, contentType: string): HttpAnswer {
    let query: unknown;
    let variables: unknown;
    let operationName: unknown;
    if (contentType.startsWith("application/graphql")) {
      query = text;
    } else {
      try {
        const body = JSON.parse(text) as unknown;
        if (isRecord(body)) ({ query, variables, operationName } = body);
      } catch {
        query = undefined;
      }
    }
    if (typeof query !== "string" || query.trim() === "") {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    const extensions: Record<string, unknown> = {};
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { status: 200, body: { errors: [graphqlError(error)] } };
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) {
      return { status: 200, body: { errors: invalid.map((error) => error.toJSON()) } };
    }
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      typeof operationName === "string"
        ? operations.find((candidate) => candidate.name?.value === operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    if (!operation) {
      return {
        status: 200,
        body: {
          errors: [{ message: "An operation name is required when the document holds several operations" }],
        },
      };
    }
    const fragments = new Map(
      document.definitions
        .filter(
          (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
        )
        .map((fragment) => [fragment.name.value, fragment]),
    );
    const variableValues = isRecord(variables) ? variables : {};
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues);
    if (coerced.errors)
      return { status: 200, body: { errors: coerced.errors.map((error) => error.toJSON()) } };
    const requested = requestedCost(schema, operation, fragments, coerced.coerced);
    if (requested > maxQueryCost) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${maxQueryCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: maxQueryCost },
            },
          ],
        },
      };
    }
    const now = refill();
    if (requested > now.available) {
      return {
        status: options.throttledStatus ?? 200,
        body: {
          errors: [
            {
              message: "Throttled",
              extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
            },
          ],
          extensions: { cost: costExtension(requested, null) },
        },
      };
    }
    bucket.available -= requested;
    const context: ShopifyContext = { version, bulk: false, now: Date.now(), searchWarnings: [] };
    const result = execute({
      schema,
      document,
      rootValue: resolvers,
      contextValue: context,
      variableValues,
      ...(typeof operationName === "string" ? { operationName } : {}),
    }) as ExecutionResult;
    const actual = actualCost(schema, operation, fragments, coerced.coerced, result.data);
    // The difference between the requested and the actual cost goes back into the bucket.
    bucket.available = Math.min(
      throttle.maximumAvailable,
      bucket.available + Math.max(0, requested - actual),
    );
    extensions.cost = costExtension(requested, actual);
    if (context.searchWarnings.length > 0) extensions.search = context.searchWarnings;
    return {
      status: 200,
      body: {
        ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}),
        data: result.data ?? null,
        extensions,
      },
    };
  }

  function costExtension(requested: number, actual: number | null) {
    const status = throttleStatus();
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: status.maximumAvailable,
        currentlyAvailable: status.currentlyAvailable,
        restoreRate: status.restoreRate,
      },
    };
  }

  // --- Client-credentials grant -------------------------------------------------------------

  function accessToken(text: string, contentType: string): HttpAnswer {
    let form: Record<string, unknown> = {};
    if (contentType.startsWith("application/json")) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (isRecord(parsed)) form = parsed;
      } catch {
        form = {};
      }
    } else {
      form = Object.fromEntries(new URLSearchParams(text));
    }
    if (form.grant_type !== "client_credentials") {
      return {
        status: 400,
        body: { error: "unsupported_grant_type", error_description: "grant_type must be client_credentials" },
      };
    }
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return {
        status: 401,
        body: { error: "invalid_client", error_description: "Client authentication failed" },
      };
    }
    const token = `shpat_${randomBytes(16).toString("hex")}`;
    issuedTokens.set(token, Date.now() + tokenLifetime * 1000);
    return {
      status: 200,
      body: {
        access_token: token,
        scope: "read_products,read_inventory,read_orders,write_orders,read_fulfillments,write_fulfillments",
        expires_in: tokenLifetime,
      },
    };
  }

  function authorised(request: IncomingMessage): boolean {
    const header = request.headers["x-shopify-access-token"];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined) return false;
    if (token === staticToken) return true;
    const expires = issuedTokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  // --- HTTP ----------------------------------------------------------------------------------

  function answer(request: IncomingMessage, text: string): HttpAnswer {
    const target = new URL(request.url ?? "/", "http://simulator");
    const method = request.method ?? "GET";
    const contentType = String(request.headers["content-type"] ?? "");
    const path = target.pathname;
    if (path === "/admin/oauth/access_token" && method === "POST") return accessToken(text, contentType);
    const result = /^\/bulk-operation-results\/([0-9a-f]+)\.jsonl$/.exec(path);
    if (result && method === "GET") {
      const jsonl = bulkResults.get(result[1]!);
      return jsonl === undefined
        ? {
            status: 404,
            body: "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>",
            contentType: "application/xml",
          }
        : { status: 200, body: jsonl, contentType: "application/jsonl" };
    }
    const api = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (!api) return { status: 404, body: { errors: "Not Found" } };
    const version = resolveVersion(api[1]!);
    if (version === undefined) return { status: 404, body: { errors: "Not Found" } };
    const versionHeader = { "x-shopify-api-version": version };
    if (method !== "POST")
      return { status: 405, body: { errors: "Method Not Allowed" }, headers: versionHeader };
    const failing = failures.findIndex((entry) => entry.when === undefined || text.includes(entry.when));
    const failure = failing === -1 ? undefined : failures.splice(failing, 1)[0]!.status;
    if (failure !== undefined) {
      return {
        status: failure,
        body:
          failure === 502
            ? "<html><body><h1>502 Bad Gateway</h1></body></html>"
            : { errors: "Internal Server Error" },
        ...(failure === 502 ? { contentType: "text/html" } : {}),
        headers: versionHeader,
      };
    }
    if (!authorised(request)) return { status: 401, body: UNAUTHORIZED_BODY, headers: versionHeader };
    const answered = graphql(version, text, contentType);
    return { ...answered, headers: { ...answered.headers, ...versionHeader, "x-request-id": randomUUID() } };
  }

  const server = createServer((request, response) => {
    const started = Date.now();
    readBody(request)
      .then((text) => {
        const result = answer(request, text);
        const target = new URL(request.url ?? "/", "http://simulator");
        let body: unknown = text === "" ? undefined : text;
        try {
          body = text === "" ? undefined : (JSON.parse(text) as unknown);
        } catch {
          // a form or a raw GraphQL document: recorded as text
        }
        // The client-credentials form carries the client secret: keep the grant type only.
        if (target.pathname === "/admin/oauth/access_token")
          body = { grant_type: isRecord(body) ? body.grant_type : undefined };
        calls.push({
          method: request.method ?? "GET",
          path: target.pathname,
          query: Object.fromEntries(target.searchParams),
          body,
          status: result.status,
          at: started,
        });
        sendAnswer(response, result);
      })
      .catch(() => sendAnswer(response, { status: 500, body: { errors: "Internal Server Error" } }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  const orderIdOf = (id: string | number): number => {
    const numeric = typeof id === "number" ? id : Number(/(\d+)$/.exec(id)?.[1]);
    if (!store.ordersById.has(numeric)) throw new Error(`the Shopify simulator holds no order ${id}`);
    return numeric;
  };

  return {
    channel: "shopify",
    kind: "store",
    url,
    accountSettings: {
      shop_domain: shopDomain,
      api_url: url,
      api_version: latestStable,
      access_token_env: SHOPIFY_SIMULATOR_TOKEN_ENV,
      client_secret_env: SHOPIFY_SIMULATOR_SECRET_ENV,
    },
    env: { [SHOPIFY_SIMULATOR_TOKEN_ENV]: staticToken, [SHOPIFY_SIMULATOR_SECRET_ENV]: clientSecret },
    graphqlUrl: (version = latestStable) => `${url}/admin/api/${version}/graphql.json`,
    store,
    seed: (catalog) => store.seed(catalog, new Date().toISOString()),
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    webhookDeliveries: deliveries,
    webhooksSettled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    setWebhookUrl: (next) => {
      webhookUrl = next;
    },
    redeliver: (webhookId) => {
      const original = deliveries.find((delivery) => delivery.headers["x-shopify-webhook-id"] === webhookId);
      if (!original) throw new Error(`no webhook delivery ${webhookId}`);
      return send(original.url, original.topic, original.headers, original.body);
    },
    fulfill: (orderId, input) => {
      const id = resolvers.createFulfillment(orderIdOf(orderId), input);
      return { fulfillmentId: `gid://shopify/Fulfillment/${id}` };
    },
    updateTracking: (fulfillmentId, input) => {
      const id =
        typeof fulfillmentId === "number" ? fulfillmentId : Number(/(\d+)$/.exec(fulfillmentId)?.[1]);
      resolvers.updateTracking(id, input);
    },
    cancelOrder: (orderId, reason = "OTHER") => resolvers.cancel(orderIdOf(orderId), reason, false),
    throttleStatus,
    drainBucket: () => {
      bucket = { available: 0, at: clock() };
    },
    failNext: (count, status, when) => {
      for (let index = 0; index < count; index += 1) failures.push({ status, when });
    },
    revokeTokens: () => issuedTokens.clear(),
    expireBulkResults: () => bulkResults.clear(),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

function graphqlError(error: unknown): unknown {
  return error instanceof GraphQLError ? error.toJSON() : { message: String(error) };
}
