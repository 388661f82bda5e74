import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { MarketplaceAccountSchema, MarketplaceIdSchema, MarketplaceOrderIdSchema } from "../../core/order.js";
import { SkuSchema } from "../../core/ids.js";
import {
  startAmazonOrdersSimulator,
  type AmazonOrdersSimulator,
} from "../../dev/simulators/amazon-orders.js";
import { AmazonMarketplaceSchema } from "./config.js";
import { createAmazonMarketplace } from "./index.js";
import { amazonOrderToCanonical } from "./transform.js";

/**
 * Contract: what the Amazon marketplace sends and reads fits Amazon's official models in
 * ../shared/specs — every confirmShipment body it sends (a known carrier, `Other` + name, a
 * partial quantity) against ordersV0.json `ConfirmShipmentRequest`, and the official sandbox
 * examples of orders_2026-01-01.json `getOrder` / `searchOrders` read into canonical orders.
 */

const ORDERS_MODEL = "amazon-sp-api/orders_2026-01-01.json";
const ORDERS_V0_MODEL = "amazon-sp-api/ordersV0.json";

type Json = Record<string, unknown>;
const readJson = (file: string) => JSON.parse(readFileSync(specPath(file), "utf8")) as Json;

function definition(file: string, name: string): ValidateFunction {
  // Swagger 2.0 definitions carry vendor keys (x-docgen-…) and `example`: not JSON Schema.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile({ $ref: `#/definitions/${name}`, definitions: readJson(file).definitions });
}

/** The sandbox examples (`x-amzn-api-sandbox.static`) of an operation's 200 answer. */
function sandboxAnswers(path: string): Json[] {
  const paths = readJson(ORDERS_MODEL).paths as Record<string, { get: { responses: Record<string, Json> } }>;
  const sandbox = paths[path]!.get.responses["200"]!["x-amzn-api-sandbox"] as {
    static: { response: Json }[];
  };
  return sandbox.static.map((example) => example.response);
}

describeWithSpecs("Amazon marketplace contract", [ORDERS_MODEL, ORDERS_V0_MODEL], () => {
  let sim: AmazonOrdersSimulator;

  beforeAll(async () => {
    sim = await startAmazonOrdersSimulator({ port: 0, settleMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("sends confirmShipment bodies that fit ConfirmShipmentRequest", async () => {
    const marketplace = createAmazonMarketplace(AmazonMarketplaceSchema.parse(sim.accountSettings), {
      secret: (name) => sim.env[name],
    });
    const placed = sim.placeOrder({
      lines: [
        { sku: "MUG", quantity: 3, unitPriceMinor: 1000 },
        { sku: "TEE", quantity: 1, unitPriceMinor: 1000 },
      ],
    });
    const order = {
      marketplace: marketplace.id,
      account: marketplace.account,
      orderId: MarketplaceOrderIdSchema.parse(placed.orderId),
    };
    const pushes: [string, string, number][] = [
      ["UPS", placed.orderItemIds[0]!, 1],
      ["Acme Couriers", placed.orderItemIds[0]!, 2],
      ["Royal Mail", placed.orderItemIds[1]!, 1],
    ];
    for (const [index, [carrier, lineId, quantity]] of pushes.entries())
      await marketplace.pushShipment(
        {
          shipmentId: `contract-${index}`,
          order,
          carrier,
          trackingNumber: `TRACK-${index}`,
          shippedAt: "2026-12-01T10:00:00-05:00",
          shippingService: "Ground",
          lines: [{ lineId, sku: SkuSchema.parse("MUG"), quantity }],
        },
        { clock: () => new Date() },
      );
    const bodies = sim.calls
      .filter((call) => call.path.endsWith("/shipmentConfirmation"))
      .map((call) => call.body);
    expect(bodies).toHaveLength(3);
    const validate = definition(ORDERS_V0_MODEL, "ConfirmShipmentRequest");
    for (const body of bodies) {
      const valid = validate(body);
      expect(valid ? [] : validate.errors?.map((error) => `${error.instancePath} ${error.message}`)).toEqual(
        [],
      );
    }
  });

  it("reads the official getOrder and searchOrders examples into canonical orders", () => {
    const key = {
      marketplace: MarketplaceIdSchema.parse("amazon"),
      account: MarketplaceAccountSchema.parse("A1EXAMPLE"),
    };
    const examples = [
      ...sandboxAnswers("/orders/2026-01-01/orders/{orderId}").map((answer) => answer.order),
      ...sandboxAnswers("/orders/2026-01-01/orders").flatMap((answer) => answer.orders as unknown[]),
    ];
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      const reading = amazonOrderToCanonical(example, key);
      expect(reading.ok ? "ok" : reading.problem).toBe("ok");
      if (!reading.ok) continue;
      const total = reading.order.lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
      expect(total).toBeGreaterThan(0);
    }
  });
});
