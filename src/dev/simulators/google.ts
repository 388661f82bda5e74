import { generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Quota } from "./quota.js";
import type { RecordedCall, RunningSimulator } from "./simulator.js";

export type { RecordedCall } from "./simulator.js";

/**
 * A local twin of the Google Merchant API v1 (products, inventories) and of Google's OAuth 2.0
 * token endpoint, following the wire format in ../shared/reference/google.md §4: service-account
 * JWT bearer grant, `productInputs` insert / patch (update mask) / delete into an API data source,
 * processed `products` get / list with item-level issues, `localInventories`, proto3 JSON (int64
 * as strings), `google.rpc.Status` error bodies and 429 RESOURCE_EXHAUSTED. Processing is
 * asynchronous as in the real API: an inserted input shows in `products.*` after a delay.
 */

/** The audience Google's token endpoint expects in the assertion (google-auth-library sets it). */
const GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token";
const CONTENT_SCOPE = "https://www.googleapis.com/auth/content";
const JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export const GOOGLE_SIMULATOR_MERCHANT_ID = "123456789";
export const GOOGLE_SIMULATOR_DATA_SOURCE = "10987654321";
const SERVICE_ACCOUNT_EMAIL = "omnifeed-sim@omnifeed-sim.iam.gserviceaccount.com";

export interface GoogleSimulatorOptions {
  host?: string;
  port?: number;
  /** Write calls (insert, patch, delete, localInventories) per second; `undefined`: no limit. */
  rateLimit?: { perSecond: number; burst: number } | undefined;
  /** How long after a write the processed product shows in `products.*` (default 0). */
  processingDelayMs?: number;
  /** Lifetime of issued access tokens (default 3599 s, as Google's). */
  tokenLifetimeSeconds?: number;
  merchantId?: string;
  dataSource?: string;
  feedLabel?: string;
  contentLanguage?: string;
}

export interface SimulatorIssue {
  code: string;
  message: string;
  attribute?: string;
}

/** A product the simulator holds: the last input, its local inventories, and its status. */
export interface SimulatedProduct {
  name: string;
  offerId: string;
  contentLanguage: string;
  feedLabel: string;
  dataSource: string;
  productAttributes: Record<string, unknown>;
  customAttributes: unknown[];
  localInventories: Map<string, Record<string, unknown>>;
  /** When the processed product shows in `products.*`. */
  visibleAt: number;
  creationDate: string;
  lastUpdateDate: string;
  /** Issues Google found after accepting the input (`disapprove`). */
  disapprovals: SimulatorIssue[];
}

export interface GoogleSimulator extends RunningSimulator {
  calls: RecordedCall[];
  resetCalls(): void;
  quota: Quota;
  /** The next `count` API calls fail with `status`, in Google's error shape (502: the front end's HTML). */
  failNext(count: number, status: 429 | 500 | 502 | 503): void;
  /** From now on a write of this offer id is refused with 400 INVALID_ARGUMENT naming the issue. */
  rejectItem(key: string, issue: SimulatorIssue): void;
  /** Removes the product behind omnifeed's back (as a merchant in the Merchant Center UI would). */
  deleteItem(key: string): void;
  /** Changes the product's price behind omnifeed's back. */
  setPrice(key: string, price: { amountMinor: number; currency: string }): void;
  /** The product, accepted earlier, now shows as disapproved with this issue. */
  disapprove(key: string, issue: SimulatorIssue): void;
  /** What the simulator holds, by offer id (omnifeed's item key). */
  items(): Map<string, SimulatedProduct>;
  /** The test service account's JSON key, to write to a file or an environment variable. */
  serviceAccountKey(): Record<string, string>;
  /** Access tokens issued so far. */
  readonly tokensIssued: number;
  /** Every token issued so far stops working (401), as when a key is rotated. */
  revokeTokens(): void;
}

/** The default port of `omnifeed dev simulators`. */
export const GOOGLE_SIMULATOR_PORT = 8641;

/** Environment variable the simulator's `env` puts the service-account key in. */
export const GOOGLE_SIMULATOR_CREDENTIALS_ENV = "OMNIFEED_GOOGLE_SIM_CREDENTIALS";

interface Route {
  method: string;
  pattern: RegExp;
  write: boolean;
  handle(request: ApiRequest, match: RegExpExecArray): Answer;
}

interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  contentType: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly rpcStatus: string,
    message: string,
    readonly reason?: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }
}

