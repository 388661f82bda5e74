import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import type { AmazonSimulator, AmazonSimulatorOptions } from "./amazon.js";
import {
  AMAZON_SIMULATOR_CREDENTIALS,
  AMAZON_SIMULATOR_MARKETPLACE_ID,
  AMAZON_SIMULATOR_SELLER_ID,
  startAmazonSimulator,
} from "./amazon.js";

/** The simulator's own behaviour, spoken to with plain fetch (no omnifeed client in the loop). */

let simulator: AmazonSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: AmazonSimulatorOptions = {}): Promise<AmazonSimulator> {
  simulator = await startAmazonSimulator({ port: 0, ...options });
  return simulator;
}

const CREDENTIAL_FORM = {
  grant_type: "refresh_token",
  refresh_token: AMAZON_SIMULATOR_CREDENTIALS.refreshToken,
  client_id: AMAZON_SIMULATOR_CREDENTIALS.clientId,
  client_secret: AMAZON_SIMULATOR_CREDENTIALS.clientSecret,
};

async function tokenOf(sim: AmazonSimulator): Promise<string> {
  const response = await fetch(`${sim.url}/auth/o2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
    body: new URLSearchParams(CREDENTIAL_FORM).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const itemUrl = (
  sim: AmazonSimulator,
  sku: string,
  query = `marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}`,
) => `${sim.url}/listings/2021-08-01/items/${AMAZON_SIMULATOR_SELLER_ID}/${encodeURIComponent(sku)}?${query}`;

const LISTING = {
  productType: "HOME",
  requirements: "LISTING",
  attributes: {
    item_name: [{ value: "Mug", language_tag: "en_US", marketplace_id: AMAZON_SIMULATOR_MARKETPLACE_ID }],
    purchasable_offer: [
      {
        marketplace_id: AMAZON_SIMULATOR_MARKETPLACE_ID,
        currency: "USD",
        audience: "ALL",
        our_price: [{ schedule: [{ value_with_tax: 15 }] }],
      },
    ],
    fulfillment_availability: [{ fulfillment_channel_code: "DEFAULT", quantity: 7 }],
  },
};

async function call(
  token: string | undefined,
  method: string,
  url: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { "x-amz-access-token": token } : {}),
      ...(body !== undefined ? { "content-type": contentType } : {}),
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  };
}

describe("Amazon simulator: Login with Amazon", () => {
  it("issues short-lived Atza| tokens for the refresh grant, by form or JSON", async () => {
    const sim = await start({ tokenLifetimeSeconds: 3600 });
    const form = await fetch(`${sim.url}/auth/o2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams(CREDENTIAL_FORM).toString(),
    });
    const issued = (await form.json()) as Record<string, unknown>;
    expect(issued).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(String(issued.access_token)).toMatch(/^Atza\|/);
    const json = await call(undefined, "POST", `${sim.url}/auth/o2/token`, CREDENTIAL_FORM);
    expect(json.status).toBe(200);
  });

  it("answers invalid_client for a bad secret and invalid_grant for a bad refresh token", async () => {
    const sim = await start();
    const badSecret = await call(undefined, "POST", `${sim.url}/auth/o2/token`, {
      ...CREDENTIAL_FORM,
      client_secret: "wrong",
    });
    expect(badSecret).toMatchObject({
      status: 401,
      body: { error: "invalid_client", error_description: "Client authentication failed" },
    });
    const badGrant = await call(undefined, "POST", `${sim.url}/auth/o2/token`, {
      ...CREDENTIAL_FORM,
      refresh_token: "Atzr|other",
    });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses calls without a token, with a made-up one, and after revocation, as SP-API does (403 Unauthorized)", async () => {
    const sim = await start();
    const unauthorized = {
      status: 403,
      body: { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied." }] },
    };
    expect(await call(undefined, "GET", itemUrl(sim, "A"))).toMatchObject(unauthorized);
    expect(await call("Atza|made-up", "GET", itemUrl(sim, "A"))).toMatchObject(unauthorized);
    const token = await tokenOf(sim);
    expect((await call(token, "GET", itemUrl(sim, "A"))).status).toBe(404);
    sim.revokeTokens();
    expect(await call(token, "GET", itemUrl(sim, "A"))).toMatchObject(unauthorized);
  });

  it("expires tokens after their lifetime", async () => {
    const sim = await start({ tokenLifetimeSeconds: 0.05 });
    const token = await tokenOf(sim);
    await sleep(80);
    const answer = await call(token, "GET", itemUrl(sim, "A"));
    expect(answer.status).toBe(403);
    expect(JSON.stringify(answer.body)).toContain("expired");
  });
});

