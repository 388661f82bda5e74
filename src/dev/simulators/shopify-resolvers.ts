import { GraphQLError, type GraphQLSchema } from "graphql";
import { compileSearch, type SearchField, type SearchWarning } from "./shopify-search.js";
import {
  centsOf,
  decimalOf,
  orderTotals,
  trackingUrlOf,
  type ShopifyAddress,
  type ShopifyFulfillmentRecord,
  type ShopifyLineItemRecord,
  type ShopifyOrderRecord,
  type ShopifyProductRecord,
  type ShopifyStore,
  type ShopifyVariantRecord,
} from "./shopify-store.js";

/**
 * The resolvers of the Shopify simulator's schema: views over the store's records, built per
 * request (graphql-js's default resolver calls a function-valued property with the field's
 * arguments), cursor connections, search filters, and the mutations.
 */

/** What one GraphQL request runs with. */
export interface ShopifyContext {
  version: string;
  /** Running a bulk operation: connections take no `first` and return every node. */
  bulk: boolean;
  now: number;
  searchWarnings: { path: string[]; query: string; warnings: SearchWarning[] }[];
}

export interface BulkOperationRecord {
  id: number;
  query: string;
  groupObjects: boolean;
  version: string;
  type: "QUERY";
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
}

export interface ResolverDeps {
  store: ShopifyStore;
  schema: GraphQLSchema;
  shopDomain: string;
  currency: string;
  orderSearchLagMs: number;
  readAllOrders: boolean;
  bulkOperations: Map<number, BulkOperationRecord>;
  startBulk(query: string, groupObjects: boolean, version: string): BulkOperationRecord;
  /** A message saying why the bulk query is refused, or undefined. */
  checkBulkQuery(query: string): string | undefined;
  onOrderCreated(orderId: number): void;
  onFulfillmentCreated(fulfillmentId: number, orderId: number): void;
  onTrackingUpdated(fulfillmentId: number): void;
  onOrderCancelled(orderId: number): void;
}

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
  sortKey?: string | null;
  query?: string | null;
}

type SortValue = string | number;

/** Nodes per page at most (stores.md §1.3). */
export const MAX_PAGE_SIZE = 250;

const RESERVED_SOURCE_NAMES = new Set(["web", "pos", "shopify_draft_order", "iphone", "android"]);
const QUANTITY_NAMES = new Set([
  "available",
  "committed",
  "damaged",
  "incoming",
  "on_hand",
  "quality_control",
  "reserved",
  "safety_stock",
]);

export const gid = (type: string, id: number): string => `gid://shopify/${type}/${id}`;

/** The number of a GID of this type; undefined for another type or no GID at all. */
export function idOf(value: unknown, type: string): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(value);
  return match && match[1] === type ? Number(match[2]) : undefined;
}

function encodeCursor(id: number, value: SortValue): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value })).toString("base64");
}

function decodeCursor(cursor: string): { id: number; value: SortValue } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as {
      last_id?: unknown;
      last_value?: unknown;
    };
    if (
      typeof parsed.last_id === "number" &&
      (typeof parsed.last_value === "string" || typeof parsed.last_value === "number")
    ) {
      return { id: parsed.last_id, value: parsed.last_value };
    }
  } catch {
    // falls through to the error
  }
  throw new GraphQLError("Invalid cursor for current pagination sort.", {
    extensions: { code: "BAD_REQUEST" },
  });
}

function compareKeys(a: [SortValue, number], b: [SortValue, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] - b[1];
}

/**
 * One page of `items` (already filtered), ordered by `key` (value, then id), with Shopify's
 * argument rules: `first` or `last` required, at most 250, cursors opaque base64 JSON.
 */
