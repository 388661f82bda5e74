import { checkStoreCatalog, type StoreCatalogProduct } from "./store-catalog.js";

/**
 * What the Shopify simulator holds: products, variants, inventory per location, orders,
 * fulfillment orders and fulfillments, with numeric ids in Shopify's ranges (GIDs are built from
 * them), and the REST-shaped JSON its webhooks carry (stores.md §1.8, §1.9).
 */

export interface ShopifyLocation {
  id: number;
  name: string;
}

export interface ShopifyVariantRecord {
  id: number;
  productId: number;
  inventoryItemId: number;
  position: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryPolicy: "DENY" | "CONTINUE";
  selectedOptions: { name: string; value: string }[];
  /** `available` per location id. */
  available: Map<number, number>;
  weightGrams: number;
  createdAt: string;
  updatedAt: string;
}

export interface ShopifyProductRecord {
  id: number;
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  status: "ACTIVE" | "DRAFT" | "ARCHIVED";
  tags: string[];
  createdAt: string;
  updatedAt: string;
  images: { id: number; url: string; alt: string | null }[];
  options: { id: number; name: string; values: string[] }[];
  variants: ShopifyVariantRecord[];
}

export interface ShopifyAddress {
  firstName?: string;
  lastName?: string;
  company?: string;
  address1?: string;
  address2?: string;
  city?: string;
  provinceCode?: string;
  countryCode?: string;
  zip?: string;
  phone?: string;
}

export interface ShopifyLineItemRecord {
  id: number;
  variantId: number | null;
  productId: number | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  vendor: string | null;
  quantity: number;
  price: string;
  requiresShipping: boolean;
  taxable: boolean;
  properties: { name: string; value: string }[];
}

export interface ShopifyFulfillmentRecord {
  id: number;
  orderId: number;
  /** 1 for the order's first fulfillment (name `#1001.1`). */
  sequence: number;
  status: "SUCCESS" | "CANCELLED" | "ERROR" | "FAILURE";
  createdAt: string;
  updatedAt: string;
  tracking: { company: string | null; number: string | null; url: string | null }[];
  lines: { id: number; lineItemId: number; quantity: number }[];
}

export interface ShopifyOrderRecord {
  id: number;
  number: number;
  name: string;
  email: string | null;
  phone: string | null;
  note: string | null;
  poNumber: string | null;
  test: boolean;
  tags: string[];
  sourceName: string | null;
  sourceIdentifier: string | null;
  sourceUrl: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  closedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  currency: string;
  taxesIncluded: boolean;
  financialStatus: string;
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  customAttributes: { key: string; value: string }[];
  lineItems: ShopifyLineItemRecord[];
  shippingLines: { title: string; code: string | null; source: string | null; price: string }[];
  fulfillmentOrderId: number;
  fulfillments: ShopifyFulfillmentRecord[];
  /** When the order shows in `orders(query:)` (Shopify's search index lags a fresh order). */
  searchableAt: number;
}

/** Shopify's id ranges: numbers of the same length as real ones (webhooks carry them). */
const ID_BASE = {
  product: 9_554_000_000_000,
  variant: 49_148_000_000_000,
  inventoryItem: 51_230_000_000_000,
  image: 41_800_000_000_000,
  option: 11_900_000_000_000,
  location: 76_000_000_000,
  order: 6_100_000_000_000,
  lineItem: 15_800_000_000_000,
  fulfillment: 5_600_000_000_000,
  fulfillmentOrder: 7_100_000_000_000,
  fulfillmentLine: 12_300_000_000_000,
  job: 4_400_000_000_000,
} as const;

export type IdKind = keyof typeof ID_BASE;

export class ShopifyStore {
  readonly products: ShopifyProductRecord[] = [];
  readonly productsById = new Map<number, ShopifyProductRecord>();
  readonly variants: ShopifyVariantRecord[] = [];
  readonly variantsById = new Map<number, ShopifyVariantRecord>();
  readonly variantsByInventoryItem = new Map<number, ShopifyVariantRecord>();
  readonly locations: ShopifyLocation[] = [];
  readonly orders: ShopifyOrderRecord[] = [];
  readonly ordersById = new Map<number, ShopifyOrderRecord>();
  readonly fulfillmentsById = new Map<number, ShopifyFulfillmentRecord>();
  private readonly counters = new Map<IdKind, number>();
  private orderNumber = 1000;

