import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { formatAmount, parseMoney } from "../../core/money.js";
import { Quota } from "./quota.js";
import type { RecordedCall, RunningSimulator } from "./simulator.js";

export type { RecordedCall } from "./simulator.js";

/**
 * A local twin of Meta's Graph API catalog batch endpoints (../shared/reference/meta.md §4–5):
 * `POST /{version}/{catalog_id}/items_batch`, `GET /{version}/{catalog_id}/check_batch_request_status`
 * and `GET /{version}/{catalog_id}/products`. It checks the access token (Bearer header or
 * `access_token` parameter) and `appsecret_proof` as Graph does, answers Graph error objects
 * (`{error:{message,type,code,error_subcode,fbtrace_id}}`), throttles batch calls per catalog with
 * error 80014 and the `X-Business-Use-Case-Usage` header, processes batches asynchronously
 * (`started` until `processingDelayMs` has passed, then `finished` with per-item errors), and pages
 * products with opaque cursors.
 */

/** The port `omnifeed dev simulators` gives the Meta simulator. */
export const META_SIMULATOR_PORT = 8642;

export interface MetaSimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port; `omnifeed dev simulators` uses 8642. */
  port?: number;
  /** Batch calls per catalog; `undefined`: no limit. */
  rateLimit?: { perSecond: number; burst: number } | undefined;
  /** How long a batch stays `started` before it is applied and `finished` (default 50 ms). */
  processingDelayMs?: number;
  catalogId?: string;
  /** The one access token it accepts (default: a random one). */
  accessToken?: string;
  /** The app secret behind `appsecret_proof`; `null`: the app does not require the proof. */
  appSecret?: string | null;
  /** The Graph version in paths it answers (default v26.0). */
  graphVersion?: string;
}

/** A problem Meta reports about an item (batch error, or a disapproval read back). */
export interface MetaSimIssue {
  code: string;
  message: string;
  attribute?: string;
}

/** What the simulator holds for one item, by retailer id (our item key). */
export interface MetaSimItem {
  /** Meta's own numeric product id (not the retailer id). */
  productId: string;
  /** The item's fields as sent, in Meta's batch spelling (`price: "15.00 USD"`). */
  fields: Record<string, unknown>;
  reviewStatus: "approved" | "rejected" | "pending";
  /** Disapproval reasons, shown on read-back. */
  issues: MetaSimIssue[];
}

export interface MetaSimulator extends RunningSimulator {
  readonly calls: RecordedCall[];
  resetCalls(): void;
  readonly quota: Quota;
  /** The next `count` calls (any endpoint) fail with this status and Graph's error for it. */
  failNext(count: number, status: 429 | 500 | 502 | 503): void;
  /** From now on a CREATE/UPDATE of this item is refused with this error in the batch status. */
  rejectItem(key: string, issue: MetaSimIssue): void;
  /** Removes an item behind omnifeed's back. */
  deleteItem(key: string): void;
  /** Changes an item's price behind omnifeed's back. */
  setPrice(key: string, price: { amountMinor: number; currency: string }): void;
  /** Disapproves an item accepted earlier: read-back shows `review_status: rejected` and the issue. */
  disapprove(key: string, issue: MetaSimIssue): void;
  items(): Map<string, MetaSimItem>;
  readonly catalogId: string;
  readonly accessToken: string;
}

/** Meta's limits for one items_batch call (reference §4.1). */
const MAX_REQUESTS = 5_000;
const MAX_BODY_BYTES = 28 * 1024 * 1024;
const REQUIRED_ON_CREATE = [
  "title",
  "description",
  "availability",
  "condition",
  "price",
  "link",
  "image_link",
] as const;
const AVAILABILITY = new Set(["in stock", "out of stock", "available for order", "discontinued"]);
const CONDITION = new Set(["new", "refurbished", "used"]);
const PRICE = /^\d+(?:\.\d+)? [A-Z]{3}$/;
const THROTTLE_MESSAGE =
  "(#80014) There have been too many calls for this catalog. Wait a bit and try again.";

