import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedCall, RunningSimulator } from "./simulator.js";
import { checkStoreCatalog, totalQuantity, type StoreCatalogProduct } from "./store-catalog.js";
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

/**
 * A local twin of a WooCommerce store's REST API v3 (../shared/reference/stores.md §2):
 * `/wp-json/wc/v3/…` with consumer key/secret by HTTP Basic or query parameters and WooCommerce's
 * 401 bodies, products and variations in pages (`per_page` ≤ 100, `X-WP-Total`,
 * `X-WP-TotalPages`, `Link`), orders (`POST /orders` with `meta_data`, `GET /orders` with
 * `search`, `after`/`before`, `dates_are_gmt` — no meta filter, as in WooCommerce), the Shipment
 * Tracking extension's routes, and webhooks signed with each webhook's own secret, with the
 * unsigned creation ping. Dates are site time without offset; `*_gmt` are UTC without `Z`.
 */

export const WOOCOMMERCE_SIMULATOR_PORT = 8645;

export const WOOCOMMERCE_SIMULATOR_CREDENTIALS = {
  consumerKey: "ck_simulator000000000000000000000000000001",
  consumerSecret: "cs_simulator000000000000000000000000000001",
} as const;

export const WOOCOMMERCE_SIMULATOR_KEY_ENV = "OMNIFEED_WOOCOMMERCE_SIM_CONSUMER_KEY";
export const WOOCOMMERCE_SIMULATOR_SECRET_ENV = "OMNIFEED_WOOCOMMERCE_SIM_CONSUMER_SECRET";

export interface WooCommerceSimulatorOptions {
  host?: string;
  port?: number;
  consumerKey?: string;
  consumerSecret?: string;
  /** `read` keys are refused writes (401), as WooCommerce does. */
  permissions?: "read" | "write" | "read_write";
  catalog?: readonly StoreCatalogProduct[];
  /** The site's UTC offset in minutes (default 120): `date_*` fields are in it, without offset. */
  timezoneOffsetMinutes?: number;
  currency?: string;
  /** Whether the Shipment Tracking extension is installed (default true); without it its routes are 404. */
  shipmentTracking?: boolean;
}

/** A webhook as `POST /webhooks` made it. */
export interface WooWebhook {
  id: number;
  name: string;
  topic: string;
  delivery_url: string;
  secret: string;
  status: "active" | "paused" | "disabled";
  failure_count: number;
}

export interface WooCommerceSimulator extends RunningSimulator {
  /** `<url>/wp-json/wc/v3`. */
  apiUrl: string;
  seed(catalog: readonly StoreCatalogProduct[]): void;
  calls: RecordedCall[];
  resetCalls(): void;
  readonly webhookDeliveries: WebhookDelivery[];
  webhooksSettled(): Promise<void>;
  webhooks(): WooWebhook[];
  /** The merchant marks the order completed (shipped); `order.updated` fires. */
  completeOrder(orderId: number): void;
  /** Products and variations held, by id (for assertions). */
  records(): Map<number, Record<string, unknown>>;
  /** The merchant deletes a product (and its variations) for good. */
  deleteProduct(productId: number): void;
  /** The merchant changes a product's status (`draft`, `private`, `publish`). */
  setProductStatus(productId: number, status: string): void;
  /** Orders held (for assertions). */
  orders(): Record<string, unknown>[];
  /**
   * Faults, as hosts and their firewalls produce them: the next `count` requests (matching `path`
   * when given) are answered `status` (429 or 503, with `Retry-After` seconds when given) and not
   * processed.
   */
  failNext(fault: { count: number; status: number; retryAfterSeconds?: number; path?: RegExp }): void;
  /** The next `POST /orders` is processed (the order exists) but answered only after `ms`: a lost answer. */
  delayNextOrderAnswer(ms: number): void;
}

type Json = Record<string, unknown>;

class WooError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly params?: Record<string, string>,
  ) {
    super(message);
  }
}

/** An injected fault (`failNext`): answered as it is, the request not processed. */
class FaultAnswer extends Error {
  constructor(readonly answer: HttpAnswer) {
    super(`fault ${answer.status}`);
  }
}