  nextId(kind: IdKind): number {
    const next = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, next);
    return ID_BASE[kind] + next;
  }

  nextOrderNumber(): number {
    this.orderNumber += 1;
    return this.orderNumber;
  }

  location(name: string): ShopifyLocation {
    let location = this.locations.find((candidate) => candidate.name === name);
    if (!location) {
      location = { id: this.nextId("location"), name };
      this.locations.push(location);
    }
    return location;
  }

  /** Adds the seed list (after checking it); products keep its order, ids ascending. */
  seed(catalog: readonly StoreCatalogProduct[], at: string): void {
    checkStoreCatalog(catalog);
    for (const product of this.products) {
      if (catalog.some((item) => item.handle === product.handle)) {
        throw new Error(`store catalog: handle ${product.handle} is already in the Shopify simulator`);
      }
    }
    for (const item of catalog) {
      const productId = this.nextId("product");
      const optionNames = item.options.length === 0 ? ["Title"] : item.options;
      const options = optionNames.map((name, index) => ({
        id: this.nextId("option"),
        name,
        values: [
          ...new Set(
            item.variants.map((variant) =>
              item.options.length === 0 ? "Default Title" : variant.optionValues[index]!,
            ),
          ),
        ],
      }));
      const product: ShopifyProductRecord = {
        id: productId,
        handle: item.handle,
        title: item.title,
        descriptionHtml: item.descriptionHtml,
        vendor: item.vendor,
        productType: item.productType,
        status: item.status === "active" ? "ACTIVE" : item.status === "draft" ? "DRAFT" : "ARCHIVED",
        tags: [...item.tags].sort(),
        createdAt: at,
        updatedAt: at,
        images: item.images.map((image) => ({
          id: this.nextId("image"),
          url: image.url,
          alt: image.alt ?? null,
        })),
        options,
        variants: [],
      };
      item.variants.forEach((seedVariant, index) => {
        const values = item.options.length === 0 ? ["Default Title"] : seedVariant.optionValues;
        const variant: ShopifyVariantRecord = {
          id: this.nextId("variant"),
          productId,
          inventoryItemId: this.nextId("inventoryItem"),
          position: index + 1,
          title: values.join(" / "),
          sku: seedVariant.sku === "" ? null : seedVariant.sku,
          barcode: seedVariant.barcode ?? null,
          price: seedVariant.price,
          compareAtPrice: seedVariant.compareAtPrice ?? null,
          inventoryPolicy: seedVariant.inventoryPolicy === "continue" ? "CONTINUE" : "DENY",
          selectedOptions: optionNames.map((name, position) => ({ name, value: values[position]! })),
          available: new Map(
            seedVariant.inventory.map((level) => [this.location(level.location).id, level.quantity]),
          ),
          weightGrams: seedVariant.weightGrams,
          createdAt: at,
          updatedAt: at,
        };
        product.variants.push(variant);
        this.variants.push(variant);
        this.variantsById.set(variant.id, variant);
        this.variantsByInventoryItem.set(variant.inventoryItemId, variant);
      });
      this.products.push(product);
      this.productsById.set(productId, product);
    }
  }

  /** Fulfilled quantity of a line over the order's live fulfillments. */
  fulfilledQuantity(order: ShopifyOrderRecord, lineItemId: number): number {
    let total = 0;
    for (const fulfillment of order.fulfillments) {
      if (fulfillment.status !== "SUCCESS") continue;
      for (const line of fulfillment.lines) if (line.lineItemId === lineItemId) total += line.quantity;
    }
    return total;
  }

  fulfillmentStatus(order: ShopifyOrderRecord): "FULFILLED" | "PARTIALLY_FULFILLED" | "UNFULFILLED" {
    const ordered = order.lineItems.reduce((sum, line) => sum + line.quantity, 0);
    const shipped = order.lineItems.reduce((sum, line) => sum + this.fulfilledQuantity(order, line.id), 0);
    return shipped === 0 ? "UNFULFILLED" : shipped >= ordered ? "FULFILLED" : "PARTIALLY_FULFILLED";
  }
}

/** Cents of a decimal text (two places; the simulator's currencies all have two). */
export function centsOf(amount: string): number {
  return Math.round(Number(amount) * 100);
}

export function decimalOf(cents: number): string {
  return (cents / 100).toFixed(2);
}

export function orderTotals(order: ShopifyOrderRecord): {
  subtotal: number;
  shipping: number;
  total: number;
} {
  const subtotal = order.lineItems.reduce((sum, line) => sum + centsOf(line.price) * line.quantity, 0);
  const shipping = order.shippingLines.reduce((sum, line) => sum + centsOf(line.price), 0);
  return { subtotal, shipping, total: subtotal + shipping };
}

/** Shopify builds a tracking URL only for carriers it knows, matched by exact name (§1.8). */
const TRACKING_URLS: Record<string, (number: string) => string> = {
  UPS: (number) => `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=${number}`,
  USPS: (number) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${number}`,
  FedEx: (number) => `https://www.fedex.com/fedextrack/?trknbr=${number}`,
  "DHL Express": (number) => `https://www.dhl.com/en/express/tracking.html?AWB=${number}&brand=DHL`,
};

export function trackingUrlOf(company: string | null, number: string | null): string | null {
  if (company === null || number === null) return null;
  return TRACKING_URLS[company]?.(encodeURIComponent(number)) ?? null;
}

