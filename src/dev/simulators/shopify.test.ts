import { createHmac, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  SHOPIFY_SIMULATOR_CREDENTIALS,
  startShopifySimulator,
  type ShopifySimulator,
  type ShopifySimulatorOptions,
} from "./shopify.js";
import { generateStoreCatalog, totalQuantity, type StoreCatalogProduct } from "./store-catalog.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

/** The simulator's own behaviour, spoken to with plain fetch (no omnifeed client in the loop). */

let simulator: ShopifySimulator | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function start(options: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  simulator = await startShopifySimulator({ port: 0, ...options });
  return simulator;
}

interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface UserErrors {
  userErrors: { field: string[] | null; message: string; code?: string }[];
}

interface OrderAnswer {
  id: string;
  name: string;
  sourceIdentifier: string;
  displayFinancialStatus: string;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  lineItems: Connection<{
    id: string;
    sku: string;
    quantity: number;
    variant: { id: string; inventoryQuantity: number };
  }>;
}
type CreateAnswer = { orderCreate: UserErrors & { order: OrderAnswer } };
type LookupAnswer = {
  orders: Connection<{ id: string; name: string; sourceIdentifier: string; tags: string[] }>;
};
type BulkAnswer = {
  bulkOperationRunQuery: UserErrors & { bulkOperation: { id: string; status: string } | null };
};
interface BulkOperation {
  id: string;
  status: string;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string;
  url: string;
}
interface CatalogProduct {
  handle: string;
  variants: Connection<{ sku: string }>;
  featuredMedia: { image: { url: string } };
}
interface BulkVariant {
  sku: string;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryQuantity: number;
  selectedOptions: { name: string; value: string }[];
}
interface BulkProduct {
  handle: string;
  title: string;
  vendor: string;
  tags: string[];
  variants: BulkVariant[];
}
type Products = { products: Connection<{ id: string }> };
interface FulfillmentOrder {
  id: string;
  status: string;
  lineItems: Connection<{ id: string; remainingQuantity: number }>;
}
interface Fulfillment {
  id: string;
  trackingInfo: { company: string; number: string; url: string }[];
}
type JsonLine = Record<string, unknown> & { id: string; __parentId?: string };

interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: {
      cost: {
        requestedQueryCost: number;
        actualQueryCost: number | null;
        throttleStatus: Record<string, number>;
      };
    };
  };
}

async function gql<T = Record<string, unknown>>(
  sim: ShopifySimulator,
  query: string,
  variables: Record<string, unknown> = {},
  options: { version?: string; token?: string | undefined } = {},
): Promise<GraphqlAnswer<T>> {
  const { version } = options;
  const token = "token" in options ? options.token : SHOPIFY_SIMULATOR_CREDENTIALS.accessToken;
  const response = await fetch(sim.graphqlUrl(version), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { "x-shopify-access-token": token }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphqlAnswer<T>["body"],
  };
}

/** `gql` that fails the test on any GraphQL error. */
async function data<T>(
  sim: ShopifySimulator,
  query: string,
  variables: Record<string, unknown> = {},
  version?: string,
): Promise<T> {
  const answer = await gql<T>(sim, query, variables, version === undefined ? {} : { version });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data!;
}