const MAX_PER_PAGE = 100;
const TRACKING_PROVIDERS: Record<string, Record<string, string>> = {
  "United States": {
    USPS: "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
    UPS: "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
    Fedex: "https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s",
    "DHL US": "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s",
  },
  Germany: { DHL: "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?idc=%1$s" },
};

export async function startWooCommerceSimulator(
  options: WooCommerceSimulatorOptions = {},
): Promise<WooCommerceSimulator> {
  const consumerKey = options.consumerKey ?? WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerKey;
  const consumerSecret = options.consumerSecret ?? WOOCOMMERCE_SIMULATOR_CREDENTIALS.consumerSecret;
  const permissions = options.permissions ?? "read_write";
  const offsetMinutes = options.timezoneOffsetMinutes ?? 120;
  const currency = options.currency ?? "USD";
  const shipmentTracking = options.shipmentTracking ?? true;
  const calls: RecordedCall[] = [];
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<unknown>>();
  // WordPress posts: products, variations and orders share one id sequence.
  const products: Json[] = [];
  const records = new Map<number, Json>();
  const orders: Json[] = [];
  const webhooks: WooWebhook[] = [];
  let nextPostId = 10;
  let url = "";

  const siteTime = (ms: number) => new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const gmtTime = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const dates = (prefix: string, ms: number) => ({ [prefix]: siteTime(ms), [`${prefix}_gmt`]: gmtTime(ms) });

  function seed(catalog: readonly StoreCatalogProduct[]): void {
    checkStoreCatalog(catalog);
    const now = Date.now();
    for (const item of catalog) {
      const id = nextPostId++;
      const single = item.variants.length === 1 && item.options.length === 0;
      const product: Json = {
        id,
        name: item.title,
        slug: item.handle,
        permalink: `https://shop.example/product/${item.handle}/`,
        type: single ? "simple" : "variable",
        status: item.status === "active" ? "publish" : item.status === "draft" ? "draft" : "private",
        description: item.descriptionHtml,
        short_description: "",
        sku: single ? item.variants[0]!.sku : item.handle.toUpperCase(),
        categories: [
          { id: 15, name: item.productType, slug: item.productType.toLowerCase().replace(/\W+/g, "-") },
        ],
        tags: item.tags.map((tag, index) => ({ id: 100 + index, name: tag, slug: tag })),
        images: item.images.map((image, index) => ({
          id: 5000 + id * 10 + index,
          src: image.url,
          name: "",
          alt: image.alt ?? "",
        })),
        attributes: item.options.map((name, position) => ({
          id: 0,
          name,
          position,
          visible: true,
          variation: true,
          options: [...new Set(item.variants.map((variant) => variant.optionValues[position]!))],
        })),
        variations: [] as number[],
        parent_id: 0,
        meta_data: item.vendor ? [{ id: id * 10, key: "_brand", value: item.vendor }] : [],
        ...dates("date_created", now),
        ...dates("date_modified", now),
      };
      if (single) Object.assign(product, offerFields(item.variants[0]!));
      else {
        product.price = item.variants[0]!.price;
        for (const variant of item.variants) {
          const variationId = nextPostId++;
          (product.variations as number[]).push(variationId);
          records.set(variationId, {
            id: variationId,
            parent_id: id,
            type: "variation",
            status: "publish",
            name: `${item.title} - ${variant.optionValues.join(", ")}`,
            sku: variant.sku,
            ...offerFields(variant),
            attributes: item.options.map((name, position) => ({
              id: 0,
              name,
              option: variant.optionValues[position]!,
            })),
            global_unique_id: variant.barcode ?? "",
            ...dates("date_created", now),
            ...dates("date_modified", now),
          });
        }
      }
      products.push(product);
      records.set(id, product);
    }
  }

  function offerFields(variant: StoreCatalogProduct["variants"][number]): Json {
    const stock = totalQuantity(variant);
    const onSale = variant.compareAtPrice !== undefined;
    return {
      price: variant.price,
      regular_price: onSale ? variant.compareAtPrice : variant.price,
      sale_price: onSale ? variant.price : "",
      on_sale: onSale,
      manage_stock: true,
      stock_quantity: stock,
      stock_status:
        stock > 0 ? "instock" : variant.inventoryPolicy === "continue" ? "onbackorder" : "outofstock",
      backorders: variant.inventoryPolicy === "continue" ? "notify" : "no",
      weight: (variant.weightGrams / 1000).toFixed(3).replace(/\.?0+$/, ""),
      global_unique_id: variant.barcode ?? "",
    };
  }

  seed(options.catalog ?? []);

  // --- Webhooks ------------------------------------------------------------------------------

  function fire(topic: string, payload: Json): void {
    for (const webhook of webhooks) {
      if (webhook.status !== "active" || webhook.topic !== topic) continue;
      const body = JSON.stringify(payload);
      const [resource, event] = topic.split(".") as [string, string];
      const headers = {
        "content-type": "application/json",
        "x-wc-webhook-source": `${url}/`,
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-resource": resource,
        "x-wc-webhook-event": event,
        "x-wc-webhook-signature": signBody(webhook.secret, body),
        "x-wc-webhook-id": String(webhook.id),
        // Time-based, not per event (stores.md §2.4): two events in one second share it.
        "x-wc-webhook-delivery-id": createHash("md5")
          .update(`${webhook.id}${Math.floor(Date.now() / 1000)}`)
          .digest("hex"),
      };
      track(
        deliverWebhook(webhook.delivery_url, topic, headers, body, 5000).then((delivery) => {
          deliveries.push(delivery);
          // Success is 200–302; after 5 failures in a row the webhook is disabled, with no redelivery.
          if (delivery.status >= 200 && delivery.status <= 302) webhook.failure_count = 0;
          else if (++webhook.failure_count >= 5) webhook.status = "disabled";
          return delivery;
        }),
      );
    }
  }

  function track(promise: Promise<unknown>): void {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  }

  function createWebhook(body: Json): HttpAnswer {
    for (const field of ["topic", "delivery_url"]) {
      if (typeof body[field] !== "string" || body[field] === "") {
        throw new WooError(400, "rest_missing_callback_param", `Missing parameter(s): ${field}`, {
          [field]: field,
        });
      }
    }
    const webhook: WooWebhook = {
      id: webhooks.length + 1,
      name: typeof body.name === "string" ? body.name : "",
      topic: body.topic as string,
      delivery_url: body.delivery_url as string,
      secret: typeof body.secret === "string" ? body.secret : randomBytes(24).toString("base64"),
      status: body.status === "paused" || body.status === "disabled" ? body.status : "active",
      failure_count: 0,
    };
    webhooks.push(webhook);
    // The creation ping: a form body, no signature; WooCommerce expects a 2xx.
    track(
      deliverWebhook(
        webhook.delivery_url,
        "ping",
        { "content-type": "application/x-www-form-urlencoded" },
        `webhook_id=${webhook.id}`,
        5000,
      ).then((delivery) => deliveries.push(delivery)),
    );
    return { status: 201, body: webhookView(webhook) };
  }

  const webhookView = (webhook: WooWebhook): Json => {
    const rest: Json = { ...webhook };
    // The secret is write-only, as in WooCommerce's answers.
    delete rest.secret;
    delete rest.failure_count;
    return { ...rest, resource: webhook.topic.split(".")[0], event: webhook.topic.split(".")[1] };
  };

  // --- Lists ---------------------------------------------------------------------------------

  function page(items: Json[], query: URLSearchParams, path: string, defaultOrderby: string): HttpAnswer {
    const perPage = Number(query.get("per_page") ?? 10);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new WooError(400, "rest_invalid_param", "Invalid parameter(s): per_page", {
        per_page: `per_page must be between 1 (inclusive) and ${MAX_PER_PAGE} (inclusive)`,
      });
    }
    const pageNumber = Number(query.get("page") ?? 1);
    if (!Number.isInteger(pageNumber) || pageNumber < 1) {
      throw new WooError(400, "rest_invalid_param", "Invalid parameter(s): page", {
        page: "page must be greater than or equal to 1",
      });
    }
    const orderby = query.get("orderby") ?? defaultOrderby;
    const order = query.get("order") ?? "desc";
    const key =
      orderby === "id"
        ? "id"
        : orderby === "modified"
          ? "date_modified_gmt"
          : orderby === "title"
            ? "name"
            : "date_created_gmt";
    const sorted = [...items].sort((a, b) => {
      const left = a[key] as string | number;
      const right = b[key] as string | number;
      return (left < right ? -1 : left > right ? 1 : 0) * (order === "asc" ? 1 : -1);
    });
    const total = sorted.length;
    const totalPages = Math.ceil(total / perPage);
    const slice = sorted.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const link = (target: number) => {
      const next = new URLSearchParams(query);
      next.set("page", String(target));
      return `<${url}${path}?${next.toString()}>`;
    };
    const links: string[] = [];
    if (pageNumber > 1) links.push(`${link(pageNumber - 1)}; rel="prev"`);
    if (pageNumber < totalPages) links.push(`${link(pageNumber + 1)}; rel="next"`);
    return {
      status: 200,
      body: slice,
      headers: {
        "x-wp-total": String(total),
        "x-wp-totalpages": String(totalPages),
        ...(links.length > 0 ? { link: links.join(", ") } : {}),
      },
    };
  }

  /** `after`/`before`/`modified_after`: site time unless `dates_are_gmt=true` (stores.md §2.6). */
  function dateFilter(query: URLSearchParams, item: Json): boolean {
    const gmt = query.get("dates_are_gmt") === "true";
    const check = (param: string, field: string, after: boolean): boolean => {
      const value = query.get(param);
      if (value === null) return true;
      const limit =
        Date.parse(`${value.replace(/Z$|[+-]\d\d:\d\d$/, "")}Z`) - (gmt ? 0 : offsetMinutes * 60_000);
      const own = Date.parse(`${item[`${field}_gmt`] as string}Z`);
      return after ? own > limit : own < limit;
    };
    return (
      check("after", "date_created", true) &&
      check("before", "date_created", false) &&
      check("modified_after", "date_modified", true) &&
      check("modified_before", "date_modified", false)
    );
  }

  function listProducts(query: URLSearchParams): HttpAnswer {
    const skus = query.get("sku")?.split(",");
    const status = query.get("status") ?? "any";
    // With `sku`, WooCommerce searches variations too and answers them as records of their own
    // (`type: "variation"`, `parent_id` set): the exact SKU match, not the parent product.
    const candidates = skus === undefined ? products : [...records.values()];
    const matching = candidates.filter(
      (product) =>
        (status === "any" || product.status === status) &&
        (query.get("type") === null || product.type === query.get("type")) &&
        dateFilter(query, product) &&
        (skus === undefined || skus.includes(product.sku as string)),
    );
    return page(matching, query, "/wp-json/wc/v3/products", "date");
  }

  function productOf(id: string): Json {
    const product = records.get(Number(id));
    if (!product || product.parent_id !== 0)
      throw new WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    return product;
  }

  // --- Orders --------------------------------------------------------------------------------

  function createOrder(body: Json): HttpAnswer {
    const lines = Array.isArray(body.line_items) ? (body.line_items as Json[]) : [];
    const now = Date.now();
    const id = nextPostId++;
    const lineItems = lines.map((line, index) => {
      let target: Json | undefined;
      if (typeof line.sku === "string" && line.sku !== "") {
        // Core resolves a posted SKU first; an unknown one gives a line with no product.
        target = [...records.values()].find(
          (record) => record.sku === line.sku && record.type !== "variable",
        );
      } else if (Number(line.variation_id) > 0) target = records.get(Number(line.variation_id));
      else if (Number(line.product_id) > 0) target = records.get(Number(line.product_id));
      else {
        throw new WooError(
          400,
          "woocommerce_rest_required_product_reference",
          "Product ID or SKU is required.",
        );
      }
      const quantity = Number(line.quantity ?? 1);
      const parent = target && target.parent_id !== 0 ? records.get(target.parent_id as number) : target;
      const price =
        typeof line.total === "string"
          ? (Number(line.total) / quantity).toFixed(2)
          : ((target?.price as string | undefined) ?? "0.00");
      return {
        id: id * 100 + index + 1,
        name: (line.name as string | undefined) ?? (parent?.name as string | undefined) ?? "",
        product_id: parent ? parent.id : 0,
        variation_id: target && target.parent_id !== 0 ? target.id : 0,
        quantity,
        sku: (target?.sku as string | undefined) ?? (line.sku as string | undefined) ?? "",
        price: Number(price),
        subtotal: (line.subtotal as string | undefined) ?? (Number(price) * quantity).toFixed(2),
        total: (line.total as string | undefined) ?? (Number(price) * quantity).toFixed(2),
        meta_data: Array.isArray(line.meta_data) ? line.meta_data : [],
        target,
      };
    });
    const paid = body.set_paid === true;
    const status = typeof body.status === "string" ? body.status : paid ? "processing" : "pending";
    if (paid || status === "processing" || status === "completed") {
      for (const line of lineItems) {
        if (line.target?.manage_stock === true)
          line.target.stock_quantity = (line.target.stock_quantity as number) - line.quantity;
      }
    }
    const shippingLines = Array.isArray(body.shipping_lines) ? (body.shipping_lines as Json[]) : [];
    const total =
      lineItems.reduce((sum, line) => sum + Number(line.total), 0) +
      shippingLines.reduce((sum, line) => sum + Number(line.total ?? 0), 0);
    const order: Json = {
      id,
      parent_id: 0,
      number: String(id),
      order_key: `wc_order_${randomBytes(7).toString("hex")}`,
      created_via: "rest-api",
      status,
      currency: body.currency ?? currency,
      customer_id: body.customer_id ?? 0,
      customer_note: body.customer_note ?? "",
      billing: body.billing ?? {},
      shipping: body.shipping ?? {},
      payment_method: body.payment_method ?? "",
      payment_method_title: body.payment_method_title ?? "",
      transaction_id: body.transaction_id ?? "",
      total: total.toFixed(2),
      line_items: lineItems.map(({ target: _target, ...line }) => line),
      shipping_lines: shippingLines.map((line, index) => ({ id: id * 100 + 50 + index, ...line })),
      meta_data: (Array.isArray(body.meta_data) ? (body.meta_data as Json[]) : []).map((meta, index) => ({
        id: id * 100 + 80 + index,
        key: meta.key,
        value: meta.value,
      })),
      ...dates("date_created", now),
      ...dates("date_modified", now),
      ...(paid ? dates("date_paid", now) : { date_paid: null, date_paid_gmt: null }),
      date_completed: null,
      date_completed_gmt: null,
    };
    orders.push(order);
    fire("order.created", order);
    return { status: 201, body: order };
  }

  function orderOf(id: string): Json {
    const order = orders.find((candidate) => candidate.id === Number(id));
    if (!order) throw new WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    return order;
  }

  function touch(order: Json): void {
    Object.assign(order, dates("date_modified", Date.now()));
    fire("order.updated", order);
  }

  function updateOrder(order: Json, body: Json): HttpAnswer {
    if (typeof body.status === "string") {
      order.status = body.status;
      if (body.status === "completed") Object.assign(order, dates("date_completed", Date.now()));
    }
    if (Array.isArray(body.meta_data)) {
      const meta = order.meta_data as Json[];
      for (const entry of body.meta_data as Json[]) {
        const existing = meta.find((candidate) => candidate.key === entry.key);
        if (existing) existing.value = entry.value;
        else
          meta.push({
            id: (order.id as number) * 100 + 80 + meta.length,
            key: entry.key,
            value: entry.value,
          });
      }
    }
    touch(order);
    return { status: 200, body: order };
  }

  /** Order search as WooCommerce does it: id, email, names, addresses and item names — not meta. */
  function searchable(order: Json): string {
    const people = [order.billing, order.shipping].map((address) =>
      Object.values((address ?? {}) as Json).join(" "),
    );
    const items = (order.line_items as Json[]).map((line) => line.name as string);
    return [String(order.id), ...people, ...items].join(" ").toLowerCase();
  }

  function listOrders(query: URLSearchParams): HttpAnswer {
    const search = query.get("search")?.toLowerCase();
    const status = query.get("status") ?? "any";
    const matching = orders.filter(
      (order) =>
        (status === "any" || status.split(",").includes(order.status as string)) &&
        (search === undefined || searchable(order).includes(search)) &&
        dateFilter(query, order),
    );
    return page(matching, query, "/wp-json/wc/v3/orders", "date");
  }

  // --- Shipment Tracking extension -----------------------------------------------------------

  const TRACKING_KEY = "_wc_shipment_tracking_items";

  function trackingItems(order: Json): Json[] {
    const entry = (order.meta_data as Json[]).find((meta) => meta.key === TRACKING_KEY);
    return (entry?.value as Json[] | undefined) ?? [];
  }

  function trackingView(item: Json): Json {
    const provider = (item.custom_tracking_provider as string) || (item.tracking_provider as string);
    const template =
      (item.custom_tracking_link as string) ||
      Object.values(TRACKING_PROVIDERS).reduce<string | undefined>(
        (found, group) => found ?? group[item.tracking_provider as string],
        undefined,
      ) ||
      "";
    return {
      tracking_id: item.tracking_id,
      tracking_provider: provider,
      tracking_link: template.replace("%1$s", encodeURIComponent(item.tracking_number as string)),
      tracking_number: item.tracking_number,
      date_shipped: new Date((item.date_shipped as number) * 1000).toISOString().slice(0, 10),
    };
  }

  function addTracking(order: Json, body: Json): HttpAnswer {
    if (typeof body.tracking_number !== "string" || body.tracking_number === "") {
      throw new WooError(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number", {
        tracking_number: "tracking_number",
      });
    }
    const shipped =
      typeof body.date_shipped === "string" ? Date.parse(`${body.date_shipped}T00:00:00Z`) : Date.now();
    const item: Json = {
      tracking_provider: body.tracking_provider ?? "",
      custom_tracking_provider: body.custom_tracking_provider ?? "",
      custom_tracking_link: body.custom_tracking_link ?? "",
      tracking_number: body.tracking_number,
      date_shipped: Math.floor(shipped / 1000),
      tracking_id: createHash("md5")
        .update(`${body.tracking_number}${Date.now()}${Math.random()}`)
        .digest("hex"),
    };
    updateOrder(order, { meta_data: [{ key: TRACKING_KEY, value: [...trackingItems(order), item] }] });
    return {
      status: 201,
      body: trackingView(item),
      headers: {
        location: `${url}/wp-json/wc-shipment-tracking/v3/orders/${String(order.id)}/shipment-trackings/${String(item.tracking_id)}`,
      },
    };
  }

  // --- Routing -------------------------------------------------------------------------------

  function authenticate(
    request: IncomingMessage,
    query: URLSearchParams,
    write: boolean,
    method: string,
  ): void {
    let key: string | undefined;
    let secret: string | undefined;
    const header = request.headers.authorization;
    if (header?.startsWith("Basic ")) {
      const [user, ...rest] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
      key = user;
      secret = rest.join(":");
    } else if (query.has("consumer_key")) {
      key = query.get("consumer_key") ?? undefined;
      secret = query.get("consumer_secret") ?? undefined;
    }
    if (key === undefined) {
      // No credentials: WordPress treats the caller as a visitor, who may not read or write.
      const verb =
        method === "POST" ? "create resources" : method === "GET" ? "list resources" : "edit this resource";
      const code =
        method === "POST"
          ? "woocommerce_rest_cannot_create"
          : method === "GET"
            ? "woocommerce_rest_cannot_view"
            : "woocommerce_rest_cannot_edit";
      throw new WooError(401, code, `Sorry, you cannot ${verb}.`);
    }
    if (key !== consumerKey)
      throw new WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
    if (secret !== consumerSecret)
      throw new WooError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
    if (write && permissions === "read") {
      throw new WooError(
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have write permissions.",
      );
    }
    if (!write && permissions === "write") {
      throw new WooError(
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have read permissions.",
      );
    }
  }

  function route(method: string, path: string, query: URLSearchParams, body: Json): HttpAnswer {
    let match: RegExpExecArray | null;
    const wc = "/wp-json/wc/v3";
    if (method === "GET" && path === `${wc}/products`) return listProducts(query);
    if (method === "GET" && (match = new RegExp(`^${wc}/products/(\\d+)$`).exec(path)))
      return { status: 200, body: productOf(match[1]!) };
    if (method === "GET" && (match = new RegExp(`^${wc}/products/(\\d+)/variations$`).exec(path))) {
      const product = productOf(match[1]!);
      const variations = (product.variations as number[])
        .map((id) => records.get(id)!)
        .filter((variation) => dateFilter(query, variation));
      return page(variations, query, path, "date");
    }
    if (method === "POST" && path === `${wc}/orders`) return createOrder(body);
    if (method === "GET" && path === `${wc}/orders`) return listOrders(query);
    if ((match = new RegExp(`^${wc}/orders/(\\d+)$`).exec(path))) {
      const order = orderOf(match[1]!);
      if (method === "GET") return { status: 200, body: order };
      if (method === "PUT" || method === "POST" || method === "PATCH") return updateOrder(order, body);
    }
    if (method === "POST" && path === `${wc}/webhooks`) return createWebhook(body);
    if (method === "GET" && path === `${wc}/webhooks`)
      return { status: 200, body: webhooks.map(webhookView) };
    if (!shipmentTracking && /shipment-trackings/.test(path)) {
      throw new WooError(404, "rest_no_route", "No route was found matching the URL and request method.");
    }
    if (method === "GET" && path === "/wp-json/wc-shipment-tracking/v3/shipment-trackings/providers") {
      return { status: 200, body: TRACKING_PROVIDERS };
    }
    if (
      (match =
        /^\/wp-json\/(?:wc-shipment-tracking\/v3|wc\/v[123])\/orders\/(\d+)\/shipment-trackings(?:\/([0-9a-f]+))?$/.exec(
          path,
        ))
    ) {
      const order = orderOf(match[1]!);
      const trackingId = match[2];
      if (trackingId === undefined && method === "POST") return addTracking(order, body);
      if (trackingId === undefined && method === "GET")
        return { status: 200, body: trackingItems(order).map(trackingView) };
      const item = trackingItems(order).find((candidate) => candidate.tracking_id === trackingId);
      if (!item) throw new WooError(404, "woocommerce_rest_order_invalid_id", "Invalid tracking ID.");
      if (method === "GET") return { status: 200, body: trackingView(item) };
      if (method === "DELETE") {
        updateOrder(order, {
          meta_data: [
            { key: TRACKING_KEY, value: trackingItems(order).filter((candidate) => candidate !== item) },
          ],
        });
        return { status: 200, body: { message: "Successfully deleted" } };
      }
    }
    throw new WooError(404, "rest_no_route", "No route was found matching the URL and request method.");
  }

  const faults: { count: number; status: number; retryAfterSeconds?: number; path?: RegExp }[] = [];
  let orderAnswerDelayMs = 0;

  /** `GET /wp-json`: the REST index, public; clients probe it for the namespaces plugins add. */
  function restIndex(): HttpAnswer {
    const namespaces = ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc/store/v1"];
    if (shipmentTracking) namespaces.push("wc-shipment-tracking/v3");
    return { status: 200, body: { name: "Simulated shop", url, home: url, namespaces } };
  }

  function takeFault(path: string): HttpAnswer | undefined {
    const fault = faults.find(
      (candidate) => candidate.count > 0 && (!candidate.path || candidate.path.test(path)),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    const code = fault.status === 429 ? "too_many_requests" : "service_unavailable";
    return {
      status: fault.status,
      body: {
        code,
        message: fault.status === 429 ? "Too Many Requests" : "Service Unavailable",
        data: { status: fault.status },
      },
      ...(fault.retryAfterSeconds !== undefined
        ? { headers: { "retry-after": String(fault.retryAfterSeconds) } }
        : {}),
    };
  }

  const server = createServer((request, response) => {
    const started = Date.now();
    void readBody(request).then(async (text) => {
      const target = new URL(request.url ?? "/", "http://simulator");
      const method = request.method ?? "GET";
      let body: Json = {};
      let answer: HttpAnswer;
      let delayMs = 0;
      try {
        const fault = takeFault(target.pathname);
        if (fault) throw new FaultAnswer(fault);
        if (text !== "") {
          const parsed = JSON.parse(text) as unknown;
          if (!isRecord(parsed)) throw new WooError(400, "rest_invalid_json", "Invalid JSON body passed.");
          body = parsed;
        }
        if (method === "GET" && /^\/wp-json\/?$/.test(target.pathname)) answer = restIndex();
        else {
          authenticate(request, target.searchParams, method !== "GET", method);
          answer = route(method, target.pathname, target.searchParams, body);
          if (method === "POST" && target.pathname === "/wp-json/wc/v3/orders" && orderAnswerDelayMs > 0) {
            delayMs = orderAnswerDelayMs;
            orderAnswerDelayMs = 0;
          }
        }
      } catch (error) {
        answer =
          error instanceof FaultAnswer
            ? error.answer
            : error instanceof WooError
              ? {
                  status: error.status,
                  body: {
                    code: error.code,
                    message: error.message,
                    data: { status: error.status, ...(error.params ? { params: error.params } : {}) },
                  },
                }
              : error instanceof SyntaxError
                ? {
                    status: 400,
                    body: {
                      code: "rest_invalid_json",
                      message: "Invalid JSON body passed.",
                      data: { status: 400 },
                    },
                  }
                : {
                    status: 500,
                    body: {
                      code: "internal_server_error",
                      message: "There has been a critical error on this website.",
                      data: { status: 500 },
                    },
                  };
      }
      const query = Object.fromEntries(target.searchParams);
      // Query-string credentials are secrets: the record keeps the key only.
      if (query.consumer_secret !== undefined) query.consumer_secret = "[redacted]";
      calls.push({
        method,
        path: target.pathname,
        query,
        body: text === "" ? undefined : body,
        status: answer.status,
        at: started,
      });
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (!response.destroyed) sendAnswer(response, answer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    channel: "woocommerce",
    kind: "store",
    url,
    apiUrl: `${url}/wp-json/wc/v3`,
    accountSettings: {
      store_url: url,
      consumer_key_env: WOOCOMMERCE_SIMULATOR_KEY_ENV,
      consumer_secret_env: WOOCOMMERCE_SIMULATOR_SECRET_ENV,
    },
    env: { [WOOCOMMERCE_SIMULATOR_KEY_ENV]: consumerKey, [WOOCOMMERCE_SIMULATOR_SECRET_ENV]: consumerSecret },
    seed,
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    webhookDeliveries: deliveries,
    webhooksSettled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    webhooks: () => webhooks.map((webhook) => ({ ...webhook })),
    completeOrder: (orderId) => {
      updateOrder(orderOf(String(orderId)), { status: "completed" });
    },
    records: () => new Map(records),
    deleteProduct: (productId) => {
      const product = productOf(String(productId));
      for (const variationId of product.variations as number[]) records.delete(variationId);
      records.delete(productId);
      products.splice(products.indexOf(product), 1);
    },
    setProductStatus: (productId, status) => {
      const product = productOf(String(productId));
      product.status = status;
      Object.assign(product, dates("date_modified", Date.now()));
    },
    orders: () => orders.map((order) => ({ ...order })),
    failNext: (fault) => {
      faults.push({ ...fault });
    },
    delayNextOrderAnswer: (ms) => {
      orderAnswerDelayMs = ms;
    },
    close: async () => {
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