const MONEY_FIELDS = new Set([
  "price",
  "salePrice",
  "costOfGoodsSold",
  "autoPricingMinPrice",
  "maximumRetailPrice",
]);
const AVAILABILITY = new Set(["IN_STOCK", "OUT_OF_STOCK", "PREORDER", "BACKORDER", "LIMITED_AVAILABILITY"]);
const LOCAL_AVAILABILITY = new Set([
  "IN_STOCK",
  "LIMITED_AVAILABILITY",
  "ON_DISPLAY_TO_ORDER",
  "OUT_OF_STOCK",
]);
const CONDITION = new Set(["NEW", "USED", "REFURBISHED"]);

export async function startGoogleSimulator(options: GoogleSimulatorOptions = {}): Promise<GoogleSimulator> {
  const merchantId = options.merchantId ?? GOOGLE_SIMULATOR_MERCHANT_ID;
  const dataSourceId = options.dataSource ?? GOOGLE_SIMULATOR_DATA_SOURCE;
  const dataSourceName = `accounts/${merchantId}/dataSources/${dataSourceId}`;
  const processingDelayMs = options.processingDelayMs ?? 0;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3599;

  const keyPair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyId = randomBytes(20).toString("hex");
  const privateKeyPem = keyPair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicKey = keyPair.publicKey;

  const calls: RecordedCall[] = [];
  const quota = new Quota(options.rateLimit);
  // RetryInfo says when one token is back, so it follows a limit a test changes with `quota.set`.
  let rateLimit = options.rateLimit;
  const setQuota = quota.set.bind(quota);
  quota.set = (limit) => {
    rateLimit = limit;
    setQuota(limit);
  };
  const products = new Map<string, SimulatedProduct>();
  const rejections = new Map<string, SimulatorIssue>();
  const tokens = new Map<string, number>();
  let tokensIssued = 0;
  const failures: { status: 429 | 500 | 502 | 503 }[] = [];
  let url = "";

  // --- Products -----------------------------------------------------------------------------

  function checkAccount(account: string): void {
    if (!/^\d+$/.test(account)) {
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        `[name] Invalid account id: ${account}`,
        "INVALID_NAME_PART_NOT_NUMBER",
      );
    }
    if (account !== merchantId) {
      throw new ApiError(
        403,
        "PERMISSION_DENIED",
        `The caller does not have access to the accounts: [${account}]`,
        "PERMISSION_DENIED_ACCOUNTS",
      );
    }
  }

  function checkDataSource(query: URLSearchParams): void {
    const dataSource = query.get("dataSource");
    if (!dataSource) {
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        "[data_source] Required parameter: data_source",
        "MISSING_DATA_SOURCE",
      );
    }
    if (dataSource !== dataSourceName) {
      throw new ApiError(
        404,
        "NOT_FOUND",
        `Requested entity was not found: data source ${dataSource}`,
        "DATA_SOURCE_NOT_FOUND",
      );
    }
  }

  function requireJson(request: ApiRequest): Record<string, unknown> {
    if (!request.contentType.startsWith("application/json")) {
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        "Invalid JSON payload: expected Content-Type application/json",
      );
    }
    if (typeof request.body !== "object" || request.body === null || Array.isArray(request.body)) {
      throw new ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    return request.body as Record<string, unknown>;
  }

  /** `{product}` of a name: `en~US~SKU`, or its unpadded base64url when the offer id needs it. */
  function productIdOf(contentLanguage: string, feedLabel: string, offerId: string): string {
    const plain = `${contentLanguage}~${feedLabel}~${offerId}`;
    return /[/%~]/.test(offerId) ? Buffer.from(plain).toString("base64url") : plain;
  }

  function decodeProductId(id: string): { contentLanguage: string; feedLabel: string; offerId: string } {
    const plain = id.includes("~") ? id : Buffer.from(id, "base64url").toString("utf8");
    const [contentLanguage, feedLabel, ...rest] = plain.split("~");
    if (!contentLanguage || !feedLabel || rest.length === 0) {
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        `[name] Invalid product name: ${id}`,
        "INVALID_PRODUCT_NAME",
      );
    }
    return { contentLanguage, feedLabel, offerId: rest.join("~") };
  }

  function findProduct(account: string, id: string): SimulatedProduct {
    const { contentLanguage, feedLabel, offerId } = decodeProductId(decodeURIComponent(id));
    const product = products.get(offerId);
    if (!product || product.contentLanguage !== contentLanguage || product.feedLabel !== feedLabel) {
      throw new ApiError(404, "NOT_FOUND", `Requested entity was not found.`);
    }
    void account;
    return product;
  }

  function refuseIfRejected(offerId: string): void {
    const issue = rejections.get(offerId);
    if (!issue) return;
    const location = issue.attribute
      ? `product_input.product_attributes.${issue.attribute}`
      : "product_input";
    throw new ApiError(
      400,
      "INVALID_ARGUMENT",
      `[${issue.attribute ?? "product_input"}] ${issue.message}`,
      issue.code,
      { FIELD_LOCATION: location },
    );
  }

  function checkAttributes(attributes: Record<string, unknown>): void {
    for (const [field, value] of Object.entries(attributes)) {
      if (MONEY_FIELDS.has(field)) checkPrice(`product_attributes.${field}`, value);
      if (field === "shipping") {
        if (!Array.isArray(value)) throw invalid(`product_attributes.shipping`, "must be a list");
        value.forEach((group, index) => {
          const entry = group as Record<string, unknown>;
          if (typeof entry.country !== "string") {
            throw invalid(`product_attributes.shipping[${index}].country`, "Required parameter: country");
          }
          checkPrice(`product_attributes.shipping[${index}].price`, entry.price);
        });
      }
    }
    if (attributes.availability !== undefined && !AVAILABILITY.has(textOf(attributes.availability))) {
      throw invalid("product_attributes.availability", `Invalid value: ${textOf(attributes.availability)}`);
    }
    if (attributes.condition !== undefined && !CONDITION.has(textOf(attributes.condition))) {
      throw invalid("product_attributes.condition", `Invalid value: ${textOf(attributes.condition)}`);
    }
    if (attributes.gtin !== undefined) {
      throw invalid("product_attributes.gtin", 'Unknown name "gtin": use gtins');
    }
  }

  function insert(request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    checkDataSource(request.query);
    const body = requireJson(request);
    const offerId = body.offerId;
    if (typeof offerId !== "string" || offerId.trim() === "") {
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        "[offer_id] Required parameter: offer_id",
        "MISSING_OFFER_ID",
        {
          FIELD_LOCATION: "product_input.offer_id",
        },
      );
    }
    if (offerId.length > 50) throw invalid("product_input.offer_id", "Value too long, max 50 characters");
    if (typeof body.contentLanguage !== "string" || !/^[a-z]{2}$/.test(body.contentLanguage)) {
      throw invalid("product_input.content_language", "Required parameter: content_language");
    }
    if (typeof body.feedLabel !== "string" || !/^[A-Z0-9_-]{1,20}$/.test(body.feedLabel)) {
      throw invalid("product_input.feed_label", "Required parameter: feed_label");
    }
    if (
      body.productAttributes !== undefined &&
      (typeof body.productAttributes !== "object" || body.productAttributes === null)
    ) {
      throw invalid("product_input.product_attributes", "must be an object");
    }
    const attributes = (body.productAttributes ?? {}) as Record<string, unknown>;
    checkAttributes(attributes);
    refuseIfRejected(offerId);
    const now = Date.now();
    const existing = products.get(offerId);
    const product: SimulatedProduct = {
      name: `accounts/${account}/products/${productIdOf(body.contentLanguage, body.feedLabel, offerId)}`,
      offerId,
      contentLanguage: body.contentLanguage,
      feedLabel: body.feedLabel,
      dataSource: dataSourceName,
      productAttributes: structuredClone(attributes),
      customAttributes: Array.isArray(body.customAttributes) ? structuredClone(body.customAttributes) : [],
      localInventories: existing?.localInventories ?? new Map<string, Record<string, unknown>>(),
      visibleAt: existing && existing.visibleAt <= now ? existing.visibleAt : now + processingDelayMs,
      creationDate: existing?.creationDate ?? new Date(now).toISOString(),
      lastUpdateDate: new Date(now).toISOString(),
      disapprovals: [],
    };
    products.set(offerId, product);
    return { status: 200, body: inputView(product) };
  }

  function patch(request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    checkDataSource(request.query);
    const body = requireJson(request);
    const product = findInput(account, match[2]!);
    const mask = request.query.get("updateMask");
    if (!mask) throw invalid("update_mask", "Required parameter: update_mask");
    const attributes = (body.productAttributes ?? {}) as Record<string, unknown>;
    checkAttributes(attributes);
    refuseIfRejected(product.offerId);
    for (const path of mask.split(",")) {
      const field = camelOf(
        path
          .trim()
          .replace(/^product_attributes\./, "")
          .replace(/^productAttributes\./, ""),
      );
      if (field === "*" || field === "") throw invalid("update_mask", `Invalid update mask path: ${path}`);
      if (field.startsWith("customAttribute.") || field.startsWith("custom_attribute.")) continue;
      // A masked attribute absent from the body is deleted.
      if (attributes[field] === undefined) delete product.productAttributes[field];
      else product.productAttributes[field] = structuredClone(attributes[field]);
    }
    product.lastUpdateDate = new Date().toISOString();
    return { status: 200, body: inputView(product) };
  }

  function findInput(account: string, id: string): SimulatedProduct {
    return findProduct(account, id);
  }

  function remove(request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    checkDataSource(request.query);
    const product = findInput(account, match[2]!);
    products.delete(product.offerId);
    return { status: 200, body: {} };
  }

  function getProduct(_request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    const product = findProduct(account, match[2]!);
    if (product.visibleAt > Date.now())
      throw new ApiError(404, "NOT_FOUND", "Requested entity was not found.");
    return { status: 200, body: productView(product) };
  }

  function listProducts(request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    const sizeText = request.query.get("pageSize");
    let pageSize = 25;
    if (sizeText !== null) {
      pageSize = Number(sizeText);
      if (!Number.isInteger(pageSize) || pageSize < 0)
        throw invalid("page_size", `Invalid value: ${sizeText}`);
      pageSize = pageSize === 0 ? 25 : Math.min(pageSize, 1000);
    }
    let offset = 0;
    const token = request.query.get("pageToken");
    if (token) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
      if (!decoded) throw invalid("page_token", "Invalid page token");
      offset = Number(decoded[1]);
    }
    const now = Date.now();
    const visible = [...products.values()].filter((product) => product.visibleAt <= now);
    const page = visible.slice(offset, offset + pageSize);
    const next =
      offset + pageSize < visible.length
        ? Buffer.from(`offset:${offset + pageSize}`).toString("base64url")
        : undefined;
    return {
      status: 200,
      body: { products: page.map(productView), ...(next ? { nextPageToken: next } : {}) },
    };
  }

  function insertLocal(request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    const body = requireJson(request);
    const product = findProduct(account, match[2]!);
    if (typeof body.storeCode !== "string" || body.storeCode === "") {
      throw invalid("local_inventory.store_code", "Required parameter: store_code");
    }
    const attributes = (body.localInventoryAttributes ?? {}) as Record<string, unknown>;
    if (attributes.availability !== undefined && !LOCAL_AVAILABILITY.has(textOf(attributes.availability))) {
      throw invalid("local_inventory.availability", `Invalid value: ${textOf(attributes.availability)}`);
    }
    if (attributes.quantity !== undefined && !/^\d+$/.test(textOf(attributes.quantity))) {
      throw invalid("local_inventory.quantity", `Invalid value: ${textOf(attributes.quantity)}`);
    }
    if (attributes.price !== undefined) checkPrice("local_inventory.price", attributes.price);
    const name = `${product.name}/localInventories/${body.storeCode}`;
    const stored = {
      name,
      account,
      storeCode: body.storeCode,
      localInventoryAttributes: structuredClone(attributes),
    };
    product.localInventories.set(body.storeCode, stored);
    return { status: 200, body: stored };
  }

  function listLocal(_request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    const product = findProduct(account, match[2]!);
    return { status: 200, body: { localInventories: [...product.localInventories.values()] } };
  }

  function deleteLocal(_request: ApiRequest, match: RegExpExecArray): Answer {
    const account = match[1]!;
    checkAccount(account);
    const product = findProduct(account, match[2]!);
    if (!product.localInventories.delete(decodeURIComponent(match[3]!))) {
      throw new ApiError(404, "NOT_FOUND", "Requested entity was not found.");
    }
    return { status: 200, body: {} };
  }

  function inputView(product: SimulatedProduct): Record<string, unknown> {
    const id = productIdOf(product.contentLanguage, product.feedLabel, product.offerId);
    return {
      name: `accounts/${merchantId}/productInputs/${id}`,
      base64EncodedName: Buffer.from(
        `${product.contentLanguage}~${product.feedLabel}~${product.offerId}`,
      ).toString("base64url"),
      product: product.name,
      offerId: product.offerId,
      contentLanguage: product.contentLanguage,
      feedLabel: product.feedLabel,
      productAttributes: product.productAttributes,
      customAttributes: product.customAttributes,
    };
  }

  function productView(product: SimulatedProduct): Record<string, unknown> {
    const disapproved = product.disapprovals.length > 0;
    const country = product.feedLabel.length === 2 ? product.feedLabel : "US";
    return {
      name: product.name,
      base64EncodedName: Buffer.from(
        `${product.contentLanguage}~${product.feedLabel}~${product.offerId}`,
      ).toString("base64url"),
      offerId: product.offerId,
      contentLanguage: product.contentLanguage,
      feedLabel: product.feedLabel,
      dataSource: product.dataSource,
      legacyLocal: false,
      productAttributes: product.productAttributes,
      customAttributes: product.customAttributes,
      productStatus: {
        destinationStatuses: [
          {
            reportingContext: "SHOPPING_ADS",
            approvedCountries: disapproved ? [] : [country],
            pendingCountries: [],
            disapprovedCountries: disapproved ? [country] : [],
          },
        ],
        itemLevelIssues: product.disapprovals.map((issue) => ({
          code: issue.code,
          severity: "DISAPPROVED",
          resolution: "merchant_action",
          ...(issue.attribute ? { attribute: issue.attribute } : {}),
          reportingContext: "SHOPPING_ADS",
          description: issue.message,
          detail: issue.message,
          documentation: "https://support.google.com/merchants/answer/6098155",
          applicableCountries: [country],
        })),
        creationDate: product.creationDate,
        lastUpdateDate: product.lastUpdateDate,
        googleExpirationDate: new Date(Date.parse(product.lastUpdateDate) + 30 * 86_400_000).toISOString(),
      },
    };
  }

  const productsBase = String.raw`^/products/v1/accounts/([^/]+)`;
  const routes: Route[] = [
    {
      method: "POST",
      pattern: new RegExp(`${productsBase}/productInputs:insert$`),
      write: true,
      handle: insert,
    },
    {
      method: "PATCH",
      pattern: new RegExp(`${productsBase}/productInputs/([^/:]+)$`),
      write: true,
      handle: patch,
    },
    {
      method: "DELETE",
      pattern: new RegExp(`${productsBase}/productInputs/([^/:]+)$`),
      write: true,
      handle: remove,
    },
    { method: "GET", pattern: new RegExp(`${productsBase}/products$`), write: false, handle: listProducts },
    {
      method: "GET",
      pattern: new RegExp(`${productsBase}/products/([^/:]+)$`),
      write: false,
      handle: getProduct,
    },
    {
      method: "POST",
      pattern: /^\/inventories\/v1\/accounts\/([^/]+)\/products\/([^/:]+)\/localInventories:insert$/,
      write: true,
      handle: insertLocal,
    },
    {
      method: "GET",
      pattern: /^\/inventories\/v1\/accounts\/([^/]+)\/products\/([^/:]+)\/localInventories$/,
      write: false,
      handle: listLocal,
    },
    {
      method: "DELETE",
      pattern: /^\/inventories\/v1\/accounts\/([^/]+)\/products\/([^/:]+)\/localInventories\/([^/:]+)$/,
      write: true,
      handle: deleteLocal,
    },
  ];

  // --- Token endpoint -------------------------------------------------------------------------

  function issueToken(form: URLSearchParams): Answer {
    const oauthError = (error: string, description: string): Answer => ({
      status: 400,
      body: { error, error_description: description },
    });
    if (form.get("grant_type") !== JWT_GRANT)
      return oauthError("unsupported_grant_type", "Invalid grant_type.");
    const assertion = form.get("assertion") ?? "";
    const [headerPart, claimsPart, signaturePart] = assertion.split(".");
    if (!headerPart || !claimsPart || !signaturePart) return oauthError("invalid_request", "Invalid JWT.");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(claimsPart, "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
      return oauthError("invalid_request", "Invalid JWT.");
    }
    if (header.alg !== "RS256") return oauthError("invalid_grant", "Invalid JWT: unsupported algorithm.");
    const signed = verify(
      "RSA-SHA256",
      Buffer.from(`${headerPart}.${claimsPart}`),
      publicKey,
      Buffer.from(signaturePart, "base64url"),
    );
    if (!signed || claims.iss !== SERVICE_ACCOUNT_EMAIL) {
      return oauthError("invalid_grant", "Invalid JWT Signature.");
    }
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE && claims.aud !== `${url}/token`) {
      return oauthError(
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now || iat > now + 300 || exp - iat > 3600) {
      return oauthError(
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
      );
    }
    const scopes = textOf(claims.scope ?? "").split(" ");
    if (!scopes.includes(CONTENT_SCOPE))
      return oauthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    const token = `ya29.sim-${randomBytes(24).toString("base64url")}`;
    tokens.set(token, Date.now() + tokenLifetime * 1000);
    tokensIssued += 1;
    return { status: 200, body: { access_token: token, expires_in: tokenLifetime, token_type: "Bearer" } };
  }

  function authorised(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) return false;
    const expires = tokens.get(match[1]!);
    return expires !== undefined && expires > Date.now();
  }

  // --- HTTP -----------------------------------------------------------------------------------

  async function answer(request: IncomingMessage): Promise<{ answer: Answer; body: unknown; raw?: string }> {
    const target = new URL(request.url ?? "/", "http://simulator");
    const method = request.method ?? "GET";
    const text = await readBody(request);
    const contentType = String(request.headers["content-type"] ?? "");

    if (target.pathname === "/token" && method === "POST") {
      if (!contentType.startsWith("application/x-www-form-urlencoded")) {
        return {
          answer: { status: 400, body: { error: "invalid_request", error_description: "Bad Request" } },
          body: undefined,
        };
      }
      const form = new URLSearchParams(text);
      // The assertion is a credential: the record keeps the grant type only.
      return { answer: issueToken(form), body: { grant_type: form.get("grant_type") } };
    }

    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return {
          answer: rpcError(new ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")),
          body: text,
        };
      }
    }
    const failure = failures.shift();
    if (failure) return { ...failureAnswer(failure.status), body };

    if (!authorised(request)) {
      return {
        answer: {
          ...rpcError(
            new ApiError(
              401,
              "UNAUTHENTICATED",
              "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
              "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            ),
          ),
          headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
        },
        body,
      };
    }
    const path = target.pathname;
    const candidates = routes.filter((route) => route.pattern.test(path));
    if (candidates.length === 0) {
      return {
        answer: rpcError(
          new ApiError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`),
        ),
        body,
      };
    }
    const route = candidates.find((candidate) => candidate.method === method);
    if (!route) {
      return {
        answer: rpcError(new ApiError(405, "INVALID_ARGUMENT", `Method ${method} not allowed for ${path}`)),
        body,
      };
    }
    if (route.write && !quota.take(merchantId)) {
      return {
        answer: rpcError(
          new ApiError(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute' of service 'merchantapi.googleapis.com'.",
            "quota/request_rate_too_high",
          ),
          // RetryInfo is a protobuf Duration: the time one token takes to come back, to the ms.
          rateLimit ? Math.max(0.001, Number((1 / rateLimit.perSecond).toFixed(3))) : 1,
        ),
        body,
      };
    }
    try {
      return {
        answer: route.handle(
          { method, path, query: target.searchParams, body, contentType },
          route.pattern.exec(path)!,
        ),
        body,
      };
    } catch (error) {
      if (error instanceof ApiError) return { answer: rpcError(error), body };
      throw error;
    }
  }

  const server = createServer((request, response) => {
    const started = Date.now();
    answer(request).then(
      ({ answer: result, body }) => {
        const target = new URL(request.url ?? "/", "http://simulator");
        calls.push({
          method: request.method ?? "GET",
          path: decodeURIComponent(target.pathname),
          query: Object.fromEntries(target.searchParams),
          body,
          status: result.status,
          at: started,
        });
        send(response, result);
      },
      () => send(response, rpcError(new ApiError(500, "INTERNAL", "Internal error encountered."))),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  const serviceAccountKey = (): Record<string, string> => ({
    type: "service_account",
    project_id: "omnifeed-sim",
    private_key_id: privateKeyId,
    private_key: privateKeyPem,
    client_email: SERVICE_ACCOUNT_EMAIL,
    client_id: "100000000000000000001",
    token_uri: `${url}/token`,
  });

  return {
    channel: "google",
    url,
    accountSettings: {
      merchant_id: merchantId,
      data_source: dataSourceId,
      feed_label: options.feedLabel ?? "US",
      language: options.contentLanguage ?? "en",
      api_url: url,
      token_url: `${url}/token`,
      credentials_env: GOOGLE_SIMULATOR_CREDENTIALS_ENV,
      ...(options.rateLimit
        ? { rate_limit_per_second: options.rateLimit.perSecond, rate_limit_burst: options.rateLimit.burst }
        : {}),
    },
    env: { [GOOGLE_SIMULATOR_CREDENTIALS_ENV]: JSON.stringify(serviceAccountKey()) },
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    quota,
    failNext: (count, status) => {
      for (let index = 0; index < count; index += 1) failures.push({ status });
    },
    rejectItem: (key, issue) => {
      rejections.set(key, issue);
    },
    deleteItem: (key) => {
      products.delete(key);
    },
    setPrice: (key, price) => {
      const product = products.get(key);
      if (!product) throw new Error(`the simulator holds no product ${key}`);
      product.productAttributes.price = {
        amountMicros: String(BigInt(price.amountMinor) * 10n ** BigInt(6 - minorDigits(price.currency))),
        currencyCode: price.currency,
      };
    },
    disapprove: (key, issue) => {
      const product = products.get(key);
      if (!product) throw new Error(`the simulator holds no product ${key}`);
      product.disapprovals.push(issue);
    },
    items: () => new Map(products),
    serviceAccountKey,
    revokeTokens: () => {
      tokens.clear();
    },
    get tokensIssued() {
      return tokensIssued;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function invalid(location: string, message: string): ApiError {
  const field = location.split(".").pop() ?? location;
  return new ApiError(400, "INVALID_ARGUMENT", `[${field}] ${message}`, "INVALID_ARGUMENT", {
    FIELD_LOCATION: location,
  });
}

function checkPrice(location: string, value: unknown): void {
  const price = value as { amountMicros?: unknown; currencyCode?: unknown } | undefined;
  if (typeof price !== "object" || price === null) throw invalid(location, "must be a Price");
  const micros = price.amountMicros;
  if (!((typeof micros === "string" && /^-?\d+$/.test(micros)) || Number.isInteger(micros))) {
    throw invalid(`${location}.amount_micros`, `Invalid value: ${String(micros)}`);
  }
  if (typeof price.currencyCode !== "string" || !/^[A-Z]{3}$/.test(price.currencyCode)) {
    throw invalid(`${location}.currency_code`, "Required parameter: currency_code");
  }
}

function camelOf(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

// Minor-unit digits of the currencies the tests use; the rest have two.
function minorDigits(currency: string): number {
  return ["JPY", "KRW", "VND", "CLP", "ISK"].includes(currency)
    ? 0
    : ["BHD", "KWD", "JOD", "OMR", "TND"].includes(currency)
      ? 3
      : 2;
}

function rpcError(error: ApiError, retryAfterSeconds?: number): Answer {
  const details: unknown[] = [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: error.reason ?? error.rpcStatus,
      domain: "merchantapi.googleapis.com",
      metadata: { ...(error.reason ? { REASON: error.reason } : {}), ...error.metadata },
    },
  ];
  if (retryAfterSeconds !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: `${retryAfterSeconds}s`,
    });
  }
  return {
    status: error.status,
    body: { error: { code: error.status, message: error.message, status: error.rpcStatus, details } },
  };
}

function failureAnswer(status: 429 | 500 | 502 | 503): { answer: Answer; raw?: string } {
  switch (status) {
    case 429:
      return {
        answer: rpcError(
          new ApiError(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Write requests'.",
            "quota/request_rate_too_high",
          ),
          1,
        ),
      };
    case 500:
      return { answer: rpcError(new ApiError(500, "INTERNAL", "Internal error encountered.")) };
    case 502:
      // Google's front end answers a bad gateway with its HTML page, not JSON.
      return {
        answer: {
          status: 502,
          body: "<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> That’s an error.",
          headers: { "content-type": "text/html; charset=UTF-8" },
        },
      };
    case 503:
      return { answer: rpcError(new ApiError(503, "UNAVAILABLE", "The service is currently unavailable.")) };
  }
}

function send(response: ServerResponse, answer: Answer): void {
  const isText = typeof answer.body === "string";
  const payload = isText ? (answer.body as string) : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    "content-type": isText ? "text/html; charset=UTF-8" : "application/json; charset=UTF-8",
    ...answer.headers,
  });
  response.end(payload);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

// A request value as text for a message (JSON for objects).
function textOf(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