const VARIANT_PAGE = /* GraphQL */ `
  query Variants($first: Int!, $after: String) {
    productVariants(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          legacyResourceId
          sku
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

describe("Shopify simulator: auth and versions", () => {
  it("refuses a missing or wrong access token with Shopify's 401 body, naming the version that answered", async () => {
    const sim = await start();
    for (const token of [undefined, "shpat_wrong"]) {
      const answer = await gql(sim, "{ shop { name } }", {}, { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
    const ok = await gql(sim, "{ shop { myshopifyDomain } }", {}, { version: "2026-07" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-shopify-api-version")).toBe("2026-07");
    expect(ok.body.data).toEqual({ shop: { myshopifyDomain: "omnifeed-sim.myshopify.com" } });
  });

  it("falls a retired version forward to the oldest supported one and answers 404 for a made-up one", async () => {
    const sim = await start();
    const retired = await gql(sim, "{ shop { name } }", {}, { version: "2024-04" });
    expect(retired.status).toBe(200);
    expect(retired.headers.get("x-shopify-api-version")).toBe("2025-01");
    expect((await gql(sim, "{ shop { name } }", {}, { version: "2025-13" })).status).toBe(404);
  });

  it("issues tokens by the client-credentials grant and refuses a wrong client secret", async () => {
    const sim = await start();
    const grant = (secret: string) =>
      fetch(`${sim.url}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: SHOPIFY_SIMULATOR_CREDENTIALS.clientId,
          client_secret: secret,
        }).toString(),
      });
    expect((await grant("wrong")).status).toBe(401);
    const issued = (await (await grant(SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret)).json()) as Record<
      string,
      unknown
    >;
    expect(issued).toMatchObject({ expires_in: 86_399 });
    expect(String(issued.access_token)).toMatch(/^shpat_/);
    expect((await gql(sim, "{ shop { name } }", {}, { token: String(issued.access_token) })).status).toBe(
      200,
    );
    sim.revokeTokens();
    expect((await gql(sim, "{ shop { name } }", {}, { token: String(issued.access_token) })).status).toBe(
      401,
    );
    // The recorded call keeps no secret.
    expect(JSON.stringify(sim.calls)).not.toContain(SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret);
  });

  it("validates queries against the schema (a misspelt field is an error, not an empty answer)", async () => {
    const sim = await start();
    const answer = await gql(sim, "{ products(first: 1) { nodes { titel } } }");
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.[0]?.message).toContain('Cannot query field "titel" on type "Product"');
    expect(answer.body.data).toBeUndefined();
  });
});