describe("Amazon simulator: Listings Items API", () => {
  it("creates, patches, reads and deletes a listing, recording every call", async () => {
    const sim = await start({ rateLimit: { perSecond: 5, burst: 10 } });
    const token = await tokenOf(sim);
    const put = await call(token, "PUT", itemUrl(sim, "MUG/1"), LISTING);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ sku: "MUG/1", status: "ACCEPTED", issues: [] });
    // The rate of its quota; a simulator without one reports none.
    expect(put.headers.get("x-amzn-ratelimit-limit")).toBe("5");
    sim.quota.set(undefined);
    const again = await call(token, "PUT", itemUrl(sim, "MUG/1"), LISTING);
    expect(again.headers.get("x-amzn-ratelimit-limit")).toBeNull();
    expect(sim.items().get("MUG/1")?.attributes).toEqual(LISTING.attributes);

    const patch = await call(token, "PATCH", itemUrl(sim, "MUG/1"), {
      productType: "HOME",
      patches: [
        {
          op: "replace",
          path: "/attributes/fulfillment_availability",
          value: [{ fulfillment_channel_code: "DEFAULT", quantity: 2 }],
        },
      ],
    });
    expect(patch.body).toMatchObject({ status: "ACCEPTED" });
    const read = await call(
      token,
      "GET",
      itemUrl(
        sim,
        "MUG/1",
        `marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&includedData=summaries,offers,fulfillmentAvailability`,
      ),
    );
    expect(read.body).toMatchObject({
      sku: "MUG/1",
      summaries: [{ productType: "HOME", status: ["BUYABLE", "DISCOVERABLE"], itemName: "Mug" }],
      offers: [{ offerType: "B2C", price: { currencyCode: "USD", amount: "15" } }],
      fulfillmentAvailability: [{ fulfillmentChannelCode: "DEFAULT", quantity: 2 }],
    });
    expect(await call(token, "DELETE", itemUrl(sim, "MUG/1"))).toMatchObject({
      status: 200,
      body: { status: "ACCEPTED" },
    });
    expect(sim.items().has("MUG/1")).toBe(false);
    expect(sim.calls.map((recorded) => `${recorded.method} ${recorded.status}`)).toEqual([
      "POST 200",
      "PUT 200",
      "PUT 200",
      "PATCH 200",
      "GET 200",
      "DELETE 200",
    ]);
    expect(sim.calls[1]).toMatchObject({
      path: `/listings/2021-08-01/items/${AMAZON_SIMULATOR_SELLER_ID}/MUG%2F1`,
      query: { marketplaceIds: AMAZON_SIMULATOR_MARKETPLACE_ID },
      body: LISTING,
    });
  });

  it("answers 400 InvalidInput for a missing marketplace, a bad body or a bad patch path, 415 for non-JSON", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const invalid = { status: 400, body: { errors: [{ code: "InvalidInput", message: "Invalid Input" }] } };
    expect(await call(token, "PUT", itemUrl(sim, "A", ""), LISTING)).toMatchObject(invalid);
    expect(await call(token, "PUT", itemUrl(sim, "A"), { ...LISTING, productType: undefined })).toMatchObject(
      invalid,
    );
    expect(
      await call(token, "PUT", itemUrl(sim, "A"), { ...LISTING, attributes: { item_name: "x" } }),
    ).toMatchObject(invalid);
    expect(
      await call(token, "PATCH", itemUrl(sim, "A"), {
        productType: "HOME",
        patches: [{ op: "replace", path: "/price", value: [] }],
      }),
    ).toMatchObject(invalid);
    expect((await call(token, "PUT", itemUrl(sim, "A"), JSON.stringify(LISTING), "text/plain")).status).toBe(
      415,
    );
    expect(sim.items().size).toBe(0);
  });

  it("refuses a rejected SKU as Amazon does: status INVALID with ERROR issues", async () => {
    const sim = await start();
    sim.rejectItem("BAD-1", {
      code: "90220",
      message: "'condition_type' is required but not supplied.",
      attribute: "condition_type",
    });
    const token = await tokenOf(sim);
    const put = await call(token, "PUT", itemUrl(sim, "BAD-1"), LISTING);
    expect(put.body).toMatchObject({
      sku: "BAD-1",
      status: "INVALID",
      issues: [
        {
          code: "90220",
          message: "'condition_type' is required but not supplied.",
          severity: "ERROR",
          attributeNames: ["condition_type"],
        },
      ],
    });
    expect(sim.items().has("BAD-1")).toBe(false);
  });

  it("validates without persisting in VALIDATION_PREVIEW mode", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const preview = await call(
      token,
      "PUT",
      itemUrl(sim, "A", `marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&mode=VALIDATION_PREVIEW`),
      LISTING,
    );
    expect(preview.body).toMatchObject({ status: "VALID" });
    expect(sim.items().size).toBe(0);
  });

  it("processes accepted submissions asynchronously: no status until processed", async () => {
    const sim = await start({ processingDelayMs: 60 });
    const token = await tokenOf(sim);
    await call(token, "PUT", itemUrl(sim, "SLOW"), LISTING);
    const url = itemUrl(
      sim,
      "SLOW",
      `marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&includedData=summaries`,
    );
    expect(
      ((await call(token, "GET", url)).body as { summaries: { status: string[] }[] }).summaries[0]!.status,
    ).toEqual([]);
    await sleep(100);
    expect(
      ((await call(token, "GET", url)).body as { summaries: { status: string[] }[] }).summaries[0]!.status,
    ).toEqual(["BUYABLE", "DISCOVERABLE"]);
  });

  it("pages searchListingsItems by pageToken, at most 20 a page", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    for (let index = 0; index < 45; index += 1) {
      await call(token, "PUT", itemUrl(sim, `SKU-${String(index).padStart(2, "0")}`), LISTING);
    }
    const base = `${sim.url}/listings/2021-08-01/items/${AMAZON_SIMULATOR_SELLER_ID}?marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&pageSize=20`;
    const skus: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = (await call(token, "GET", pageToken ? `${base}&pageToken=${pageToken}` : base)).body as {
        numberOfResults: number;
        pagination?: { nextToken?: string };
        items: { sku: string }[];
      };
      expect(page.numberOfResults).toBe(45);
      skus.push(...page.items.map((item) => item.sku));
      pageToken = page.pagination?.nextToken;
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(new Set(skus).size).toBe(45);
    expect((await call(token, "GET", base.replace("pageSize=20", "pageSize=21"))).status).toBe(400);
  });

  it("sorts searches as asked, filters by createdAfter, and pages through at most the cap", async () => {
    const sim = await start({ searchCap: 5 });
    const token = await tokenOf(sim);
    for (const sku of ["C", "A", "B", "E", "D", "F", "G"]) {
      await call(token, "PUT", itemUrl(sim, sku), LISTING);
      await sleep(2);
    }
    const base = `${sim.url}/listings/2021-08-01/items/${AMAZON_SIMULATOR_SELLER_ID}?marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&pageSize=20`;
    type Page = {
      numberOfResults: number;
      pagination?: { nextToken?: string };
      items: { sku: string; summaries: { createdDate: string }[] }[];
    };
    const bySku = (await call(token, "GET", `${base}&sortBy=sku&sortOrder=ASC&includedData=summaries`))
      .body as Page;
    expect(bySku.numberOfResults).toBe(7);
    expect(bySku.items.map((item) => item.sku)).toEqual(["A", "B", "C", "D", "E"]);
    expect(bySku.pagination).toBeUndefined();
    const byCreation = (
      await call(token, "GET", `${base}&sortBy=createdDate&sortOrder=ASC&includedData=summaries`)
    ).body as Page;
    expect(byCreation.items.map((item) => item.sku)).toEqual(["C", "A", "B", "E", "D"]);
    const after = byCreation.items[4]!.summaries[0]!.createdDate;
    const rest = (await call(token, "GET", `${base}&sortBy=createdDate&sortOrder=ASC&createdAfter=${after}`))
      .body as Page;
    expect(rest.items.map((item) => item.sku)).toEqual(["D", "F", "G"]);
    expect((await call(token, "GET", `${base}&sortBy=price`)).status).toBe(400);
  });

  it("shows changes made behind our back: deleted, repriced, disapproved", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    for (const sku of ["GONE", "PRICE", "SUPPRESSED"]) await call(token, "PUT", itemUrl(sim, sku), LISTING);
    sim.deleteItem("GONE");
    sim.setPrice("PRICE", { amountMinor: 1299, currency: "USD" });
    sim.disapprove("SUPPRESSED", { code: "18027", message: "Pricing error", attribute: "purchasable_offer" });
    expect((await call(token, "GET", itemUrl(sim, "GONE"))).body).toEqual({
      errors: [
        {
          code: "NOT_FOUND",
          message: `SKU 'GONE' not found in marketplace ${AMAZON_SIMULATOR_MARKETPLACE_ID}`,
        },
      ],
    });
    const all = `marketplaceIds=${AMAZON_SIMULATOR_MARKETPLACE_ID}&includedData=summaries,issues,offers`;
    expect((await call(token, "GET", itemUrl(sim, "PRICE", all))).body).toMatchObject({
      offers: [{ price: { currencyCode: "USD", amount: "12.99" } }],
    });
    expect((await call(token, "GET", itemUrl(sim, "SUPPRESSED", all))).body).toMatchObject({
      summaries: [{ status: [] }],
      issues: [
        {
          code: "18027",
          severity: "ERROR",
          attributeNames: ["purchasable_offer"],
          enforcements: { actions: [{ action: "LISTING_SUPPRESSED" }] },
        },
      ],
    });
  });
});