function paginate<T, V>(
  items: readonly T[],
  args: ConnectionArgs,
  context: ShopifyContext,
  key: (item: T) => [SortValue, number],
  view: (item: T) => V,
  sorted = false,
) {
  const limit = pageLimit(args, context);
  const ordered = sorted ? [...items] : [...items].sort((a, b) => compareKeys(key(a), key(b)));
  if (args.reverse) ordered.reverse();
  const direction = args.reverse ? -1 : 1;
  const after = args.after ? decodeCursor(args.after) : undefined;
  const before = args.before ? decodeCursor(args.before) : undefined;
  let start = 0;
  let end = ordered.length;
  if (after) {
    const index = ordered.findIndex(
      (item) => direction * compareKeys(key(item), [after.value, after.id]) > 0,
    );
    start = index === -1 ? ordered.length : index;
  }
  if (before) {
    const index = ordered.findIndex(
      (item) => direction * compareKeys(key(item), [before.value, before.id]) >= 0,
    );
    end = index === -1 ? ordered.length : index;
  }
  const total = ordered.length;
  const range = ordered.slice(start, Math.max(start, end));
  let page = range;
  let hasNextPage = false;
  let hasPreviousPage = false;
  if (limit.first !== undefined) {
    page = range.slice(0, limit.first);
    hasNextPage = range.length > limit.first;
    hasPreviousPage = start > 0;
  } else if (limit.last !== undefined) {
    page = range.slice(Math.max(0, range.length - limit.last));
    hasPreviousPage = range.length > limit.last;
    hasNextPage = end < total;
  }
  const edges = page.map((item) => {
    const [value, id] = key(item);
    return { cursor: encodeCursor(id, value), node: view(item) };
  });
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function pageLimit(args: ConnectionArgs, context: ShopifyContext): { first?: number; last?: number } {
  // A bulk operation reads every node; `first` there is ignored.
  if (context.bulk) return {};
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first === undefined && last === undefined) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  for (const [name, value] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (value !== undefined && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`, {
        extensions: { code: "ARGUMENT_OUT_OF_RANGE", argumentName: name, max: MAX_PAGE_SIZE },
      });
    }
  }
  return { ...(first !== undefined ? { first } : {}), ...(last !== undefined ? { last } : {}) };
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function moneyBag(amount: string, currencyCode: string) {
  const money = { amount, currencyCode };
  return { shopMoney: money, presentmentMoney: money };
}

function requireText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

export function createShopifyResolvers(deps: ResolverDeps) {
  const { store } = deps;
  const storefront = `https://${deps.shopDomain.replace(/\.myshopify\.com$/, "")}.example`;

  function search<T>(
    context: ShopifyContext,
    path: string,
    query: string | null | undefined,
    fields: Record<string, SearchField<T>>,
    defaults: string[],
  ) {
    const compiled = compileSearch(query, fields, defaults);
    if (compiled.warnings.length > 0) {
      context.searchWarnings.push({ path: [path], query: query ?? "", warnings: compiled.warnings });
    }
    return (record: T) => compiled.matches(record);
  }

  // --- Catalog views -------------------------------------------------------------------------

  function totalAvailable(variant: ShopifyVariantRecord): number {
    let total = 0;
    for (const quantity of variant.available.values()) total += quantity;
    return total;
  }

  const locationView = (id: number) => {
    const location = store.locations.find((candidate) => candidate.id === id)!;
    return {
      __typename: "Location",
      id: gid("Location", location.id),
      legacyResourceId: String(location.id),
      name: location.name,
      isActive: true,
    };
  };

  function inventoryItemView(variant: ShopifyVariantRecord) {
    return {
      __typename: "InventoryItem",
      id: gid("InventoryItem", variant.inventoryItemId),
      legacyResourceId: String(variant.inventoryItemId),
      sku: variant.sku,
      tracked: true,
      variant: () => variantView(variant),
      measurement: {
        id: gid("InventoryItemMeasurement", variant.inventoryItemId),
        weight: { unit: "GRAMS", value: variant.weightGrams },
      },
      inventoryLevel: ({ locationId }: { locationId: string }) => {
        const id = idOf(locationId, "Location");
        return id !== undefined && variant.available.has(id) ? inventoryLevelView(variant, id) : null;
      },
      inventoryLevels: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          [...variant.available.keys()],
          args,
          context,
          (locationId) => [locationId, locationId],
          (locationId) => inventoryLevelView(variant, locationId),
        ),
    };
  }

  function inventoryLevelView(variant: ShopifyVariantRecord, locationId: number) {
    return {
      id: `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${variant.inventoryItemId}`,
      location: () => locationView(locationId),
      item: () => inventoryItemView(variant),
      updatedAt: variant.updatedAt,
      quantities: ({ names }: { names: string[] }) => {
        const unknown = names.find((name) => !QUANTITY_NAMES.has(name));
        if (unknown !== undefined) {
          throw new GraphQLError(`The quantity name '${unknown}' is not valid.`, {
            extensions: { code: "INVALID" },
          });
        }
        const available = variant.available.get(locationId) ?? 0;
        const committed = committedAt(variant, locationId);
        return names.map((name) => ({
          name,
          quantity:
            name === "available"
              ? available
              : name === "committed"
                ? committed
                : name === "on_hand"
                  ? available + committed
                  : 0,
          updatedAt: variant.updatedAt,
        }));
      },
    };
  }

  function committedAt(variant: ShopifyVariantRecord, locationId: number): number {
    let committed = 0;
    for (const order of store.orders) {
      if (order.cancelledAt !== null) continue;
      for (const line of order.lineItems) {
        if (line.variantId !== variant.id || committedLocation.get(line.id) !== locationId) continue;
        committed += line.quantity - store.fulfilledQuantity(order, line.id);
      }
    }
    return committed;
  }

  function variantView(variant: ShopifyVariantRecord): Record<string, unknown> {
    const product = store.productsById.get(variant.productId)!;
    return {
      __typename: "ProductVariant",
      id: gid("ProductVariant", variant.id),
      legacyResourceId: String(variant.id),
      title: variant.title,
      displayName: `${product.title} - ${variant.title}`,
      sku: variant.sku,
      barcode: variant.barcode,
      price: variant.price,
      compareAtPrice: variant.compareAtPrice,
      position: variant.position,
      inventoryQuantity: () => totalAvailable(variant),
      inventoryPolicy: variant.inventoryPolicy,
      availableForSale: () => variant.inventoryPolicy === "CONTINUE" || totalAvailable(variant) > 0,
      selectedOptions: variant.selectedOptions,
      inventoryItem: () => inventoryItemView(variant),
      product: () => productView(product),
      createdAt: variant.createdAt,
      updatedAt: variant.updatedAt,
    };
  }

  function mediaView(image: ShopifyProductRecord["images"][number]) {
    return {
      __typename: "MediaImage",
      id: gid("MediaImage", image.id),
      alt: image.alt,
      mediaContentType: "IMAGE",
      image: { id: gid("ImageSource", image.id), url: image.url, altText: image.alt },
    };
  }

  function productView(product: ShopifyProductRecord): Record<string, unknown> {
    return {
      __typename: "Product",
      id: gid("Product", product.id),
      legacyResourceId: String(product.id),
      handle: product.handle,
      title: product.title,
      description: () => stripTags(product.descriptionHtml),
      descriptionHtml: product.descriptionHtml,
      vendor: product.vendor,
      productType: product.productType,
      status: product.status,
      tags: product.tags,
      onlineStoreUrl: product.status === "ACTIVE" ? `${storefront}/products/${product.handle}` : null,
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
      totalInventory: () => product.variants.reduce((sum, variant) => sum + totalAvailable(variant), 0),
      options: ({ first }: { first?: number | null }) =>
        product.options.slice(0, first ?? undefined).map((option, index) => ({
          id: gid("ProductOption", option.id),
          name: option.name,
          position: index + 1,
          values: option.values,
        })),
      featuredMedia: () => (product.images[0] ? mediaView(product.images[0]) : null),
      media: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(product.images, args, context, (image) => [image.id, image.id], mediaView, true),
      variants: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          product.variants,
          args,
          context,
          (variant) =>
            args.sortKey === "SKU"
              ? [variant.sku ?? "", variant.id]
              : args.sortKey === "ID"
                ? [variant.id, variant.id]
                : [variant.position, variant.id],
          variantView,
          args.sortKey !== "SKU",
        ),
      variantsCount: () => ({ count: product.variants.length }),
      mediaCount: () => ({ count: product.images.length }),
    };
  }

  const productFields: Record<string, SearchField<ShopifyProductRecord>> = {
    id: { kind: "number", read: (product) => product.id },
    title: { kind: "text", read: (product) => product.title },
    handle: { kind: "text", read: (product) => product.handle },
    vendor: { kind: "text", read: (product) => product.vendor },
    product_type: { kind: "text", read: (product) => product.productType },
    status: { kind: "text", read: (product) => product.status },
    tag: { kind: "list", read: (product) => product.tags },
    sku: { kind: "list", read: (product) => product.variants.map((variant) => variant.sku ?? "") },
    barcode: { kind: "list", read: (product) => product.variants.map((variant) => variant.barcode ?? "") },
    created_at: { kind: "date", read: (product) => product.createdAt },
    updated_at: { kind: "date", read: (product) => product.updatedAt },
  };

  const variantFields: Record<string, SearchField<ShopifyVariantRecord>> = {
    id: { kind: "number", read: (variant) => variant.id },
    sku: { kind: "text", read: (variant) => variant.sku ?? undefined },
    barcode: { kind: "text", read: (variant) => variant.barcode ?? undefined },
    product_id: { kind: "number", read: (variant) => variant.productId },
    title: { kind: "text", read: (variant) => variant.title },
    updated_at: { kind: "date", read: (variant) => variant.updatedAt },
  };

  function productKey(
    sortKey: string | null | undefined,
  ): (product: ShopifyProductRecord) => [SortValue, number] {
    switch (sortKey) {
      case "TITLE":
        return (product) => [product.title, product.id];
      case "UPDATED_AT":
        return (product) => [product.updatedAt, product.id];
      case "CREATED_AT":
        return (product) => [product.createdAt, product.id];
      default:
        return (product) => [product.id, product.id];
    }
  }

  // --- Orders --------------------------------------------------------------------------------

  /** Where each order line took its stock from (for `committed`). */
  const committedLocation = new Map<number, number>();

  function addressView(address: ShopifyAddress | null) {
    if (address === null) return null;
    const name = [address.firstName, address.lastName].filter(Boolean).join(" ");
    return {
      ...address,
      name: name === "" ? null : name,
      province: address.provinceCode ?? null,
      country: address.countryCode ?? null,
      countryCodeV2: address.countryCode ?? null,
    };
  }

  function lineItemView(order: ShopifyOrderRecord, line: ShopifyLineItemRecord) {
    const fulfilled = () => store.fulfilledQuantity(order, line.id);
    const variant = line.variantId === null ? undefined : store.variantsById.get(line.variantId);
    const product = line.productId === null ? undefined : store.productsById.get(line.productId);
    return {
      __typename: "LineItem",
      id: gid("LineItem", line.id),
      name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
      title: line.title,
      variantTitle: line.variantTitle,
      sku: line.sku,
      vendor: line.vendor,
      quantity: line.quantity,
      currentQuantity: order.cancelledAt === null ? line.quantity : 0,
      unfulfilledQuantity: () => Math.max(0, line.quantity - fulfilled()),
      requiresShipping: line.requiresShipping,
      taxable: line.taxable,
      variant: () => (variant ? variantView(variant) : null),
      product: () => (product ? productView(product) : null),
      originalUnitPriceSet: moneyBag(line.price, order.currency),
      customAttributes: line.properties.map((property) => ({ key: property.name, value: property.value })),
    };
  }

  function fulfillmentView(fulfillment: ShopifyFulfillmentRecord): Record<string, unknown> {
    const order = store.ordersById.get(fulfillment.orderId)!;
    return {
      __typename: "Fulfillment",
      id: gid("Fulfillment", fulfillment.id),
      legacyResourceId: String(fulfillment.id),
      name: `${order.name}.${fulfillment.sequence}`,
      status: fulfillment.status,
      createdAt: fulfillment.createdAt,
      updatedAt: fulfillment.updatedAt,
      order: () => orderView(order),
      trackingInfo: ({ first }: { first?: number | null }) =>
        fulfillment.tracking.slice(0, first ?? undefined),
      fulfillmentLineItems: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          fulfillment.lines,
          args,
          context,
          (line) => [line.id, line.id],
          (line) => ({
            id: gid("FulfillmentLineItem", line.id),
            quantity: line.quantity,
            lineItem: () =>
              lineItemView(
                order,
                order.lineItems.find((item) => item.id === line.lineItemId)!,
              ),
          }),
          true,
        ),
    };
  }

  function fulfillmentOrderView(order: ShopifyOrderRecord) {
    const remaining = (line: ShopifyLineItemRecord) =>
      Math.max(0, line.quantity - store.fulfilledQuantity(order, line.id));
    const open = order.lineItems.some((line) => remaining(line) > 0);
    const started = order.fulfillments.some((fulfillment) => fulfillment.status === "SUCCESS");
    return {
      __typename: "FulfillmentOrder",
      id: gid("FulfillmentOrder", order.fulfillmentOrderId),
      orderId: gid("Order", order.id),
      status: order.cancelledAt !== null ? "CANCELLED" : !open ? "CLOSED" : started ? "IN_PROGRESS" : "OPEN",
      lineItems: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          order.lineItems,
          args,
          context,
          (line) => [line.id, line.id],
          (line) => ({
            id: gid("FulfillmentOrderLineItem", line.id),
            totalQuantity: line.quantity,
            remainingQuantity: remaining(line),
            lineItem: () => lineItemView(order, line),
          }),
          true,
        ),
    };
  }

  function orderView(order: ShopifyOrderRecord): Record<string, unknown> {
    const totals = orderTotals(order);
    return {
      __typename: "Order",
      id: gid("Order", order.id),
      legacyResourceId: String(order.id),
      name: order.name,
      email: order.email,
      phone: order.phone,
      note: order.note,
      poNumber: order.poNumber,
      test: order.test,
      tags: order.tags,
      sourceName: order.sourceName,
      sourceIdentifier: order.sourceIdentifier,
      sourceUrl: order.sourceUrl,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      processedAt: order.processedAt,
      closed: order.closedAt !== null,
      closedAt: order.closedAt,
      cancelledAt: order.cancelledAt,
      cancelReason: order.cancelReason,
      currencyCode: order.currency,
      taxesIncluded: order.taxesIncluded,
      displayFinancialStatus: order.financialStatus,
      displayFulfillmentStatus: () => store.fulfillmentStatus(order),
      subtotalPriceSet: moneyBag(decimalOf(totals.subtotal), order.currency),
      totalShippingPriceSet: moneyBag(decimalOf(totals.shipping), order.currency),
      totalPriceSet: moneyBag(decimalOf(totals.total), order.currency),
      shippingAddress: addressView(order.shippingAddress),
      billingAddress: addressView(order.billingAddress),
      customAttributes: order.customAttributes,
      lineItems: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          order.lineItems,
          args,
          context,
          (line) => [line.id, line.id],
          (line) => lineItemView(order, line),
          true,
        ),
      shippingLines: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          order.shippingLines.map((line, index) => ({ line, index })),
          args,
          context,
          (entry) => [entry.index, entry.index],
          (entry) => ({
            id: null,
            title: entry.line.title,
            code: entry.line.code,
            source: entry.line.source,
            originalPriceSet: moneyBag(entry.line.price, order.currency),
          }),
          true,
        ),
      fulfillments: ({ first }: { first?: number | null }) =>
        order.fulfillments.slice(0, first ?? undefined).map(fulfillmentView),
      fulfillmentOrders: (args: ConnectionArgs, context: ShopifyContext) =>
        paginate(
          [order],
          args,
          context,
          (entry) => [entry.fulfillmentOrderId, entry.fulfillmentOrderId],
          fulfillmentOrderView,
          true,
        ),
    };
  }

  const orderFields: Record<string, SearchField<ShopifyOrderRecord>> = {
    id: { kind: "number", read: (order) => order.id },
    name: { kind: "list", read: (order) => [order.name, order.name.replace(/^#/, "")] },
    email: { kind: "text", read: (order) => order.email ?? undefined },
    source_identifier: { kind: "text", read: (order) => order.sourceIdentifier ?? undefined },
    source_name: { kind: "text", read: (order) => order.sourceName ?? undefined },
    tag: { kind: "list", read: (order) => order.tags },
    financial_status: { kind: "text", read: (order) => order.financialStatus },
    fulfillment_status: {
      kind: "list",
      read: (order) => {
        const status = store.fulfillmentStatus(order);
        return status === "FULFILLED"
          ? ["shipped", "fulfilled"]
          : status === "PARTIALLY_FULFILLED"
            ? ["partial", "unshipped"]
            : ["unshipped", "unfulfilled"];
      },
    },
    status: {
      kind: "text",
      read: (order) =>
        order.cancelledAt !== null ? "cancelled" : order.closedAt !== null ? "closed" : "open",
    },
    created_at: { kind: "date", read: (order) => order.createdAt },
    updated_at: { kind: "date", read: (order) => order.updatedAt },
    processed_at: { kind: "date", read: (order) => order.processedAt },
  };

  function orderKey(sortKey: string | null | undefined): (order: ShopifyOrderRecord) => [SortValue, number] {
    switch (sortKey) {
      case "CREATED_AT":
        return (order) => [order.createdAt, order.id];
      case "PROCESSED_AT":
        return (order) => [order.processedAt, order.id];
      case "UPDATED_AT":
        return (order) => [order.updatedAt, order.id];
      default:
        return (order) => [order.id, order.id];
    }
  }

  // --- orderCreate ---------------------------------------------------------------------------

  type UserError = { field: string[]; message: string; code: string };

  function orderCreate(args: { order: Record<string, unknown>; options?: Record<string, unknown> | null }) {
    const input = args.order;
    const errors: UserError[] = [];
    const currency = (input.currency as string | undefined) ?? deps.currency;
    const lines = (input.lineItems as Record<string, unknown>[] | null | undefined) ?? [];
    if (lines.length === 0) {
      errors.push({
        field: ["order", "lineItems"],
        message: "Line items must have at least one line item.",
        code: "BLANK",
      });
    }
    if (lines.length > MAX_PAGE_SIZE) {
      errors.push({
        field: ["order", "lineItems"],
        message: `Line items must have at most ${MAX_PAGE_SIZE} items.`,
        code: "TOO_MANY",
      });
    }
    const sourceName = input.sourceName as string | undefined;
    if (sourceName !== undefined && RESERVED_SOURCE_NAMES.has(sourceName)) {
      errors.push({
        field: ["order", "sourceName"],
        message: `Source name ${sourceName} is reserved.`,
        code: "INVALID",
      });
    }
    const behaviour = (args.options?.inventoryBehaviour as string | undefined) ?? "BYPASS";
    const resolved: { line: ShopifyLineItemRecord; variant: ShopifyVariantRecord | undefined }[] = [];
    lines.forEach((line, index) => {
      const field = ["order", "lineItems", String(index)];
      const quantity = line.quantity as number;
      if (quantity < 1)
        errors.push({
          field: [...field, "quantity"],
          message: "Quantity must be greater than 0.",
          code: "INVALID",
        });
      const priceSet = line.priceSet as { shopMoney: { amount: string; currencyCode: string } } | undefined;
      if (priceSet && !/^-?\d+(\.\d+)?$/.test(String(priceSet.shopMoney.amount))) {
        errors.push({ field: [...field, "priceSet"], message: "Amount is not a decimal.", code: "INVALID" });
      }
      let variant: ShopifyVariantRecord | undefined;
      if (line.variantId !== undefined && line.variantId !== null) {
        const id = idOf(line.variantId, "ProductVariant");
        variant = id === undefined ? undefined : store.variantsById.get(id);
        if (!variant) {
          errors.push({
            field: [...field, "variantId"],
            message: `Variant ${JSON.stringify(line.variantId)} does not exist.`,
            code: "NOT_FOUND",
          });
          return;
        }
      } else if (!requireText(line.title)) {
        // Without a variant the line is a custom line: it needs a title and a price.
        errors.push({ field: [...field, "title"], message: "Title can't be blank.", code: "BLANK" });
        return;
      } else if (!priceSet) {
        errors.push({ field: [...field, "priceSet"], message: "Price can't be blank.", code: "BLANK" });
        return;
      }
      const product = variant ? store.productsById.get(variant.productId) : undefined;
      resolved.push({
        variant,
        line: {
          id: 0,
          variantId: variant?.id ?? null,
          productId: product?.id ?? idOf(line.productId, "Product") ?? null,
          title: (line.title as string | undefined) ?? product?.title ?? "",
          variantTitle:
            (line.variantTitle as string | undefined) ??
            (variant && variant.title !== "Default Title" ? variant.title : null),
          sku: (line.sku as string | undefined) ?? variant?.sku ?? null,
          vendor: (line.vendor as string | undefined) ?? product?.vendor ?? null,
          quantity,
          price: priceSet ? decimalOf(centsOf(String(priceSet.shopMoney.amount))) : variant!.price,
          requiresShipping: (line.requiresShipping as boolean | undefined) ?? true,
          taxable: (line.taxable as boolean | undefined) ?? true,
          properties: (line.properties as { name: string; value: string }[] | undefined) ?? [],
        },
      });
    });
    if (errors.length === 0 && behaviour === "DECREMENT_OBEYING_POLICY") {
      resolved.forEach(({ line, variant }, index) => {
        if (variant && variant.inventoryPolicy === "DENY" && totalAvailable(variant) < line.quantity) {
          errors.push({
            field: ["order", "lineItems", String(index), "quantity"],
            message: `Not enough inventory available for ${variant.sku ?? variant.title}.`,
            code: "INVENTORY_NOT_AVAILABLE",
          });
        }
      });
    }
    if (errors.length > 0) return { order: null, userErrors: errors };

    const now = new Date().toISOString();
    const number = store.nextOrderNumber();
    const customer = input.customer as
      { toUpsert?: Record<string, string>; toAssociate?: Record<string, string> } | undefined;
    const email =
      (input.email as string | undefined) ??
      customer?.toUpsert?.email ??
      customer?.toAssociate?.email ??
      null;
    const order: ShopifyOrderRecord = {
      id: store.nextId("order"),
      number,
      name: (input.name as string | undefined) ?? `#${number}`,
      email,
      phone: (input.phone as string | undefined) ?? null,
      note: (input.note as string | undefined) ?? null,
      poNumber: (input.poNumber as string | undefined) ?? null,
      test: (input.test as boolean | undefined) ?? false,
      tags: [...new Set(((input.tags as string[] | undefined) ?? []).map((tag) => tag.trim()))].sort(),
      sourceName: sourceName ?? null,
      sourceIdentifier: (input.sourceIdentifier as string | undefined) ?? null,
      sourceUrl: (input.sourceUrl as string | undefined) ?? null,
      createdAt: now,
      updatedAt: now,
      processedAt: (input.processedAt as string | undefined) ?? now,
      closedAt: null,
      cancelledAt: null,
      cancelReason: null,
      currency,
      taxesIncluded: (input.taxesIncluded as boolean | undefined) ?? false,
      financialStatus: "PENDING",
      shippingAddress: (input.shippingAddress as ShopifyAddress | undefined) ?? null,
      billingAddress: (input.billingAddress as ShopifyAddress | undefined) ?? null,
      customAttributes: (input.customAttributes as { key: string; value: string }[] | undefined) ?? [],
      lineItems: resolved.map(({ line }) => ({ ...line, id: store.nextId("lineItem") })),
      shippingLines: ((input.shippingLines as Record<string, unknown>[] | undefined) ?? []).map((line) => ({
        title: line.title as string,
        code: (line.code as string | undefined) ?? null,
        source: (line.source as string | undefined) ?? null,
        price: decimalOf(
          centsOf(String((line.priceSet as { shopMoney: { amount: string } }).shopMoney.amount)),
        ),
      })),
      fulfillmentOrderId: store.nextId("fulfillmentOrder"),
      fulfillments: [],
      searchableAt: Date.now() + deps.orderSearchLagMs,
    };
    order.financialStatus = (input.financialStatus as string | undefined) ?? financialStatusOf(order, input);
    if (behaviour !== "BYPASS") {
      order.lineItems.forEach((line, index) => {
        const variant = resolved[index]!.variant;
        if (variant) committedLocation.set(line.id, decrement(variant, line.quantity));
      });
    }
    store.orders.push(order);
    store.ordersById.set(order.id, order);
    deps.onOrderCreated(order.id);
    return { order: orderView(order), userErrors: [] };
  }

  /** Takes stock from the locations in order (the first location may go negative); returns the first. */
  function decrement(variant: ShopifyVariantRecord, quantity: number): number {
    let left = quantity;
    const locations = [...variant.available.keys()];
    const first = locations[0] ?? store.locations[0]?.id ?? 0;
    for (const locationId of locations) {
      const take = Math.min(left, Math.max(0, variant.available.get(locationId) ?? 0));
      variant.available.set(locationId, (variant.available.get(locationId) ?? 0) - take);
      left -= take;
    }
    if (left > 0) variant.available.set(first, (variant.available.get(first) ?? 0) - left);
    variant.updatedAt = new Date().toISOString();
    return first;
  }

  function financialStatusOf(order: ShopifyOrderRecord, input: Record<string, unknown>): string {
    const transactions = (input.transactions as Record<string, unknown>[] | undefined) ?? [];
    const paid = transactions
      .filter(
        (transaction) =>
          (transaction.kind ?? "SALE") === "SALE" && (transaction.status ?? "SUCCESS") === "SUCCESS",
      )
      .reduce(
        (sum, transaction) =>
          sum +
          centsOf(String((transaction.amountSet as { shopMoney: { amount: string } }).shopMoney.amount)),
        0,
      );
    const total = orderTotals(order).total;
    return paid === 0 ? "PENDING" : paid >= total ? "PAID" : "PARTIALLY_PAID";
  }

  // --- Fulfillments --------------------------------------------------------------------------

  function trackingOf(input: {
    company?: string | null;
    number?: string | null;
    numbers?: string[] | null;
    url?: string | null;
    urls?: string[] | null;
  }) {
    const company = input.company ?? null;
    const numbers = input.numbers ?? (input.number ? [input.number] : []);
    const urls = input.urls ?? (input.url ? [input.url] : []);
    if (numbers.length === 0 && company !== null) return [{ company, number: null, url: urls[0] ?? null }];
    return numbers.map((number, index) => ({
      company,
      number,
      url: urls[index] ?? trackingUrlOf(company, number),
    }));
  }

  /** Ships lines of an order (all remaining when `lines` is absent); returns the fulfillment id. */
  function createFulfillment(
    orderId: number,
    input: {
      company?: string;
      number?: string;
      url?: string;
      lines?: { lineItemId: string | number; quantity: number }[];
    },
  ): number {
    const order = store.ordersById.get(orderId)!;
    if (order.cancelledAt !== null) throw new Error(`order ${order.name} is cancelled`);
    const remaining = (line: ShopifyLineItemRecord) =>
      line.quantity - store.fulfilledQuantity(order, line.id);
    const wanted = input.lines
      ? input.lines.map((entry) => {
          const id =
            typeof entry.lineItemId === "number" ? entry.lineItemId : idOf(entry.lineItemId, "LineItem");
          const line = order.lineItems.find((candidate) => candidate.id === id);
          if (!line) throw new Error(`order ${order.name} has no line item ${entry.lineItemId}`);
          if (entry.quantity < 1 || entry.quantity > remaining(line)) {
            throw new Error(
              `line item ${line.id} has ${remaining(line)} left to fulfill, not ${entry.quantity}`,
            );
          }
          return { line, quantity: entry.quantity };
        })
      : order.lineItems
          .filter((line) => remaining(line) > 0)
          .map((line) => ({ line, quantity: remaining(line) }));
    if (wanted.length === 0) throw new Error(`order ${order.name} has nothing left to fulfill`);
    const now = new Date().toISOString();
    const fulfillment: ShopifyFulfillmentRecord = {
      id: store.nextId("fulfillment"),
      orderId,
      sequence: order.fulfillments.length + 1,
      status: "SUCCESS",
      createdAt: now,
      updatedAt: now,
      tracking: trackingOf(input),
      lines: wanted.map((entry) => ({
        id: store.nextId("fulfillmentLine"),
        lineItemId: entry.line.id,
        quantity: entry.quantity,
      })),
    };
    order.fulfillments.push(fulfillment);
    order.updatedAt = now;
    store.fulfillmentsById.set(fulfillment.id, fulfillment);
    deps.onFulfillmentCreated(fulfillment.id, orderId);
    return fulfillment.id;
  }

  function updateTracking(
    fulfillmentId: number,
    input: { company?: string; number?: string; numbers?: string[]; url?: string; urls?: string[] },
  ): void {
    const fulfillment = store.fulfillmentsById.get(fulfillmentId);
    if (!fulfillment) throw new Error(`the Shopify simulator holds no fulfillment ${fulfillmentId}`);
    fulfillment.tracking = trackingOf(input);
    fulfillment.updatedAt = new Date().toISOString();
    store.ordersById.get(fulfillment.orderId)!.updatedAt = fulfillment.updatedAt;
    deps.onTrackingUpdated(fulfillment.id);
  }

  function fulfillmentCreate(args: { fulfillment: Record<string, unknown> }) {
    const input = args.fulfillment;
    const groups = input.lineItemsByFulfillmentOrder as {
      fulfillmentOrderId: string;
      fulfillmentOrderLineItems?: { id: string; quantity: number }[] | null;
    }[];
    if (groups.length !== 1) {
      return {
        fulfillment: null,
        userErrors: [
          {
            field: ["fulfillment", "lineItemsByFulfillmentOrder"],
            message: "The simulator fulfils one fulfillment order per call.",
          },
        ],
      };
    }
    const group = groups[0]!;
    const foId = idOf(group.fulfillmentOrderId, "FulfillmentOrder");
    const order = store.orders.find((candidate) => candidate.fulfillmentOrderId === foId);
    if (!order) {
      return {
        fulfillment: null,
        userErrors: [
          {
            field: ["fulfillment", "lineItemsByFulfillmentOrder", "0", "fulfillmentOrderId"],
            message: "Fulfillment order does not exist.",
          },
        ],
      };
    }
    const tracking = (input.trackingInfo ?? {}) as { company?: string; number?: string; url?: string };
    try {
      const id = createFulfillment(order.id, {
        ...tracking,
        ...(group.fulfillmentOrderLineItems
          ? {
              lines: group.fulfillmentOrderLineItems.map((entry) => ({
                lineItemId: idOf(entry.id, "FulfillmentOrderLineItem") ?? -1,
                quantity: entry.quantity,
              })),
            }
          : {}),
      });
      return { fulfillment: fulfillmentView(store.fulfillmentsById.get(id)!), userErrors: [] };
    } catch (error) {
      return {
        fulfillment: null,
        userErrors: [{ field: ["fulfillment"], message: (error as Error).message }],
      };
    }
  }

  function fulfillmentTrackingInfoUpdate(args: {
    fulfillmentId: string;
    trackingInfoInput: Record<string, unknown>;
  }) {
    const id = idOf(args.fulfillmentId, "Fulfillment");
    if (id === undefined || !store.fulfillmentsById.has(id)) {
      return {
        fulfillment: null,
        userErrors: [{ field: ["fulfillmentId"], message: "Fulfillment does not exist." }],
      };
    }
    updateTracking(id, args.trackingInfoInput);
    return { fulfillment: fulfillmentView(store.fulfillmentsById.get(id)!), userErrors: [] };
  }

  // --- Bulk operations -----------------------------------------------------------------------

  function bulkView(operation: BulkOperationRecord) {
    return {
      __typename: "BulkOperation",
      id: gid("BulkOperation", operation.id),
      status: operation.status,
      errorCode: operation.errorCode,
      // UnsignedInt64 values are strings on the wire.
      objectCount: String(operation.objectCount),
      rootObjectCount: String(operation.rootObjectCount),
      fileSize: operation.fileSize === null ? null : String(operation.fileSize),
      url: operation.url,
      partialDataUrl: null,
      createdAt: operation.createdAt,
      completedAt: operation.completedAt,
      query: operation.query,
      type: operation.type,
    };
  }

  function bulkOperationRunQuery(
    args: { query: string; groupObjects?: boolean | null },
    context: ShopifyContext,
  ) {
    const problem = deps.checkBulkQuery(args.query);
    if (problem !== undefined)
      return { bulkOperation: null, userErrors: [{ field: ["query"], message: problem, code: "INVALID" }] };
    const running = [...deps.bulkOperations.values()].filter(
      (operation) => operation.status === "CREATED" || operation.status === "RUNNING",
    );
    // Up to 5 bulk queries at once from 2026-01; one before (stores.md §1.4).
    const limit = context.version >= "2026-01" ? 5 : 1;
    if (running.length >= limit) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message:
              limit === 1
                ? `A bulk query operation for this app and shop is already in progress: ${gid("BulkOperation", running[0]!.id)}.`
                : `The limit of ${limit} concurrent bulk query operations for this app and shop has been reached.`,
            code: limit === 1 ? "OPERATION_IN_PROGRESS" : "LIMIT_REACHED",
          },
        ],
      };
    }
    // groupObjects defaults to false from 2026-01 (child lines need not follow their parent).
    const groupObjects = args.groupObjects ?? context.version < "2026-01";
    return {
      bulkOperation: bulkView(deps.startBulk(args.query, groupObjects, context.version)),
      userErrors: [],
    };
  }

  function bulkOperationCancel(args: { id: string }) {
    const id = idOf(args.id, "BulkOperation");
    const operation = id === undefined ? undefined : deps.bulkOperations.get(id);
    if (!operation)
      return {
        bulkOperation: null,
        userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }],
      };
    if (operation.status !== "CREATED" && operation.status !== "RUNNING") {
      return {
        bulkOperation: bulkView(operation),
        userErrors: [
          {
            field: null,
            message: `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}`,
          },
        ],
      };
    }
    operation.status = "CANCELED";
    operation.completedAt = new Date().toISOString();
    return { bulkOperation: bulkView(operation), userErrors: [] };
  }

  // --- orderCancel ---------------------------------------------------------------------------

  /**
   * Cancels an order as Shopify's `orderCancel` does (an asynchronous job on Shopify, done at once
   * here): the unfulfilled quantities go back to stock when `restock` is set.
   */
  function cancel(orderId: number, reason: string, restock: boolean): void {
    const order = store.ordersById.get(orderId)!;
    const now = new Date().toISOString();
    if (restock) {
      for (const line of order.lineItems) {
        const variant = line.variantId === null ? undefined : store.variantsById.get(line.variantId);
        const location = committedLocation.get(line.id);
        if (!variant || location === undefined) continue;
        const back = line.quantity - store.fulfilledQuantity(order, line.id);
        if (back > 0) variant.available.set(location, (variant.available.get(location) ?? 0) + back);
        variant.updatedAt = now;
      }
    }
    order.cancelledAt = now;
    order.cancelReason = reason;
    order.closedAt = now;
    order.updatedAt = now;
    deps.onOrderCancelled(order.id);
  }

  function orderCancel(args: { orderId: string; reason: string; restock: boolean }) {
    const id = idOf(args.orderId, "Order");
    const order = id === undefined ? undefined : store.ordersById.get(id);
    const refused = (code: string, message: string) => ({
      job: null,
      orderCancelUserErrors: [{ field: ["orderId"], message, code }],
      userErrors: [{ field: ["orderId"], message }],
    });
    if (!order) return refused("NOT_FOUND", "Order does not exist.");
    if (order.cancelledAt !== null)
      return refused("INVALID", "Cannot cancel an order that is already cancelled.");
    if (store.fulfillmentStatus(order) === "FULFILLED") {
      return refused("INVALID", "Cannot cancel a fulfilled order.");
    }
    cancel(order.id, args.reason, args.restock);
    return {
      job: { id: gid("Job", store.nextId("job")), done: true },
      orderCancelUserErrors: [],
      userErrors: [],
    };
  }

  const bulkFields: Record<string, SearchField<BulkOperationRecord>> = {
    status: { kind: "text", read: (operation) => operation.status },
    operation_type: { kind: "text", read: (operation) => operation.type },
    created_at: { kind: "date", read: (operation) => operation.createdAt },
    id: { kind: "number", read: (operation) => operation.id },
  };

  // --- Roots ---------------------------------------------------------------------------------

  function node(args: { id: string }): Record<string, unknown> | null {
    const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)/.exec(args.id);
    if (!match) return null;
    const id = Number(match[2]);
    switch (match[1]) {
      case "Product": {
        const product = store.productsById.get(id);
        return product ? productView(product) : null;
      }
      case "ProductVariant": {
        const variant = store.variantsById.get(id);
        return variant ? variantView(variant) : null;
      }
      case "InventoryItem": {
        const variant = store.variantsByInventoryItem.get(id);
        return variant ? inventoryItemView(variant) : null;
      }
      case "Location":
        return store.locations.some((location) => location.id === id) ? locationView(id) : null;
      case "Order": {
        const order = store.ordersById.get(id);
        return order ? orderView(order) : null;
      }
      case "Fulfillment": {
        const fulfillment = store.fulfillmentsById.get(id);
        return fulfillment ? fulfillmentView(fulfillment) : null;
      }
      case "BulkOperation": {
        const operation = deps.bulkOperations.get(id);
        return operation ? bulkView(operation) : null;
      }
      default:
        return null;
    }
  }

  const typed = (type: string) => (args: { id: string }) => {
    const found = node(args);
    return found && found.__typename === type ? found : null;
  };

  return {
    // Query
    shop: () => ({
      id: gid("Shop", 60_000_000_001),
      name: deps.shopDomain.replace(/\.myshopify\.com$/, ""),
      myshopifyDomain: deps.shopDomain,
      currencyCode: deps.currency,
      ianaTimezone: "America/Bogota",
    }),
    node,
    product: typed("Product"),
    productVariant: typed("ProductVariant"),
    order: typed("Order"),
    fulfillment: typed("Fulfillment"),
    bulkOperation: typed("BulkOperation"),
    products: (args: ConnectionArgs, context: ShopifyContext) => {
      const matches = search(context, "products", args.query, productFields, ["title"]);
      const key = productKey(args.sortKey);
      return paginate(
        store.products.filter(matches),
        args,
        context,
        key,
        productView,
        !args.sortKey || args.sortKey === "ID",
      );
    },
    productVariants: (args: ConnectionArgs, context: ShopifyContext) => {
      const matches = search(context, "productVariants", args.query, variantFields, ["title", "sku"]);
      const key = (variant: ShopifyVariantRecord): [SortValue, number] =>
        args.sortKey === "SKU" ? [variant.sku ?? "", variant.id] : [variant.id, variant.id];
      return paginate(
        store.variants.filter(matches),
        args,
        context,
        key,
        variantView,
        args.sortKey !== "SKU",
      );
    },
    productVariantsCount: (
      args: { query?: string | null; limit?: number | null },
      context: ShopifyContext,
    ) => {
      const matches = search(context, "productVariantsCount", args.query, variantFields, ["title", "sku"]);
      const count = store.variants.filter(matches).length;
      // Shopify caps the count at `limit` (default 10,000) unless the limit is null.
      return { count: args.limit === null ? count : Math.min(count, args.limit ?? 10_000) };
    },
    locations: (args: ConnectionArgs, context: ShopifyContext) =>
      paginate(
        store.locations,
        args,
        context,
        (location) => [location.id, location.id],
        (location) => locationView(location.id),
        true,
      ),
    orders: (args: ConnectionArgs, context: ShopifyContext) => {
      const matches = search(context, "orders", args.query, orderFields, ["name", "email"]);
      const now = Date.now();
      // Without read_all_orders Shopify shows the last 60 days only; a fresh order reaches the
      // search index after a lag (stores.md §1.7).
      const visible = store.orders.filter(
        (order) =>
          (args.query ? order.searchableAt <= now : true) &&
          (deps.readAllOrders || Date.parse(order.processedAt) >= now - 60 * 86_400_000) &&
          matches(order),
      );
      return paginate(
        visible,
        args,
        context,
        orderKey(args.sortKey),
        orderView,
        !args.sortKey || args.sortKey === "ID",
      );
    },
    bulkOperations: (args: ConnectionArgs, context: ShopifyContext) => {
      const matches = search(context, "bulkOperations", args.query, bulkFields, []);
      return paginate(
        [...deps.bulkOperations.values()].filter(matches),
        args,
        context,
        (operation) => [operation.id, operation.id],
        bulkView,
        true,
      );
    },
    currentBulkOperation: (args: { type?: string | null }) => {
      const latest = [...deps.bulkOperations.values()]
        .filter((operation) => operation.type === (args.type ?? "QUERY"))
        .pop();
      return latest ? bulkView(latest) : null;
    },
    // Mutation
    bulkOperationRunQuery,
    bulkOperationCancel,
    orderCreate,
    fulfillmentCreate,
    fulfillmentTrackingInfoUpdate,
    orderCancel,
    // For the simulator's own helpers (a merchant shipping from the admin).
    createFulfillment,
    updateTracking,
    cancel,
  };
}

export type ShopifyResolvers = ReturnType<typeof createShopifyResolvers>;