describe("Shopify simulator: catalog pages", () => {
  it("pages every variant exactly once with cursors, at most 250 a page, GIDs matching legacyResourceId", async () => {
    const catalog = generateStoreCatalog({ variants: 700, seed: 7 });
    const sim = await start({ catalog });
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Connection<{ id: string; legacyResourceId: string; sku: string }> = (
        await data<{ productVariants: Connection<{ id: string; legacyResourceId: string; sku: string }> }>(
          sim,
          VARIANT_PAGE,
          { first: 250, after },
        )
      ).productVariants;
      pages += 1;
      expect(page.edges.length).toBeLessThanOrEqual(250);
      for (const edge of page.edges) {
        expect(edge.node.id).toBe(`gid://shopify/ProductVariant/${edge.node.legacyResourceId}`);
        expect(seen.has(edge.node.id)).toBe(false);
        seen.add(edge.node.id);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBe(700);
  });

  it("nests variant pages in product pages and filters by updated_at", async () => {
    const catalog = generateStoreCatalog({ variants: 300, seed: 3 });
    // A Plus-sized bucket: each page costs about 450 points.
    const sim = await start({ catalog, throttle: { maximumAvailable: 20_000, restoreRate: 1000 } });
    const query = /* GraphQL */ `
      query CatalogPage($first: Int!, $after: String, $q: String) {
        products(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {
          nodes {
            id
            handle
            title
            vendor
            status
            tags
            featuredMedia {
              ... on MediaImage {
                image {
                  url
                }
              }
            }
            variants(first: 20) {
              nodes {
                sku
                price
                selectedOptions {
                  name
                  value
                }
              }
              pageInfo {
                hasNextPage
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `;
    const handles: string[] = [];
    let after: string | null = null;
    let variants = 0;
    do {
      const page: Connection<CatalogProduct> = (
        await data<{ products: Connection<CatalogProduct> }>(sim, query, {
          first: 10,
          after,
          q: "updated_at:>'2020-01-01T00:00:00Z'",
        })
      ).products;
      for (const product of page.nodes) {
        handles.push(product.handle);
        expect(product.variants.pageInfo.hasNextPage).toBe(false);
        variants += product.variants.nodes.length;
        expect(product.featuredMedia.image.url).toMatch(/^https:\/\//);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    expect(handles.sort()).toEqual(catalog.map((product) => product.handle).sort());
    expect(variants).toBe(300);
    const none = await data<{ products: Connection<CatalogProduct> }>(sim, query, {
      first: 10,
      after: null,
      q: "updated_at:>'2999-01-01T00:00:00Z'",
    });
    expect(none.products.nodes).toEqual([]);
  });

  it("refuses a page over 250, a connection without first or last, and a query over the cost cap", async () => {
    const sim = await start({ catalog: generateStoreCatalog({ variants: 10, seed: 1 }) });
    const tooMany = await gql(sim, "{ products(first: 251) { nodes { id } } }");
    expect(tooMany.body.errors?.[0]?.message).toContain("250");
    const unbounded = await gql(sim, "{ products { nodes { id } } }");
    expect(unbounded.body.errors?.[0]?.message).toBe("you must provide one of first or last");
    const costly = await gql(
      sim,
      "{ products(first: 50) { nodes { variants(first: 100) { nodes { sku } } } } }",
    );
    expect(costly.body.errors?.[0]?.extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
    expect(costly.body.errors?.[0]?.message).toMatch(/^Query cost is 5\d{3}/);
  });

  it("finds variants by SKU and reports an unknown search field as a warning that filters nothing", async () => {
    const catalog = generateStoreCatalog({ variants: 40, seed: 5 });
    const sim = await start({ catalog });
    const sku = catalog[1]!.variants[0]!.sku;
    const found = await data<{ productVariants: Connection<{ sku: string }> }>(
      sim,
      `query($q: String) { productVariants(first: 5, query: $q) { nodes { sku } } }`,
      { q: `sku:${sku}` },
    );
    expect(found.productVariants.nodes).toEqual([{ sku }]);
    const typo = await gql<{ productVariants: Connection<{ sku: string }> }>(
      sim,
      `{ productVariants(first: 50, query: "skew:${sku}") { nodes { sku } } }`,
    );
    expect(typo.body.data!.productVariants.nodes).toHaveLength(40);
    expect(JSON.stringify(typo.body.extensions)).toContain("Invalid search field for this query.");
  });
});

describe("Shopify simulator: bulk operations", () => {
  const BULK = /* GraphQL */ `
    mutation Run($query: String!) {
      bulkOperationRunQuery(query: $query) {
        bulkOperation {
          id
          status
        }
        userErrors {
          field
          message
          code
        }
      }
    }
  `;
  const EXPORT = `{ products { edges { node { id title handle status vendor productType tags
      variants { edges { node { id sku barcode price compareAtPrice inventoryQuantity selectedOptions { name value } } } } } } } }`;

  async function runToEnd(sim: ShopifySimulator, query: string, version?: string) {
    const started = await data<BulkAnswer>(sim, BULK, { query }, version);
    expect(started.bulkOperationRunQuery.userErrors).toEqual([]);
    const first = started.bulkOperationRunQuery.bulkOperation!;
    const id = first.id;
    const statuses = new Set<string>([first.status]);
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const polled = (
        await data<{ bulkOperation: BulkOperation }>(
          sim,
          `query($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url } }`,
          { id },
          version,
        )
      ).bulkOperation;
      statuses.add(polled.status);
      if (polled.status === "COMPLETED") return { operation: polled, statuses };
      await sleep(10);
    }
    throw new Error("bulk operation did not complete");
  }

  it("goes CREATED → RUNNING → COMPLETED and its JSONL reassembles to the seeded catalog", async () => {
    const catalog = generateStoreCatalog({ variants: 2000, seed: 11 });
    const sim = await start({ catalog, processingDelayMs: 60 });
    const { operation, statuses } = await runToEnd(sim, EXPORT);
    expect([...statuses]).toEqual(["CREATED", "RUNNING", "COMPLETED"]);
    expect(operation.objectCount).toBe(String(catalog.length + 2000));
    expect(operation.rootObjectCount).toBe(String(catalog.length));
    const text = await (await fetch(operation.url)).text();
    expect(operation.fileSize).toBe(String(Buffer.byteLength(text)));
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonLine);
    // groupObjects is false by default from 2026-01: some child follows an unrelated parent.
    let lastParent: string | undefined;
    let childAfterOtherParent = false;
    const products = new Map<string, BulkProduct>();
    const children: JsonLine[] = [];
    for (const line of lines) {
      if (line.__parentId === undefined) {
        lastParent = line.id;
        products.set(line.id, { ...(line as unknown as BulkProduct), variants: [] });
      } else {
        if (line.__parentId !== lastParent) childAfterOtherParent = true;
        children.push(line);
      }
    }
    expect(childAfterOtherParent).toBe(true);
    for (const child of children)
      products.get(child.__parentId!)!.variants.push(child as unknown as BulkVariant);
    expect(reassembled([...products.values()])).toEqual(canonical(catalog));
  });

  it("keeps children after their parent when groupObjects is true (the default before 2026-01)", async () => {
    const sim = await start({ catalog: generateStoreCatalog({ variants: 200, seed: 2 }) });
    const { operation } = await runToEnd(sim, EXPORT, "2025-10");
    const lines = (await (await fetch(operation.url)).text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonLine);
    let parent: string | undefined;
    for (const line of lines) {
      if (line.__parentId === undefined) parent = line.id;
      else expect(line.__parentId).toBe(parent);
    }
    const current = await data<{ currentBulkOperation: { status: string } }>(
      sim,
      "{ currentBulkOperation { id status } }",
      {},
      "2025-10",
    );
    expect(current.currentBulkOperation.status).toBe("COMPLETED");
  });

  it("refuses a bulk query nested three deep, one over 5 connections, or without a connection", async () => {
    const sim = await start();
    const refused = async (query: string) =>
      (await data<BulkAnswer>(sim, BULK, { query })).bulkOperationRunQuery;
    const deep = await refused(
      "{ products { edges { node { id variants { edges { node { id inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }",
    );
    expect(deep.bulkOperation).toBeNull();
    expect(deep.userErrors[0]!.message).toContain("nesting depth greater than 2");
    const wide = await refused(
      `{ ${["a", "b", "c", "d", "e", "f"].map((alias) => `${alias}: products { edges { node { id } } }`).join(" ")} }`,
    );
    expect(wide.userErrors[0]!.message).toContain("more than 5 connections");
    const none = await refused("{ shop { name } }");
    expect(none.userErrors[0]!.message).toContain("at least one connection");
    const orphan = await refused(
      "{ products { edges { node { title variants { edges { node { id } } } } } } }",
    );
    expect(orphan.userErrors[0]!.message).toContain("must select the 'id' field");
  });

  it("allows one running bulk query before 2026-01", async () => {
    const sim = await start({
      catalog: generateStoreCatalog({ variants: 20, seed: 2 }),
      processingDelayMs: 500,
    });
    expect(
      (await data<BulkAnswer>(sim, BULK, { query: EXPORT }, "2025-10")).bulkOperationRunQuery.userErrors,
    ).toEqual([]);
    const second = (await data<BulkAnswer>(sim, BULK, { query: EXPORT }, "2025-10")).bulkOperationRunQuery;
    expect(second.userErrors[0]!.code).toBe("OPERATION_IN_PROGRESS");
    expect(
      (await data<BulkAnswer>(sim, BULK, { query: EXPORT }, "2026-01")).bulkOperationRunQuery.userErrors,
    ).toEqual([]);
  });
});

/** The catalog a client reassembles, in the seed's terms, sorted by handle. */
function reassembled(products: BulkProduct[]) {
  return products
    .map((product) => ({
      handle: product.handle,
      title: product.title,
      vendor: product.vendor,
      tags: [...product.tags].sort(),
      variants: product.variants.map((variant) => ({
        sku: variant.sku,
        barcode: variant.barcode ?? undefined,
        price: variant.price,
        compareAtPrice: variant.compareAtPrice ?? undefined,
        quantity: variant.inventoryQuantity,
        options: variant.selectedOptions
          .filter((option: { value: string }) => option.value !== "Default Title")
          .map((option: { value: string }) => option.value),
      })),
    }))
    .sort((a, b) => a.handle.localeCompare(b.handle));
}

function canonical(catalog: StoreCatalogProduct[]) {
  return catalog
    .map((product) => ({
      handle: product.handle,
      title: product.title,
      vendor: product.vendor,
      tags: [...product.tags].sort(),
      variants: product.variants.map((variant) => ({
        sku: variant.sku,
        barcode: variant.barcode,
        price: variant.price,
        compareAtPrice: variant.compareAtPrice,
        quantity: totalQuantity(variant),
        options: variant.optionValues,
      })),
    }))
    .sort((a, b) => a.handle.localeCompare(b.handle));
}

const CREATE = /* GraphQL */ `
  mutation Create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
    orderCreate(order: $order, options: $options) {
      order {
        id
        name
        sourceIdentifier
        displayFinancialStatus
        totalPriceSet {
          shopMoney {
            amount
            currencyCode
          }
        }
        lineItems(first: 5) {
          nodes {
            id
            sku
            quantity
            variant {
              id
              inventoryQuantity
            }
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
const LOOKUP = /* GraphQL */ `
  query Lookup($q: String!) {
    orders(first: 5, query: $q) {
      nodes {
        id
        name
        sourceIdentifier
        tags
      }
    }
  }
`;

function amazonOrder(variantId: string, sourceIdentifier: string, quantity = 2) {
  return {
    currency: "USD",
    email: "abc123@marketplace.amazon.com",
    sourceName: "omnifeed-amazon",
    sourceIdentifier,
    tags: ["amazon", "omnifeed"],
    customer: { toUpsert: { email: "abc123@marketplace.amazon.com", firstName: "Jane", lastName: "Doe" } },
    shippingAddress: {
      firstName: "Jane",
      lastName: "Doe",
      address1: "969 Market St",
      city: "San Francisco",
      provinceCode: "CA",
      countryCode: "US",
      zip: "94103",
    },
    lineItems: [{ variantId, quantity, priceSet: { shopMoney: { amount: "19.99", currencyCode: "USD" } } }],
    shippingLines: [
      {
        title: "Amazon Standard",
        code: "amazon_standard",
        priceSet: { shopMoney: { amount: "4.99", currencyCode: "USD" } },
      },
    ],
    financialStatus: "PAID",
    transactions: [
      {
        kind: "SALE",
        status: "SUCCESS",
        gateway: "amazon",
        amountSet: { shopMoney: { amount: "44.97", currencyCode: "USD" } },
      },
    ],
  };
}

async function firstVariant(sim: ShopifySimulator): Promise<{ id: string; inventoryQuantity: number }> {
  const answer = await data<{ productVariants: Connection<{ id: string; inventoryQuantity: number }> }>(
    sim,
    "{ productVariants(first: 1) { nodes { id inventoryQuantity } } }",
  );
  return answer.productVariants.nodes[0]!;
}

describe("Shopify simulator: orders", () => {
  it("creates an order from a variant GID, decrements stock, and finds it by source identifier only", async () => {
    const sim = await start({ catalog: stockedCatalog() });
    const variant = await firstVariant(sim);
    const created = (
      await data<CreateAnswer>(sim, CREATE, {
        order: amazonOrder(variant.id, "112-1234567-1234567"),
        options: { inventoryBehaviour: "DECREMENT_OBEYING_POLICY", sendReceipt: false },
      })
    ).orderCreate;
    expect(created.userErrors).toEqual([]);
    expect(created.order).toMatchObject({
      name: "#1001",
      sourceIdentifier: "112-1234567-1234567",
      displayFinancialStatus: "PAID",
      totalPriceSet: { shopMoney: { amount: "44.97", currencyCode: "USD" } },
    });
    expect(created.order.lineItems.nodes[0]!.variant).toEqual({
      id: variant.id,
      inventoryQuantity: variant.inventoryQuantity - 2,
    });
    const found = (await data<LookupAnswer>(sim, LOOKUP, { q: "source_identifier:112-1234567-1234567" }))
      .orders.nodes;
    expect(found).toEqual([
      {
        id: created.order.id,
        name: "#1001",
        sourceIdentifier: "112-1234567-1234567",
        tags: ["amazon", "omnifeed"],
      },
    ]);
    expect(
      (await data<LookupAnswer>(sim, LOOKUP, { q: "source_identifier:112-1234567-0000000" })).orders.nodes,
    ).toEqual([]);
  });

  it("keeps a fresh order out of search until the index catches up (the lookup must be repeated)", async () => {
    const sim = await start({ catalog: stockedCatalog(), orderSearchLagMs: 150 });
    const variant = await firstVariant(sim);
    const created = (
      await data<CreateAnswer>(sim, CREATE, { order: amazonOrder(variant.id, "113-0000000-0000001") })
    ).orderCreate;
    expect(
      (await data<LookupAnswer>(sim, LOOKUP, { q: "source_identifier:113-0000000-0000001" })).orders.nodes,
    ).toEqual([]);
    // Reading it by id works at once.
    expect(
      (
        await data<{ order: { name: string } }>(sim, "query($id: ID!) { order(id: $id) { name } }", {
          id: created.order.id,
        })
      ).order.name,
    ).toBe("#1001");
    await sleep(200);
    expect(
      (await data<LookupAnswer>(sim, LOOKUP, { q: "source_identifier:113-0000000-0000001" })).orders.nodes,
    ).toHaveLength(1);
  });

  it("answers userErrors for an unknown variant, a reserved source name and stock it cannot take", async () => {
    const sim = await start({ catalog: stockedCatalog() });
    const variant = await firstVariant(sim);
    const unknown = (
      await data<CreateAnswer>(sim, CREATE, { order: amazonOrder("gid://shopify/ProductVariant/1", "A") })
    ).orderCreate;
    expect(unknown.order).toBeNull();
    expect(unknown.userErrors[0]).toMatchObject({
      field: ["order", "lineItems", "0", "variantId"],
      code: "NOT_FOUND",
    });
    const reserved = (
      await data<CreateAnswer>(sim, CREATE, { order: { ...amazonOrder(variant.id, "B"), sourceName: "web" } })
    ).orderCreate;
    expect(reserved.userErrors[0]!.field).toEqual(["order", "sourceName"]);
    const tooMany = (
      await data<CreateAnswer>(sim, CREATE, {
        order: amazonOrder(variant.id, "C", variant.inventoryQuantity + 1),
        options: { inventoryBehaviour: "DECREMENT_OBEYING_POLICY" },
      })
    ).orderCreate;
    expect(tooMany.userErrors[0]!.code).toBe("INVENTORY_NOT_AVAILABLE");
    expect((await data<LookupAnswer>(sim, LOOKUP, { q: "tag:amazon" })).orders.nodes).toEqual([]);
  });
});

/** A small catalog where every variant has stock at two locations. */
function stockedCatalog(): StoreCatalogProduct[] {
  return generateStoreCatalog({ variants: 12, seed: 9 }).map((product) => ({
    ...product,
    variants: product.variants.map((variant) => ({
      ...variant,
      inventory: [
        { location: "Warehouse", quantity: 5 },
        { location: "Shop floor", quantity: 3 },
      ],
    })),
  }));
}

describe("Shopify simulator: fulfillments and webhooks", () => {
  function verified(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
    const expected = createHmac("sha256", secret).update(raw).digest();
    const given = Buffer.from(typeof header === "string" ? header : "", "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  it("ships with tracking, updates it, and sends signed REST-shaped webhooks for each step", async () => {
    receiver = await startWebhookReceiver();
    const sim = await start({ catalog: stockedCatalog(), webhookUrl: receiver.url });
    const variant = await firstVariant(sim);
    const order = (await data<CreateAnswer>(sim, CREATE, { order: amazonOrder(variant.id, "114-1") }))
      .orderCreate.order;
    const fulfillmentOrder = (
      await data<{ order: { fulfillmentOrders: Connection<FulfillmentOrder> } }>(
        sim,
        `query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 1) { nodes { id status lineItems(first: 5) { nodes { id remainingQuantity } } } } } }`,
        {
          id: order.id,
        },
      )
    ).order.fulfillmentOrders.nodes[0]!;
    expect(fulfillmentOrder.status).toBe("OPEN");
    const created = (
      await data<{ fulfillmentCreate: UserErrors & { fulfillment: Fulfillment } }>(
        sim,
        `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id status trackingInfo { company number url } } userErrors { message } } }`,
        {
          f: {
            lineItemsByFulfillmentOrder: [
              {
                fulfillmentOrderId: fulfillmentOrder.id,
                fulfillmentOrderLineItems: [{ id: fulfillmentOrder.lineItems.nodes[0]!.id, quantity: 1 }],
              },
            ],
            trackingInfo: { company: "UPS", number: "1Z999AA10123456784" },
          },
        },
      )
    ).fulfillmentCreate;
    expect(created.userErrors).toEqual([]);
    expect(created.fulfillment.trackingInfo).toEqual([
      {
        company: "UPS",
        number: "1Z999AA10123456784",
        url: "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z999AA10123456784",
      },
    ]);
    const updated = (
      await data<{ fulfillmentTrackingInfoUpdate: UserErrors & { fulfillment: Fulfillment } }>(
        sim,
        `mutation($id: ID!, $t: FulfillmentTrackingInput!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $t) { fulfillment { trackingInfo { company number url } } userErrors { message } } }`,
        {
          id: created.fulfillment.id,
          t: { company: "Local Courier", number: "LC-42", url: "https://courier.example/LC-42" },
        },
      )
    ).fulfillmentTrackingInfoUpdate;
    expect(updated.fulfillment.trackingInfo).toEqual([
      { company: "Local Courier", number: "LC-42", url: "https://courier.example/LC-42" },
    ]);
    const status = await data<{ order: Record<string, unknown> }>(
      sim,
      `query($id: ID!) { order(id: $id) { displayFulfillmentStatus fulfillments(first: 5) { name status } } }`,
      { id: order.id },
    );
    expect(status.order).toEqual({
      displayFulfillmentStatus: "PARTIALLY_FULFILLED",
      fulfillments: [{ name: "#1001.1", status: "SUCCESS" }],
    });

    sim.cancelOrder(order.id, "CUSTOMER");
    await sim.webhooksSettled();
    // Shopify promises no order between deliveries: compare the set.
    const topics = receiver.received.map((delivery) => String(delivery.headers["x-shopify-topic"]));
    expect(topics.sort()).toEqual([
      "fulfillments/create",
      "fulfillments/update",
      "orders/cancelled",
      "orders/create",
      "orders/updated",
      "orders/updated",
    ]);
    const payloadOf = (topic: string): Record<string, unknown> =>
      JSON.parse(
        receiver!.received
          .find((delivery) => delivery.headers["x-shopify-topic"] === topic)!
          .raw.toString("utf8"),
      ) as Record<string, unknown>;
    for (const delivery of receiver.received) {
      expect(
        verified(
          delivery.raw,
          delivery.headers["x-shopify-hmac-sha256"],
          SHOPIFY_SIMULATOR_CREDENTIALS.clientSecret,
        ),
      ).toBe(true);
      expect(verified(delivery.raw, delivery.headers["x-shopify-hmac-sha256"], "another-secret")).toBe(false);
      expect(delivery.headers["x-shopify-shop-domain"]).toBe("omnifeed-sim.myshopify.com");
      expect(delivery.headers["x-shopify-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    const legacyOrderId = Number(order.id.split("/").pop());
    const fulfillmentUpdate = payloadOf("fulfillments/update");
    expect(fulfillmentUpdate).toMatchObject({
      order_id: legacyOrderId,
      status: "success",
      tracking_company: "Local Courier",
      tracking_number: "LC-42",
      tracking_numbers: ["LC-42"],
      tracking_url: "https://courier.example/LC-42",
      admin_graphql_api_id: created.fulfillment.id,
      line_items: [{ variant_id: Number(variant.id.split("/").pop()), quantity: 1 }],
    });
    const cancelled = payloadOf("orders/cancelled");
    expect(cancelled).toMatchObject({
      id: legacyOrderId,
      cancel_reason: "customer",
      source_identifier: "114-1",
      tags: "amazon, omnifeed",
    });
    expect(cancelled.cancelled_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$/);
  });

  it("redelivers the original bytes with the same webhook id (the receiver dedupes on it)", async () => {
    receiver = await startWebhookReceiver();
    const sim = await start({
      catalog: stockedCatalog(),
      webhookUrl: receiver.url,
      webhookTopics: ["fulfillments/create"],
    });
    const variant = await firstVariant(sim);
    const order = (await data<CreateAnswer>(sim, CREATE, { order: amazonOrder(variant.id, "115-1") }))
      .orderCreate.order;
    receiver.answerWith(500);
    sim.fulfill(order.id, { company: "USPS", number: "9400111899560000000000" });
    await sim.webhooksSettled();
    expect(sim.webhookDeliveries.map((delivery) => delivery.status)).toEqual([500]);
    receiver.answerWith(200);
    const again = await sim.redeliver(sim.webhookDeliveries[0]!.headers["x-shopify-webhook-id"]!);
    expect(again.status).toBe(200);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.raw.equals(receiver.received[0]!.raw)).toBe(true);
    expect(receiver.received[1]!.headers["x-shopify-webhook-id"]).toBe(
      receiver.received[0]!.headers["x-shopify-webhook-id"],
    );
  });
});

describe("Shopify simulator: cost throttling", () => {
  it("charges each query's cost, answers THROTTLED when the bucket is short, and recovers at the restore rate", async () => {
    const sim = await start({
      catalog: generateStoreCatalog({ variants: 200, seed: 4 }),
      throttle: { maximumAvailable: 100, restoreRate: 50 },
    });
    const query = "{ products(first: 30) { nodes { id title } } }";
    let throttled: GraphqlAnswer<Products> | undefined;
    const available: number[] = [];
    for (let attempt = 0; attempt < 20 && !throttled; attempt += 1) {
      const answer = await gql<Products>(sim, query);
      if (answer.body.errors) throttled = answer;
      else {
        expect(answer.body.extensions!.cost.requestedQueryCost).toBe(32);
        available.push(answer.body.extensions!.cost.throttleStatus.currentlyAvailable!);
      }
    }
    expect(available.length).toBeGreaterThanOrEqual(2);
    expect(available[1]!).toBeLessThan(available[0]!);
    expect(throttled).toBeDefined();
    expect(throttled!.status).toBe(200);
    expect(throttled!.body.errors).toEqual([
      {
        message: "Throttled",
        extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
      },
    ]);
    const cost = throttled!.body.extensions!.cost;
    expect(cost.actualQueryCost).toBeNull();
    expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 100, restoreRate: 50 });
    const wait =
      ((cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable!) /
        cost.throttleStatus.restoreRate!) *
      1000;
    await sleep(wait + 50);
    const recovered = await gql<Products>(sim, query);
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data!.products.nodes).toHaveLength(30);
  });

  it("refunds what a short page did not use (actual cost below requested)", async () => {
    const sim = await start({ catalog: generateStoreCatalog({ variants: 5, seed: 4 }) });
    const answer = await gql<Products>(sim, "{ products(first: 100) { nodes { id } } }");
    const products = answer.body.data!.products.nodes.length;
    expect(answer.body.extensions!.cost).toMatchObject({
      requestedQueryCost: 102,
      actualQueryCost: 2 + products,
    });
    expect(answer.body.extensions!.cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(
      1000 - 2 - products,
    );
  });

  it("charges a plain list of objects as one object, so the actual cost never exceeds the requested", async () => {
    const catalog = generateStoreCatalog({ variants: 40, seed: 4 });
    const sim = await start({ catalog });
    // Variants with two or three options: selectedOptions holds several objects.
    const answer = await gql<{ productVariants: { nodes: { selectedOptions: unknown[] }[] } }>(
      sim,
      "{ productVariants(first: 10) { nodes { id selectedOptions { name value } } } }",
    );
    const nodes = answer.body.data!.productVariants.nodes;
    expect(nodes.some((node) => node.selectedOptions.length > 1)).toBe(true);
    // 2 + 10 × (node 1 + selectedOptions 1), asked and spent.
    expect(answer.body.extensions!.cost).toMatchObject({ requestedQueryCost: 22, actualQueryCost: 22 });
  });

  it("can answer a throttled call with HTTP 429 as Shopify sometimes does", async () => {
    const sim = await start({ throttledStatus: 429 });
    sim.drainBucket();
    const answer = await gql(sim, "{ shop { name } }");
    expect(answer.status).toBe(429);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("THROTTLED");
  });
});
