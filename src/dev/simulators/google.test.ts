/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any --
   the tests read the simulator's JSON answers field by field, as a client of the wire format would */
import { createSign, generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startGoogleSimulator, type GoogleSimulator } from "./google.js";

const AUDIENCE = "https://oauth2.googleapis.com/token";
const SCOPE = "https://www.googleapis.com/auth/content";

let simulator: GoogleSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

function jwt(claims: Record<string, unknown>, privateKey: string, kid = "k1"): string {
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid })).toString("base64url");
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createSign("RSA-SHA256")
    .update(`${header}.${body}`)
    .sign(privateKey)
    .toString("base64url");
  return `${header}.${body}.${signature}`;
}

function claims(email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: email, scope: SCOPE, aud: AUDIENCE, iat: now, exp: now + 3600, ...overrides };
}

async function tokenCall(sim: GoogleSimulator, assertion: string): Promise<Response> {
  return fetch(`${sim.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
  });
}

async function token(sim: GoogleSimulator): Promise<string> {
  const key = sim.serviceAccountKey();
  const response = await tokenCall(sim, jwt(claims(key.client_email!), key.private_key!));
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

interface Api {
  (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function api(sim: GoogleSimulator): Promise<Api> {
  const bearer = await token(sim);
  return async (method, path, body) => {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HTML pages stay text.
    }
    return { status: response.status, body: parsed };
  };
}

const ACCOUNT = "/products/v1/accounts/123456789";
const DATA_SOURCE = "dataSource=accounts/123456789/dataSources/10987654321";

function input(offerId: string, price = "15000000"): Record<string, unknown> {
  return {
    offerId,
    contentLanguage: "en",
    feedLabel: "US",
    productAttributes: {
      title: `Tee ${offerId}`,
      availability: "IN_STOCK",
      price: { amountMicros: price, currencyCode: "USD" },
      salePrice: { amountMicros: "12000000", currencyCode: "USD" },
    },
  };
}

describe("Google Merchant API simulator: auth", () => {
  it("issues a token for a JWT signed by the service account's key, and refuses others", async () => {
    simulator = await startGoogleSimulator();
    const key = simulator.serviceAccountKey();
    expect(key.type).toBe("service_account");
    expect(key.private_key).toContain("BEGIN PRIVATE KEY");

    const good = await tokenCall(simulator, jwt(claims(key.client_email!), key.private_key!));
    const granted = (await good.json()) as Record<string, unknown>;
    expect(granted).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    expect(String(granted.access_token)).toMatch(/^ya29\./);

    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const forged = await tokenCall(simulator, jwt(claims(key.client_email!), stranger));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({
      error: "invalid_grant",
      error_description: "Invalid JWT Signature.",
    });

    const expired = await tokenCall(
      simulator,
      jwt(claims(key.client_email!, { iat: 1000, exp: 4600 }), key.private_key!),
    );
    expect(expired.status).toBe(400);
    const noScope = await tokenCall(
      simulator,
      jwt(claims(key.client_email!, { scope: "email" }), key.private_key!),
    );
    expect(((await noScope.json()) as { error: string }).error).toBe("invalid_scope");
    // The record never keeps the assertion.
    expect(JSON.stringify(simulator.calls)).not.toContain(key.private_key_id);
    expect(simulator.calls.every((call) => !JSON.stringify(call.body).includes("assertion"))).toBe(true);
  });

  it("answers 401 UNAUTHENTICATED without a token, with a bad one or an expired one", async () => {
    simulator = await startGoogleSimulator({ tokenLifetimeSeconds: 1 });
    const none = await fetch(`${simulator.url}${ACCOUNT}/products`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await none.json()) as { error: { status: string; code: number } }).error).toMatchObject({
      code: 401,
      status: "UNAUTHENTICATED",
    });
    const bad = await fetch(`${simulator.url}${ACCOUNT}/products`, {
      headers: { authorization: "Bearer ya29.nope" },
    });
    expect(bad.status).toBe(401);

    const call = await api(simulator);
    expect((await call("GET", `${ACCOUNT}/products`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call("GET", `${ACCOUNT}/products`)).status).toBe(401);
  });
});

describe("Google Merchant API simulator: products", () => {
  it("checks the request shape and answers 400 INVALID_ARGUMENT with Google's reason", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    const noOffer = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, {
      contentLanguage: "en",
      feedLabel: "US",
    });
    expect(noOffer.status).toBe(400);
    expect(noOffer.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(noOffer.body.error.details[0]).toMatchObject({
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      metadata: { REASON: "MISSING_OFFER_ID", FIELD_LOCATION: "product_input.offer_id" },
    });

    const noSource = await call("POST", `${ACCOUNT}/productInputs:insert`, input("A"));
    expect(noSource.body.error.message).toContain("data_source");
    const badPrice = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, {
      ...input("A"),
      productAttributes: { price: { amountMicros: "15.00", currencyCode: "USD" } },
    });
    expect(badPrice.status).toBe(400);
    expect(badPrice.body.error.details[0].metadata.FIELD_LOCATION).toBe(
      "product_attributes.price.amount_micros",
    );
    const feedEnum = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, {
      ...input("A"),
      productAttributes: { availability: "in stock" },
    });
    expect(feedEnum.status).toBe(400);
    const otherAccount = await call("GET", "/products/v1/accounts/999/products");
    expect(otherAccount.status).toBe(403);
    expect(otherAccount.body.error.status).toBe("PERMISSION_DENIED");
    expect(simulator.items().size).toBe(0);
  });

  it("shows an inserted product in products.* only after processing, with its status", async () => {
    simulator = await startGoogleSimulator({ processingDelayMs: 200 });
    const call = await api(simulator);
    const inserted = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("TS-RED-M"));
    expect(inserted.status).toBe(200);
    expect(inserted.body).toMatchObject({
      name: "accounts/123456789/productInputs/en~US~TS-RED-M",
      product: "accounts/123456789/products/en~US~TS-RED-M",
    });
    expect((await call("GET", `${ACCOUNT}/products/en~US~TS-RED-M`)).status).toBe(404);
    expect((await call("GET", `${ACCOUNT}/products`)).body.products).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const product = await call("GET", `${ACCOUNT}/products/en~US~TS-RED-M`);
    expect(product.status).toBe(200);
    expect(product.body.productAttributes.price).toEqual({ amountMicros: "15000000", currencyCode: "USD" });
    expect(product.body.productStatus.destinationStatuses[0].approvedCountries).toEqual(["US"]);
    expect(product.body.productStatus.itemLevelIssues).toEqual([]);
  });

  it("names offer ids holding / % ~ by unpadded base64url", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    const inserted = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("sku/123"));
    expect(inserted.body.product).toBe("accounts/123456789/products/ZW5-VVN-c2t1LzEyMw");
    expect((await call("GET", `${ACCOUNT}/products/ZW5-VVN-c2t1LzEyMw`)).status).toBe(200);
  });

  it("patches only the masked attributes and deletes a masked one absent from the body", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("A"));
    const noMask = await call("PATCH", `${ACCOUNT}/productInputs/en~US~A?${DATA_SOURCE}`, {
      productAttributes: {},
    });
    expect(noMask.status).toBe(400);
    const patched = await call(
      "PATCH",
      `${ACCOUNT}/productInputs/en~US~A?updateMask=price,salePrice&${DATA_SOURCE}`,
      {
        productAttributes: { price: { amountMicros: "9000000", currencyCode: "USD" } },
      },
    );
    expect(patched.status).toBe(200);
    const held = simulator.items().get("A")!.productAttributes;
    expect(held.price).toEqual({ amountMicros: "9000000", currencyCode: "USD" });
    expect(held.salePrice).toBeUndefined();
    expect(held.title).toBe("Tee A");
    const missing = await call("PATCH", `${ACCOUNT}/productInputs/en~US~B?updateMask=price&${DATA_SOURCE}`, {
      productAttributes: {},
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.status).toBe("NOT_FOUND");
  });

  it("pages products.list with pageSize (default 25, at most 1000) and pageToken", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    for (let index = 0; index < 30; index += 1) {
      await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input(`P${index}`));
    }
    const first = await call("GET", `${ACCOUNT}/products`);
    expect(first.body.products).toHaveLength(25);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await call("GET", `${ACCOUNT}/products?pageToken=${first.body.nextPageToken as string}`);
    expect(second.body.products).toHaveLength(5);
    expect(second.body.nextPageToken).toBeUndefined();
    const big = await call("GET", `${ACCOUNT}/products?pageSize=5000`);
    expect(big.body.products).toHaveLength(30);
    expect((await call("GET", `${ACCOUNT}/products?pageToken=garbage`)).status).toBe(400);
  });

  it("deletes a product input and its product", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("A"));
    const removed = await call("DELETE", `${ACCOUNT}/productInputs/en~US~A?${DATA_SOURCE}`);
    expect(removed).toEqual({ status: 200, body: {} });
    expect(simulator.items().has("A")).toBe(false);
    expect((await call("DELETE", `${ACCOUNT}/productInputs/en~US~A?${DATA_SOURCE}`)).status).toBe(404);
  });

  it("keeps local inventories per store", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("A"));
    const path = "/inventories/v1/accounts/123456789/products/en~US~A/localInventories";
    const stored = await call("POST", `${path}:insert`, {
      storeCode: "STORE-1",
      localInventoryAttributes: { availability: "IN_STOCK", quantity: "5" },
    });
    expect(stored.status).toBe(200);
    expect(
      (await call("POST", `${path}:insert`, { storeCode: "S", localInventoryAttributes: { quantity: 1.5 } }))
        .status,
    ).toBe(400);
    expect((await call("GET", path)).body.localInventories).toHaveLength(1);
    expect((await call("DELETE", `${path}/STORE-1`)).status).toBe(200);
    expect(simulator.items().get("A")!.localInventories.size).toBe(0);
  });
});

describe("Google Merchant API simulator: test controls", () => {
  it("answers 429 RESOURCE_EXHAUSTED with RetryInfo once the write quota is spent; reads are not counted", async () => {
    simulator = await startGoogleSimulator({ rateLimit: { perSecond: 1, burst: 2 } });
    const call = await api(simulator);
    expect((await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("A"))).status).toBe(
      200,
    );
    expect((await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("B"))).status).toBe(
      200,
    );
    expect((await call("GET", `${ACCOUNT}/products`)).status).toBe(200);
    const refused = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("C"));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    expect(refused.body.error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "1s",
    });
    expect(refused.body.error.details[0].metadata.REASON).toBe("quota/request_rate_too_high");
    expect(simulator.quota.stats).toMatchObject({ allowed: 2, refused: 1 });
    expect(simulator.items().has("C")).toBe(false);

    // A limit changed by a test: the RetryInfo follows it.
    simulator.quota.set({ perSecond: 4, burst: 1 });
    expect((await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("D"))).status).toBe(
      200,
    );
    const faster = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("E"));
    expect(faster.status).toBe(429);
    expect(faster.body.error.details[1]).toEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "0.25s",
    });
  });

  it("fails the next calls as told: Google's JSON for 429/500/503, the front end's HTML for 502", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    simulator.failNext(1, 503);
    simulator.failNext(1, 502);
    simulator.failNext(1, 500);
    const unavailable = await call("GET", `${ACCOUNT}/products`);
    expect(unavailable.body.error).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    const gateway = await call("GET", `${ACCOUNT}/products`);
    expect(gateway.status).toBe(502);
    expect(String(gateway.body)).toContain("Error 502");
    expect((await call("GET", `${ACCOUNT}/products`)).body.error.status).toBe("INTERNAL");
    expect((await call("GET", `${ACCOUNT}/products`)).status).toBe(200);
    expect(simulator.calls.map((recorded) => recorded.status)).toEqual([200, 503, 502, 500, 200]);
  });

  it("refuses a rejected item's writes, shows disapprovals, price and deletes made behind our back", async () => {
    simulator = await startGoogleSimulator();
    const call = await api(simulator);
    simulator.rejectItem("BAD", { code: "INVALID_GTIN", message: "Invalid GTIN value", attribute: "gtins" });
    const refused = await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("BAD"));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe("[gtins] Invalid GTIN value");
    expect(refused.body.error.details[0].metadata).toEqual({
      REASON: "INVALID_GTIN",
      FIELD_LOCATION: "product_input.product_attributes.gtins",
    });

    await call("POST", `${ACCOUNT}/productInputs:insert?${DATA_SOURCE}`, input("A"));
    simulator.setPrice("A", { amountMinor: 1999, currency: "USD" });
    simulator.disapprove("A", {
      code: "landing_page_error",
      message: "Unavailable landing page",
      attribute: "link",
    });
    const product = await call("GET", `${ACCOUNT}/products/en~US~A`);
    expect(product.body.productAttributes.price).toEqual({ amountMicros: "19990000", currencyCode: "USD" });
    expect(product.body.productStatus.itemLevelIssues[0]).toMatchObject({
      code: "landing_page_error",
      severity: "DISAPPROVED",
      attribute: "link",
      description: "Unavailable landing page",
    });
    expect(product.body.productStatus.destinationStatuses[0].disapprovedCountries).toEqual(["US"]);
    simulator.deleteItem("A");
    expect((await call("GET", `${ACCOUNT}/products/en~US~A`)).status).toBe(404);

    simulator.resetCalls();
    expect(simulator.calls).toEqual([]);
  });
});