/** A UTC instant as Shopify's REST payloads write it: shop-local time with its offset. */
export function restTime(iso: string | null, offsetMinutes: number): string | null {
  if (iso === null) return null;
  const shifted = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function restAddress(address: ShopifyAddress | null): Record<string, unknown> | null {
  if (address === null) return null;
  const name = [address.firstName, address.lastName].filter(Boolean).join(" ");
  return {
    first_name: address.firstName ?? null,
    last_name: address.lastName ?? null,
    name: name === "" ? null : name,
    company: address.company ?? null,
    address1: address.address1 ?? null,
    address2: address.address2 ?? null,
    city: address.city ?? null,
    province_code: address.provinceCode ?? null,
    country_code: address.countryCode ?? null,
    zip: address.zip ?? null,
    phone: address.phone ?? null,
  };
}

function restLineItem(
  line: ShopifyLineItemRecord,
  fulfilled: number,
  quantity = line.quantity,
): Record<string, unknown> {
  return {
    id: line.id,
    admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
    variant_id: line.variantId,
    product_id: line.productId,
    title: line.title,
    variant_title: line.variantTitle,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    sku: line.sku,
    vendor: line.vendor,
    quantity,
    price: line.price,
    requires_shipping: line.requiresShipping,
    taxable: line.taxable,
    gift_card: false,
    fulfillment_service: "manual",
    fulfillable_quantity: Math.max(0, line.quantity - fulfilled),
    fulfillment_status: fulfilled === 0 ? null : fulfilled >= line.quantity ? "fulfilled" : "partial",
    properties: line.properties,
  };
}

/** The fulfillment as `fulfillments/create|update` webhooks carry it (REST shape, §1.8). */
export function restFulfillment(
  store: ShopifyStore,
  fulfillment: ShopifyFulfillmentRecord,
  offsetMinutes: number,
  locationId: number | null,
): Record<string, unknown> {
  const order = store.ordersById.get(fulfillment.orderId)!;
  const first = fulfillment.tracking[0];
  return {
    id: fulfillment.id,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${fulfillment.id}`,
    order_id: fulfillment.orderId,
    name: `${order.name}.${fulfillment.sequence}`,
    status: fulfillment.status.toLowerCase(),
    created_at: restTime(fulfillment.createdAt, offsetMinutes),
    updated_at: restTime(fulfillment.updatedAt, offsetMinutes),
    service: "manual",
    shipment_status: null,
    location_id: locationId,
    origin_address: null,
    tracking_company: first?.company ?? null,
    tracking_number: first?.number ?? null,
    tracking_numbers: fulfillment.tracking.map((entry) => entry.number).filter((number) => number !== null),
    tracking_url: first?.url ?? null,
    tracking_urls: fulfillment.tracking.map((entry) => entry.url).filter((url) => url !== null),
    receipt: {},
    line_items: fulfillment.lines.map((line) => {
      const item = order.lineItems.find((candidate) => candidate.id === line.lineItemId)!;
      return restLineItem(item, store.fulfilledQuantity(order, item.id), line.quantity);
    }),
  };
}

/** The order as `orders/*` webhooks carry it (REST shape: snake_case, numeric ids). */
export function restOrder(
  store: ShopifyStore,
  order: ShopifyOrderRecord,
  offsetMinutes: number,
  locationId: number | null,
): Record<string, unknown> {
  const totals = orderTotals(order);
  const status = store.fulfillmentStatus(order);
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    number: order.number - 1000,
    order_number: order.number,
    email: order.email,
    contact_email: order.email,
    phone: order.phone,
    note: order.note,
    po_number: order.poNumber,
    test: order.test,
    tags: order.tags.join(", "),
    source_name: order.sourceName,
    source_identifier: order.sourceIdentifier,
    source_url: order.sourceUrl,
    created_at: restTime(order.createdAt, offsetMinutes),
    updated_at: restTime(order.updatedAt, offsetMinutes),
    processed_at: restTime(order.processedAt, offsetMinutes),
    closed_at: restTime(order.closedAt, offsetMinutes),
    cancelled_at: restTime(order.cancelledAt, offsetMinutes),
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    currency: order.currency,
    presentment_currency: order.currency,
    taxes_included: order.taxesIncluded,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: status === "UNFULFILLED" ? null : status === "FULFILLED" ? "fulfilled" : "partial",
    subtotal_price: decimalOf(totals.subtotal),
    total_price: decimalOf(totals.total),
    total_shipping_price_set: {
      shop_money: { amount: decimalOf(totals.shipping), currency_code: order.currency },
      presentment_money: { amount: decimalOf(totals.shipping), currency_code: order.currency },
    },
    note_attributes: order.customAttributes.map((attribute) => ({
      name: attribute.key,
      value: attribute.value,
    })),
    shipping_address: restAddress(order.shippingAddress),
    billing_address: restAddress(order.billingAddress),
    line_items: order.lineItems.map((line) => restLineItem(line, store.fulfilledQuantity(order, line.id))),
    shipping_lines: order.shippingLines.map((line) => ({
      title: line.title,
      code: line.code,
      source: line.source,
      price: line.price,
    })),
    fulfillments: order.fulfillments.map((fulfillment) =>
      restFulfillment(store, fulfillment, offsetMinutes, locationId),
    ),
  };
}