describe("Amazon simulator: quota and failures", () => {
  it("answers 429 QuotaExceeded without Retry-After or rate header once the write bucket is empty", async () => {
    const sim = await start({ rateLimit: { perSecond: 1, burst: 2 } });
    const token = await tokenOf(sim);
    const answers = [];
    for (const sku of ["A", "B", "C"]) answers.push(await call(token, "PUT", itemUrl(sim, sku), LISTING));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.body).toEqual({
      errors: [{ code: "QuotaExceeded", message: "You exceeded your quota for the requested resource." }],
    });
    expect(answers[2]!.headers.get("retry-after")).toBeNull();
    expect(answers[2]!.headers.get("x-amzn-ratelimit-limit")).toBeNull();
    expect(answers[2]!.headers.get("x-amzn-requestid")).toBeTruthy();
    expect(sim.quota.stats).toMatchObject({ allowed: 2, refused: 1 });
    // Reads are another operation's bucket.
    expect((await call(token, "GET", itemUrl(sim, "A"))).status).toBe(200);
  });

  it("fails the next calls as told, in Amazon's shapes, then answers again", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    sim.failNext(2, 503);
    expect(await call(token, "PUT", itemUrl(sim, "A"), LISTING)).toMatchObject({
      status: 503,
      body: { errors: [{ code: "ServiceUnavailable" }] },
    });
    expect((await call(token, "PUT", itemUrl(sim, "A"), LISTING)).status).toBe(503);
    expect((await call(token, "PUT", itemUrl(sim, "A"), LISTING)).status).toBe(200);
    sim.failNext(1, 500);
    expect(await call(token, "PUT", itemUrl(sim, "A"), LISTING)).toMatchObject({
      status: 500,
      body: { errors: [{ code: "InternalFailure" }] },
    });
    sim.failNext(1, 429);
    expect(await call(token, "PUT", itemUrl(sim, "A"), LISTING)).toMatchObject({
      status: 429,
      body: { errors: [{ code: "QuotaExceeded" }] },
    });
  });
});