interface BatchRequest {
  method: "CREATE" | "UPDATE" | "DELETE";
  data: Record<string, unknown>;
}

interface Batch {
  handle: string;
  requests: BatchRequest[];
  allowUpsert: boolean;
  dueAt: number;
  finished: boolean;
  errors: { line: number; id: string; message: string }[];
  warnings: { line: number; id: string; message: string }[];
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly body: {
      message: string;
      type: string;
      code: number;
      error_subcode?: number;
      is_transient?: boolean;
    },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export async function startMetaSimulator(options: MetaSimulatorOptions = {}): Promise<MetaSimulator> {
  const host = options.host ?? "127.0.0.1";
  const catalogId = options.catalogId ?? "1234567890";
  const version = options.graphVersion ?? "v26.0";
  const accessToken = options.accessToken ?? `EAAsim${randomBytes(24).toString("hex")}`;
  const appSecret = options.appSecret === undefined ? randomBytes(16).toString("hex") : options.appSecret;
  const processingDelayMs = options.processingDelayMs ?? 50;
  const quota = new Quota(options.rateLimit);
  const calls: RecordedCall[] = [];
  const held = new Map<string, MetaSimItem>();
  const batches = new Map<string, Batch>();
  const rejections = new Map<string, MetaSimIssue>();
  const failures: { status: 429 | 500 | 502 | 503 }[] = [];
  let nextProductId = 9_000_000_000_000_000;

  /** Batches are applied in the order they were queued, once their processing time has passed. */
  function settle(now: number): void {
    for (const batch of batches.values()) {
      if (batch.finished || batch.dueAt > now) continue;
      apply(batch);
      batch.finished = true;
    }
  }

  function apply(batch: Batch): void {
    batch.requests.forEach((request, line) => {
      const id = String(request.data.id);
      if (batch.errors.some((error) => error.line === line)) return;
      if (request.method === "DELETE") {
        held.delete(id);
        return;
      }
      const refusal = rejections.get(id);
      if (refusal) {
        batch.errors.push({ line, id, message: refusal.message });
        return;
      }
      const existing = held.get(id);
      if (!existing && request.method === "UPDATE" && !batch.allowUpsert) {
        batch.errors.push({ line, id, message: `Product with retailer_id ${id} does not exist.` });
        return;
      }
      const fields = { ...(request.method === "UPDATE" ? existing?.fields : {}), ...request.data };
      // An empty value clears the field, as a blank cell does in a feed.
      for (const [name, value] of Object.entries(fields)) if (value === "") delete fields[name];
      held.set(id, {
        productId: existing?.productId ?? String((nextProductId += 1)),
        fields,
        reviewStatus: "approved",
        issues: [],
      });
    });
  }

  function usageHeaders(refused: boolean): Record<string, string> {
    const stats = quota.stats;
    const limit = options.rateLimit;
    // Percent of the hourly budget used, as Meta reports it; throttled at 100.
    const hourly = limit ? limit.perSecond * 3_600 + limit.burst : undefined;
    const percent = refused ? 100 : hourly ? Math.min(99, Math.round((stats.allowed / hourly) * 100)) : 0;
    const regainMinutes = refused ? Math.floor(quota.retryAfterSeconds() / 60) : 0;
    const bucket = {
      type: "catalog_batch",
      call_count: percent,
      total_cputime: Math.round(percent / 4),
      total_time: Math.round(percent / 3),
      estimated_time_to_regain_access: regainMinutes,
    };
    return {
      "x-business-use-case-usage": JSON.stringify({ [catalogId]: [bucket] }),
      "x-app-usage": JSON.stringify({ call_count: percent, total_time: bucket.total_time, total_cputime: 0 }),
    };
  }

  function authenticate(request: IncomingMessage, query: Record<string, string>, body: unknown): void {
    const header = request.headers.authorization;
    const bodyToken =
      typeof body === "object" && body !== null ? (body as Record<string, unknown>).access_token : undefined;
    const given =
      header?.startsWith("Bearer ") || header?.startsWith("OAuth ")
        ? header.slice(header.indexOf(" ") + 1)
        : (query.access_token ?? (typeof bodyToken === "string" ? bodyToken : undefined));
    if (!given) {
      throw new GraphError(400, {
        message: "An access token is required to request this resource.",
        type: "OAuthException",
        code: 104,
      });
    }
    if (!safeEqual(given, accessToken)) {
      throw new GraphError(
        401,
        {
          message: "Invalid OAuth access token - Cannot parse access token",
          type: "OAuthException",
          code: 190,
        },
        { "www-authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' },
      );
    }
    if (appSecret === null) return;
    const proof =
      query.appsecret_proof ??
      (typeof body === "object" && body !== null
        ? (body as Record<string, unknown>).appsecret_proof
        : undefined);
    if (typeof proof !== "string") {
      throw new GraphError(400, {
        message: "API calls from the server require an appsecret_proof argument",
        type: "GraphMethodException",
        code: 100,
      });
    }
    const expected = createHmac("sha256", appSecret).update(accessToken).digest("hex");
    if (!safeEqual(proof, expected)) {
      throw new GraphError(400, {
        message: "Invalid appsecret_proof provided in the API argument",
        type: "GraphMethodException",
        code: 100,
      });
    }
  }

  function itemsBatch(body: unknown): { status: number; body: unknown; headers: Record<string, string> } {
    if (typeof body !== "object" || body === null)
      throw badParameter("(#100) The parameter item_type is required");
    const params = body as Record<string, unknown>;
    if (params.item_type === undefined) throw badParameter("(#100) The parameter item_type is required");
    if (params.item_type !== "PRODUCT_ITEM") {
      throw badParameter(
        `(#100) Param item_type must be one of {PRODUCT_ITEM, HOTEL, FLIGHT, DESTINATION, HOME_LISTING, VEHICLE}`,
      );
    }
    let requests = params.requests;
    if (typeof requests === "string") requests = parseJson(requests);
    if (requests === undefined) throw badParameter("(#100) The parameter requests is required");
    if (!Array.isArray(requests)) throw badParameter("(#100) Param requests must be an array.");
    if (requests.length > MAX_REQUESTS) {
      throw badParameter(`(#100) Param requests must be an array with at most ${MAX_REQUESTS} elements`);
    }
    const checked: BatchRequest[] = requests.map((entry: unknown, index) => checkRequest(entry, index));
    const allowUpsert =
      params.allow_upsert === undefined
        ? true
        : params.allow_upsert !== false && params.allow_upsert !== "false";

    const handle = `Ac${randomBytes(18).toString("base64url")}`;
    const batch: Batch = {
      handle,
      requests: checked,
      allowUpsert,
      dueAt: Date.now() + processingDelayMs,
      finished: false,
      errors: [],
      warnings: [],
    };
    const validation = checked.map((request, line) => {
      const id = String(request.data.id);
      const errors =
        request.method === "DELETE"
          ? []
          : fieldProblems(request, held.has(id) && request.method === "UPDATE");
      for (const message of errors) batch.errors.push({ line, id, message });
      const warnings =
        typeof request.data.title === "string" && request.data.title.length > 100
          ? [{ message: "Title is longer than 100 characters and may be truncated." }]
          : [];
      for (const warning of warnings) batch.warnings.push({ line, id, message: warning.message });
      return { retailer_id: id, errors: errors.map((message) => ({ message })), warnings };
    });
    batches.set(handle, batch);
    return { status: 200, body: { handles: [handle], validation_status: validation }, headers: {} };
  }

  function checkRequest(entry: unknown, index: number): BatchRequest {
    if (typeof entry !== "object" || entry === null)
      throw badParameter(`(#100) Param requests[${index}] must be an object`);
    const { method, data } = entry as Record<string, unknown>;
    if (method !== "CREATE" && method !== "UPDATE" && method !== "DELETE") {
      throw badParameter(`(#100) Param requests[${index}][method] must be one of {CREATE, UPDATE, DELETE}`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw badParameter(`(#100) Param requests[${index}][data] must be an object`);
    }
    const id = (data as Record<string, unknown>).id;
    if (typeof id !== "string" || id.length === 0 || id.length > 100) {
      throw badParameter(
        `(#100) Param requests[${index}][data][id] must be a non-empty string of at most 100 characters`,
      );
    }
    return { method, data: data as Record<string, unknown> };
  }

  /** Field problems Meta reports per item: required fields on create, enum spellings, price form. */
  function fieldProblems(request: BatchRequest, updatesExisting: boolean): string[] {
    const data = request.data;
    const problems: string[] = [];
    if (!updatesExisting) {
      for (const field of REQUIRED_ON_CREATE) {
        if (data[field] === undefined || data[field] === "")
          problems.push(`A required field is missing: ${field}.`);
      }
      if (data.brand === undefined && data.gtin === undefined && data.mpn === undefined) {
        problems.push("A required field is missing: brand.");
      }
    }
    for (const [field, allowed] of [
      ["availability", AVAILABILITY],
      ["condition", CONDITION],
    ] as const) {
      const value = data[field];
      if (value !== undefined && (typeof value !== "string" || !allowed.has(value))) {
        problems.push(`Invalid value for ${field}: ${JSON.stringify(value)}.`);
      }
    }
    for (const field of ["price", "sale_price"]) {
      const value = data[field];
      if (value !== undefined && value !== "" && (typeof value !== "string" || !PRICE.test(value))) {
        problems.push(
          `Invalid price format for ${field}: expected a number and an ISO 4217 code, like 9.99 USD.`,
        );
      }
    }
    return problems;
  }

  function batchStatus(query: Record<string, string>): unknown {
    const handle = query.handle;
    if (!handle) throw badParameter("(#100) The parameter handle is required");
    const batch = batches.get(handle);
    if (!batch) throw badParameter(`(#100) Invalid handle: ${handle.slice(0, 12)}…`);
    const fields = (query.fields ?? "handle,status,errors,errors_total_count,warnings,warnings_total_count")
      .split(",")
      .map((field) => field.trim());
    const entry: Record<string, unknown> = {
      handle,
      status: batch.finished ? "finished" : "started",
    };
    if (batch.finished) {
      entry.errors = batch.errors;
      entry.errors_total_count = batch.errors.length;
      entry.warnings = batch.warnings;
      entry.warnings_total_count = batch.warnings.length;
      if (query.load_ids_of_invalid_requests === "true") {
        entry.ids_of_invalid_requests = [...new Set(batch.errors.map((error) => error.id))];
      }
    }
    const picked: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entry)) {
      if (fields.includes(name) || (name === "ids_of_invalid_requests" && value !== undefined))
        picked[name] = value;
    }
    return { data: [picked] };
  }

  function products(query: Record<string, string>, url: string): unknown {
    const limit = Math.min(Math.max(Number(query.limit ?? 25) || 25, 1), 1_000);
    const fields = (query.fields ?? "id").split(",").map((field) => field.trim());
    const matches = retailerFilter(query.filter);
    const all = [...held.entries()].filter(([key]) => matches(key));
    const start = query.after ? cursorIndex(query.after) : 0;
    const page = all.slice(start, start + limit);
    const data = page.map(([key, item]) => productFields(key, item, fields));
    const paging: Record<string, unknown> = {
      cursors: { before: cursorOf(start), after: cursorOf(start + page.length) },
    };
    if (start + page.length < all.length) {
      const next = new URL(url, "http://graph.local");
      next.searchParams.set("after", cursorOf(start + page.length));
      paging.next = `${simulator.url}${next.pathname}${next.search}`;
    }
    return { data, paging };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://graph.local");
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(request);
    let body: unknown;
    let status = 200;
    let answer: unknown;
    let headers: Record<string, string> = {};
    try {
      if (raw.length > MAX_BODY_BYTES) throw badParameter("(#100) The request body is larger than 28 MB");
      body = parseBody(raw, request.headers["content-type"]);
      const failure = failures.shift();
      if (failure) throw failureError(failure.status);
      // Commerce order management left every Graph version on 27 Oct 2026 (reference §0).
      if (
        /\/(commerce_orders|acknowledge_order|shipments|cancellations|refunds|commerce_returns)\b/.test(
          url.pathname,
        )
      ) {
        throw new GraphError(400, {
          message:
            "(#12) This endpoint has been removed: the Commerce Order Management API is no longer available.",
          type: "OAuthException",
          code: 12,
        });
      }
      const match = /^\/(v\d+\.\d+)\/([^/]+)\/([a-z_]+)$/.exec(url.pathname);
      if (!match)
        throw new GraphError(400, {
          message: `Unknown path components: ${url.pathname}`,
          type: "OAuthException",
          code: 2500,
        });
      authenticate(request, query, body);
      if (match[1] !== version) {
        throw new GraphError(400, {
          message: `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${version}.`,
          type: "OAuthException",
          code: 2635,
        });
      }
      if (match[2] !== catalogId) {
        throw new GraphError(400, {
          message: `Unsupported ${request.method === "POST" ? "post" : "get"} request. Object with ID '${match[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
        });
      }
      settle(Date.now());
      const route = `${request.method ?? "GET"} ${match[3]}`;
      if (route === "POST items_batch") {
        const refused = !quota.take(catalogId);
        headers = usageHeaders(refused);
        if (refused)
          throw new GraphError(
            400,
            { message: THROTTLE_MESSAGE, type: "OAuthException", code: 80014, is_transient: true },
            headers,
          );
        const result = itemsBatch(body);
        answer = result.body;
      } else if (route === "GET check_batch_request_status") {
        answer = batchStatus(query);
      } else if (route === "GET products") {
        answer = products(query, request.url ?? "/");
      } else {
        throw new GraphError(400, {
          message: `Unknown path components: /${match[3]}`,
          type: "OAuthException",
          code: 2500,
        });
      }
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      status = error.status;
      headers = { ...headers, ...error.headers };
      answer = { error: { ...error.body, fbtrace_id: randomBytes(8).toString("base64url") } };
    }
    response.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    response.end(JSON.stringify(answer));
    calls.push({ method: request.method ?? "GET", path: url.pathname, query, body, status, at: Date.now() });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      response.writeHead(500, { "content-type": "application/json; charset=UTF-8" });
      response.end(
        JSON.stringify({
          error: { message: "An unknown error has occurred.", type: "OAuthException", code: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;

  const simulator: MetaSimulator = {
    channel: "meta",
    url,
    catalogId,
    accessToken,
    accountSettings: {
      catalog_id: catalogId,
      graph_version: version,
      api_url: url,
      access_token_env: "OMNIFEED_META_ACCESS_TOKEN",
      ...(appSecret !== null && { app_secret_env: "OMNIFEED_META_APP_SECRET" }),
      poll_interval_ms: Math.max(10, Math.min(1_000, Math.round(processingDelayMs / 2))),
      ...(options.rateLimit && {
        rate_limit_per_second: options.rateLimit.perSecond,
        rate_limit_burst: options.rateLimit.burst,
      }),
    },
    env: {
      OMNIFEED_META_ACCESS_TOKEN: accessToken,
      ...(appSecret !== null && { OMNIFEED_META_APP_SECRET: appSecret }),
    },
    calls,
    resetCalls: () => void calls.splice(0),
    quota,
    failNext(count, status) {
      for (let index = 0; index < count; index += 1) failures.push({ status });
    },
    rejectItem(key, issue) {
      rejections.set(key, issue);
    },
    deleteItem(key) {
      settle(Date.now());
      held.delete(key);
    },
    setPrice(key, price) {
      settle(Date.now());
      const item = held.get(key);
      if (!item) throw new Error(`the Meta simulator holds no item ${key}`);
      item.fields.price = `${formatAmount({ amount: price.amountMinor, currency: price.currency })} ${price.currency}`;
    },
    disapprove(key, issue) {
      settle(Date.now());
      const item = held.get(key);
      if (!item) throw new Error(`the Meta simulator holds no item ${key}`);
      item.reviewStatus = "rejected";
      item.issues.push(issue);
    },
    items() {
      settle(Date.now());
      return new Map(held);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return simulator;
}

function badParameter(message: string): GraphError {
  return new GraphError(400, { message, type: "OAuthException", code: 100 });
}

function failureError(status: 429 | 500 | 502 | 503): GraphError {
  if (status === 429) {
    return new GraphError(429, {
      message: THROTTLE_MESSAGE,
      type: "OAuthException",
      code: 80014,
      is_transient: true,
    });
  }
  if (status === 500) {
    return new GraphError(500, {
      message: "An unknown error has occurred.",
      type: "OAuthException",
      code: 1,
      is_transient: true,
    });
  }
  return new GraphError(status, {
    message: "An unexpected error has occurred. Please retry your request later.",
    type: "OAuthException",
    code: 2,
    is_transient: true,
  });
}

/** Graph's read-back spelling of a product: `name`, `url`, `image_url`, a formatted price. */
function productFields(key: string, item: MetaSimItem, fields: readonly string[]): Record<string, unknown> {
  const source = item.fields;
  const price = readPrice(source.price);
  const all: Record<string, unknown> = {
    id: item.productId,
    retailer_id: key,
    name: source.title,
    description: source.description,
    availability: source.availability,
    condition: source.condition,
    brand: source.brand,
    url: source.link,
    image_url: source.image_link,
    price: price?.text,
    sale_price: readPrice(source.sale_price)?.text,
    currency: price?.currency,
    inventory: source.quantity_to_sell_on_facebook,
    review_status: item.reviewStatus,
    errors: item.issues.map((issue) => ({
      error_type: issue.code,
      title: issue.message,
      description: issue.attribute ? `${issue.message} (${issue.attribute})` : issue.message,
      error_priority: "HIGH",
    })),
  };
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (all[field] !== undefined) picked[field] = all[field];
  return picked;
}

const SYMBOLS: Readonly<Record<string, string>> = { USD: "$", EUR: "€", GBP: "£" };

/** `15.00 USD` as Graph shows it on read: `$15.00` with the currency in a field of its own. */
function readPrice(value: unknown): { text: string; currency: string } | undefined {
  if (typeof value !== "string") return undefined;
  const parsed = parseMoney(value, undefined);
  if (!parsed.ok) return undefined;
  const amount = formatAmount(parsed.money);
  const symbol = SYMBOLS[parsed.money.currency];
  return {
    text: symbol ? `${symbol}${amount}` : `${amount} ${parsed.money.currency}`,
    currency: parsed.money.currency,
  };
}

/** Graph's product filter, for the forms a reader needs: `eq`, `is_any`, and `or` of those. */
function retailerFilter(text: string | undefined): (key: string) => boolean {
  if (text === undefined) return () => true;
  const filter = parseJson(text);
  const test = (node: unknown): ((key: string) => boolean) => {
    if (typeof node !== "object" || node === null)
      throw badParameter("(#100) Param filter must be a JSON object");
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.or)) {
      const parts = record.or.map(test);
      return (key) => parts.some((part) => part(key));
    }
    const rule = record.retailer_id as Record<string, unknown> | undefined;
    if (rule && typeof rule.eq === "string") return (key) => key === rule.eq;
    if (rule && Array.isArray(rule.is_any)) {
      const keys = new Set(rule.is_any.map(String));
      return (key) => keys.has(key);
    }
    throw badParameter("(#100) Param filter has an unsupported rule");
  };
  return test(filter);
}

function cursorOf(index: number): string {
  return Buffer.from(`offset:${index}`).toString("base64url");
}

function cursorIndex(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw badParameter("(#100) Invalid cursor");
  return Number(match[1]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badParameter("(#100) Param must be valid JSON");
  }
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return parseJson(raw.toString("utf8"));
  if (type === "application/x-www-form-urlencoded")
    return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  throw badParameter(`(#100) Unsupported content type: ${type || "none"}`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
