import { z } from "zod";
import { IsoDateTimeSchema } from "./catalog.js";
import { SkuSchema } from "./ids.js";
import { CurrencySchema, MoneySchema } from "./money.js";

/**
 * The canonical marketplace order: what a marketplace adapter reads an order into and what a
 * store creates from it. Marketplace and account ids are open strings owned by their registries
 * (a new marketplace adds no enum member here); the order's identity is the triple
 * (marketplace, account, marketplace order id), and every store creates at most one order per
 * triple.
 */

const text = z.string().trim().min(1);

/** `amazon`, `ebay`, … — owned by the marketplace registry. */
export const MarketplaceIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "expected a lower-case marketplace id such as amazon")
  .brand<"MarketplaceId">();
export type MarketplaceId = z.infer<typeof MarketplaceIdSchema>;

/** The seller account on the marketplace (Amazon selling partner id, eBay user id). */
export const MarketplaceAccountSchema = text.brand<"MarketplaceAccount">();
export type MarketplaceAccount = z.infer<typeof MarketplaceAccountSchema>;

/** The marketplace's own order id (`112-1234567-1234567`). */
export const MarketplaceOrderIdSchema = text.brand<"MarketplaceOrderId">();
export type MarketplaceOrderId = z.infer<typeof MarketplaceOrderIdSchema>;

export const OrderKeySchema = z.object({
  marketplace: MarketplaceIdSchema,
  account: MarketplaceAccountSchema,
  orderId: MarketplaceOrderIdSchema,
});
/** What makes an order the same order everywhere: the ledger key and the store-side lookup key. */
export type OrderKey = z.infer<typeof OrderKeySchema>;

/** `amazon/A1B2C3/112-1234567-1234567`: one string for logs, ledgers and file names. */
export function orderKeyText(key: OrderKey): string {
  return `${key.marketplace}/${key.account}/${key.orderId}`;
}

export const OrderStatusSchema = z.enum([
  "pending",
  "unshipped",
  "partially_shipped",
  "shipped",
  "cancelled",
]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const AddressSchema = z.object({
  name: text,
  company: text.optional(),
  line1: text,
  line2: text.optional(),
  city: text,
  /** State or province code (`CA`). */
  region: text.optional(),
  postalCode: text.optional(),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 country code such as US"),
  phone: text.optional(),
});
export type Address = z.infer<typeof AddressSchema>;

export const OrderLineSchema = z.object({
  /** The marketplace's id of the line (Amazon `OrderItemId`, eBay `lineItemId`). */
  lineId: text,
  sku: SkuSchema,
  title: text.optional(),
  quantity: z.number().int().positive(),
  /** Price of one unit before tax and discounts. */
  unitPrice: MoneySchema,
  /** Tax on the whole line. */
  tax: MoneySchema.optional(),
  /** Discount on the whole line, as a positive amount taken off. */
  discount: MoneySchema.optional(),
});
export type OrderLine = z.infer<typeof OrderLineSchema>;

export const OrderSchema = OrderKeySchema.extend({
  status: OrderStatusSchema,
  purchasedAt: IsoDateTimeSchema,
  /** When the marketplace last changed the order (Amazon `lastUpdatedTime`, eBay `lastModifiedDate`). */
  updatedAt: IsoDateTimeSchema.optional(),
  /** The marketplace's ship-by deadline (Amazon `latestShipDate`, eBay `shipByDate`); tracking later than it is reported. */
  shipBy: IsoDateTimeSchema.optional(),
  currency: CurrencySchema,
  lines: z.array(OrderLineSchema).min(1, "an order needs at least one line"),
  shippingAddress: AddressSchema.optional(),
  /** The marketplace's service level (`Standard`, `Expedited`). */
  shippingService: text.optional(),
  shippingPrice: MoneySchema.optional(),
  /** The least buyer data a store needs: marketplaces hand out relay addresses, never more. */
  buyer: z.object({ name: text.optional(), email: text.optional() }).default({}),
  total: MoneySchema,
});
export type Order = z.infer<typeof OrderSchema>;
export type OrderInput = z.input<typeof OrderSchema>;

/** One package of a fulfillment as the store reports it: which lines, which carrier, which number. */
export const ShipmentSchema = z.object({
  /** The store's id of the fulfillment (stable across tracking updates). */
  shipmentId: text,
  /** The marketplace order it belongs to, when the store order carries its key. */
  order: OrderKeySchema.optional(),
  /** The store's own order id. */
  storeOrderId: text,
  /** The carrier as the merchant typed it (`UPS`, `Royal Mail`); marketplaces map it to their codes. */
  carrier: text.optional(),
  trackingNumber: text.optional(),
  trackingUrl: text.optional(),
  shippedAt: IsoDateTimeSchema.optional(),
  lines: z.array(z.object({ sku: SkuSchema, quantity: z.number().int().positive() })).min(1),
  /** Cancelled fulfillments are reported so a marketplace push can be withdrawn. */
  cancelled: z.boolean().default(false),
});
export type Shipment = z.infer<typeof ShipmentSchema>;
export type ShipmentInput = z.input<typeof ShipmentSchema>;