describe("Amazon simulator: Feeds API", () => {
  async function submitFeed(
    sim: AmazonSimulator,
    token: string,
    document: unknown,
    contentType = "application/json",
  ): Promise<string> {
    const created = await call(token, "POST", `${sim.url}/feeds/2021-06-30/documents`, { contentType });
    expect(created.status).toBe(201);
    const { feedDocumentId, url } = created.body as { feedDocumentId: string; url: string };
    const upload = await fetch(url, {
      method: "PUT",
      headers: { "content-type": contentType },
      body: JSON.stringify(document),
    });
    expect(upload.status).toBe(200);
    const feed = await call(token, "POST", `${sim.url}/feeds/2021-06-30/feeds`, {
      feedType: "JSON_LISTINGS_FEED",
      marketplaceIds: [AMAZON_SIMULATOR_MARKETPLACE_ID],
      inputFeedDocumentId: feedDocumentId,
    });
    expect(feed.status).toBe(202);
    return (feed.body as { feedId: string }).feedId;
  }

  it("processes a JSON_LISTINGS_FEED in the background and reports per message in a gzipped document", async () => {
    const sim = await start({ processingDelayMs: 150 });
    sim.rejectItem("BAD", {
      code: "99022",
      message: "our_price is missing",
      attribute: "purchasable_offer.our_price",
    });
    const token = await tokenOf(sim);
    const feedId = await submitFeed(sim, token, {
      header: { sellerId: AMAZON_SIMULATOR_SELLER_ID, version: "2.0" },
      messages: [
        {
          messageId: 1,
          sku: "GOOD",
          operationType: "UPDATE",
          productType: "HOME",
          requirements: "LISTING",
          attributes: LISTING.attributes,
        },
        {
          messageId: 2,
          sku: "BAD",
          operationType: "UPDATE",
          productType: "HOME",
          attributes: LISTING.attributes,
        },
        {
          messageId: 3,
          sku: "GOOD",
          operationType: "PATCH",
          productType: "HOME",
          patches: [
            {
              op: "replace",
              path: "/attributes/fulfillment_availability",
              value: [{ fulfillment_channel_code: "DEFAULT", quantity: 1 }],
            },
          ],
        },
      ],
    });
    const first = (await call(token, "GET", `${sim.url}/feeds/2021-06-30/feeds/${feedId}`)).body as Record<
      string,
      unknown
    >;
    expect(first.processingStatus).toMatch(/^IN_(QUEUE|PROGRESS)$/);
    let feed = first;
    for (let tries = 0; tries < 300 && feed.processingStatus !== "DONE"; tries += 1) {
      await sleep(10);
      feed = (await call(token, "GET", `${sim.url}/feeds/2021-06-30/feeds/${feedId}`)).body as Record<
        string,
        unknown
      >;
    }
    expect(feed).toMatchObject({ feedId, feedType: "JSON_LISTINGS_FEED", processingStatus: "DONE" });
    const reportDocument = (
      await call(token, "GET", `${sim.url}/feeds/2021-06-30/documents/${String(feed.resultFeedDocumentId)}`)
    ).body as { url: string; compressionAlgorithm: string };
    expect(reportDocument.compressionAlgorithm).toBe("GZIP");
    const bytes = Buffer.from(await (await fetch(reportDocument.url)).arrayBuffer());
    const report = JSON.parse(gunzipSync(bytes).toString("utf8")) as Record<string, unknown>;
    expect(report).toMatchObject({
      header: { sellerId: AMAZON_SIMULATOR_SELLER_ID, version: "2.0", feedId },
      issues: [
        {
          messageId: 2,
          sku: "BAD",
          code: "99022",
          severity: "ERROR",
          attributeName: "purchasable_offer.our_price",
        },
      ],
      summary: { messagesProcessed: 3, messagesAccepted: 2, messagesInvalid: 1 },
    });
    expect(sim.items().get("GOOD")?.attributes.fulfillment_availability).toEqual([
      { fulfillment_channel_code: "DEFAULT", quantity: 1 },
    ]);
  });

  it("refuses an upload whose Content-Type differs from the declared one, and a feed on a document never uploaded", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const created = (
      await call(token, "POST", `${sim.url}/feeds/2021-06-30/documents`, {
        contentType: "application/json; charset=UTF-8",
      })
    ).body as { feedDocumentId: string; url: string };
    const upload = await fetch(created.url, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(upload.status).toBe(403);
    const feed = await call(token, "POST", `${sim.url}/feeds/2021-06-30/feeds`, {
      feedType: "JSON_LISTINGS_FEED",
      marketplaceIds: [AMAZON_SIMULATOR_MARKETPLACE_ID],
      inputFeedDocumentId: created.feedDocumentId,
    });
    expect(feed).toMatchObject({ status: 400, body: { errors: [{ code: "InvalidInput" }] } });
    expect((await call(token, "POST", `${sim.url}/feeds/2021-06-30/documents`, {})).status).toBe(400);
  });

  it("ends a removed feed type FATAL", async () => {
    const sim = await start();
    const token = await tokenOf(sim);
    const created = (
      await call(token, "POST", `${sim.url}/feeds/2021-06-30/documents`, { contentType: "text/xml" })
    ).body as {
      feedDocumentId: string;
      url: string;
    };
    await fetch(created.url, {
      method: "PUT",
      headers: { "content-type": "text/xml" },
      body: "<AmazonEnvelope/>",
    });
    const { feedId } = (
      await call(token, "POST", `${sim.url}/feeds/2021-06-30/feeds`, {
        feedType: "POST_PRODUCT_DATA",
        marketplaceIds: [AMAZON_SIMULATOR_MARKETPLACE_ID],
        inputFeedDocumentId: created.feedDocumentId,
      })
    ).body as { feedId: string };
    let feed: { processingStatus?: string } = {};
    for (let tries = 0; tries < 200 && !["DONE", "FATAL"].includes(feed.processingStatus ?? ""); tries += 1) {
      await sleep(10);
      feed = (await call(token, "GET", `${sim.url}/feeds/2021-06-30/feeds/${feedId}`)).body as typeof feed;
    }
    expect(feed).toMatchObject({ processingStatus: "FATAL" });
  });
});
