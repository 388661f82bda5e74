import { OmnifeedError } from "../../src/core/errors.js";
import {
  MarketplaceAccountSchema,
  MarketplaceIdSchema,
  OrderSchema,
  type Order,
  type OrderInput,
} from "../../src/core/order.js";
import type {
  Marketplace,
  MarketplaceContext,
  OrderCheckpoint,
  OrderPage,
  PushResult,
  ShipmentPush,
} from "../../src/marketplaces/marketplace.js";

/**
 * A marketplace held in memory, faithful to the contract of src/marketplaces/marketplace.ts for
 * the order pipeline's tests: orders change in sequence; a pull pages through them from a
 * checkpoint and, like Amazon's last-update windows, overlaps its window by one change on purpose;
 * shipments are checked against what is left to ship per line (partial shipments), a pushed
 * shipment id comes back `already_sent`, a cancelled order refuses shipments; failures can be
 * injected per operation.
 */

type Operation = "pull" | "getOrder" | "pushShipment";

const CARRIER_CODES: Record<string, string> = { ups: "UPS", usps: "USPS", fedex: "FedEx", dhl: "DHL" };

export class MemoryMarketplace implements Marketplace {
  readonly id;
  readonly account;
  /** Every push the marketplace accepted (not the `already_sent` ones), in order. */
  readonly pushes: ShipmentPush[] = [];
  /** Every push call, accepted or not. */
  readonly pushCalls: ShipmentPush[] = [];
  private readonly orders = new Map<string, { order: Order; seq: number }>();
  private readonly shipped = new Map<string, Map<string, number>>();
  private readonly shipmentIds = new Set<string>();
  private readonly failures: { operation: Operation; error: Error }[] = [];
  private seq = 0;

  constructor(
    id = "amazon",
    account = "SELLER1",
    private readonly pageSize = 2,
  ) {
    this.id = MarketplaceIdSchema.parse(id);
    this.account = MarketplaceAccountSchema.parse(account);
  }

  /** Places or changes an order (its marketplace and account are this one's). */
  place(input: Omit<OrderInput, "marketplace" | "account">): Order {
    this.seq += 1;
    const order = OrderSchema.parse({
      ...input,
      marketplace: this.id,
      account: this.account,
      updatedAt: new Date(Date.UTC(2026, 11, 1, 0, 0, this.seq)).toISOString(),
    });
    this.orders.set(order.orderId, { order, seq: this.seq });
    return order;
  }

  cancel(orderId: string): void {
    const held = this.must(orderId);
    this.place({ ...held.order, status: "cancelled" });
  }

  /** The next call of `operation` throws `error`. */
  failNext(operation: Operation, error: Error): void {
    this.failures.push({ operation, error });
  }

  check(): Promise<{ ok: boolean; target: string; detail: string }> {
    return Promise.resolve({ ok: true, target: `memory ${this.id}`, detail: `${this.orders.size} orders` });
  }

  async *pullOrders(
    since: OrderCheckpoint | undefined,
    context: MarketplaceContext,
  ): AsyncIterable<OrderPage> {
    this.failIfAsked("pull");
    // The window starts one change back: a repeat, never a gap.
    const from = since === undefined ? 0 : Math.max(0, Number(since) - 1);
    const changed = [...this.orders.values()].filter((held) => held.seq > from).sort((a, b) => a.seq - b.seq);
    if (changed.length === 0) {
      await Promise.resolve();
      yield { orders: [], problems: [], checkpoint: String(since ?? 0) };
      return;
    }
    for (let start = 0; start < changed.length; start += this.pageSize) {
      // One page at a time, as a network pull would hand them over.
      await Promise.resolve();
      context.signal?.throwIfAborted();
      const page = changed.slice(start, start + this.pageSize);
      yield { orders: page.map((held) => held.order), problems: [], checkpoint: String(page.at(-1)!.seq) };
    }
  }

  getOrder(orderId: Order["orderId"]): Promise<Order | undefined> {
    this.failIfAsked("getOrder");
    return Promise.resolve(this.orders.get(orderId)?.order);
  }

  pushShipment(shipment: ShipmentPush): Promise<PushResult> {
    this.pushCalls.push(shipment);
    this.failIfAsked("pushShipment");
    const carrier = CARRIER_CODES[(shipment.carrier ?? "").toLowerCase()];
    const answer: PushResult = carrier
      ? { outcome: "sent", carrierCode: carrier }
      : { outcome: "sent", carrierCode: "Other", carrierName: shipment.carrier ?? "unknown" };
    if (this.shipmentIds.has(shipment.shipmentId))
      return Promise.resolve({ ...answer, outcome: "already_sent" });
    const held = this.orders.get(shipment.order.orderId);
    if (!held) throw new OmnifeedError("not_found", "no such order", { where: shipment.order.orderId });
    if (held.order.status === "cancelled")
      throw new OmnifeedError("rejected", "the order is cancelled", { where: shipment.order.orderId });
    if (!shipment.trackingNumber) throw new OmnifeedError("rejected", "a tracking number is required");
    const shipped = this.shipped.get(held.order.orderId) ?? new Map<string, number>();
    for (const line of shipment.lines) {
      const ordered = held.order.lines.find((candidate) => candidate.lineId === line.lineId);
      if (!ordered) throw new OmnifeedError("rejected", `no order item ${line.lineId}`);
      if ((shipped.get(line.lineId) ?? 0) + line.quantity > ordered.quantity)
        throw new OmnifeedError("rejected", `order item ${line.lineId}: more units than ordered`);
    }
    for (const line of shipment.lines)
      shipped.set(line.lineId, (shipped.get(line.lineId) ?? 0) + line.quantity);
    this.shipped.set(held.order.orderId, shipped);
    this.shipmentIds.add(shipment.shipmentId);
    this.pushes.push(shipment);
    const all = held.order.lines.every((line) => (shipped.get(line.lineId) ?? 0) >= line.quantity);
    this.place({ ...held.order, status: all ? "shipped" : "partially_shipped" });
    return Promise.resolve(answer);
  }

  private must(orderId: string): { order: Order; seq: number } {
    const held = this.orders.get(orderId);
    if (!held) throw new Error(`the memory marketplace has no order ${orderId}`);
    return held;
  }

  private failIfAsked(operation: Operation): void {
    const index = this.failures.findIndex((failure) => failure.operation === operation);
    if (index >= 0) throw this.failures.splice(index, 1)[0]!.error;
  }
}

/** An order of `skus` (one unit each unless said), priced in `currency`. */
export function orderOf(
  orderId: string,
  lines: readonly { sku: string; quantity?: number }[],
  options: { currency?: string; shipBy?: string } = {},
): Omit<OrderInput, "marketplace" | "account"> {
  const currency = options.currency ?? "USD";
  return {
    orderId,
    status: "unshipped",
    purchasedAt: "2026-12-01T10:00:00Z",
    ...(options.shipBy !== undefined && { shipBy: options.shipBy }),
    currency,
    lines: lines.map((line, index) => ({
      lineId: `${orderId}-L${index + 1}`,
      sku: line.sku,
      quantity: line.quantity ?? 1,
      unitPrice: { amount: 1500, currency },
    })),
    shippingAddress: {
      name: "Jane Buyer",
      line1: "1 Main St",
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      country: "US",
    },
    buyer: { name: "Jane Buyer" },
    total: { amount: 1500 * lines.reduce((sum, line) => sum + (line.quantity ?? 1), 0), currency },
  };
}
