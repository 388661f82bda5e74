import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithSpecs, specPath } from "../../../test/support/shared-specs.js";
import { AMAZON_SIMULATOR_CREDENTIALS, AMAZON_SIMULATOR_MARKETPLACE_ID } from "./amazon.js";
import type { AmazonOrdersSimulator } from "./amazon-orders.js";
import { startAmazonOrdersSimulator } from "./amazon-orders.js";
import type { WebhookReceiver } from "./webhook-receiver.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

/**
 * Contract: what the Amazon orders simulator answers fits Amazon's official models in
 * ../shared/specs — searchOrders and getOrder with every includedData it fills against
 * orders_2026-01-01.json, its error bodies against the model's ErrorList, the confirmShipment
 * body these tests send against ordersV0.json, and each ORDER_CHANGE it delivers against
 * OrderChangeNotification.json — so the twin cannot drift from the API it stands for.
 */

const ORDERS_MODEL = "amazon-sp-api/orders_2026-01-01.json";
const ORDERS_V0_MODEL = "amazon-sp-api/ordersV0.json";
const NOTIFICATION_SCHEMA = "amazon-sp-api/OrderChangeNotification.json";
const ALL_INCLUDED =
  "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT";

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(specPath(file), "utf8")) as Record<string, unknown>;
}

function ajv(): Ajv {
  // Swagger 2.0 definitions carry vendor keys (x-docgen-…) and `example`: not JSON Schema.
  const instance = new Ajv({ allErrors: true, strict: false });
  addFormats.default(instance);
  return instance;
}

function definition(file: string, name: string): ValidateFunction {
  return ajv().compile({ $ref: `#/definitions/${name}`, definitions: readJson(file).definitions });
}

function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  const valid = validate(value);
  expect(
    valid ? [] : validate.errors?.map((error) => `${what}: ${error.instancePath} ${error.message}`),
  ).toEqual([]);
}

describeWithSpecs(
  "Amazon orders simulator contract",
  [ORDERS_MODEL, ORDERS_V0_MODEL, NOTIFICATION_SCHEMA],
  () => {
    let sim: AmazonOrdersSimulator;
    let receiver: WebhookReceiver;
    let token: string;
    const since = new Date(Date.now() - 3_600_000).toISOString();

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      sim = await startAmazonOrdersSimulator({
        port: 0,
        settleMs: 0,
        notifications: { url: receiver.url, secret: "contract-secret" },
      });
      const response = await fetch(`${sim.url}/auth/o2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: AMAZON_SIMULATOR_CREDENTIALS.refreshToken,
          client_id: AMAZON_SIMULATOR_CREDENTIALS.clientId,
          client_secret: AMAZON_SIMULATOR_CREDENTIALS.clientSecret,
        }).toString(),
      });
      token = ((await response.json()) as { access_token: string }).access_token;
      const lines = [
        { sku: "MUG-RED", quantity: 2, unitPriceMinor: 1500 },
        { sku: "MUG-BLUE", quantity: 1, unitPriceMinor: 1799 },
      ];
      const createdTime = new Date(Date.now() - 600_000).toISOString();
      sim.placeOrder({ lines, createdTime, status: "PENDING" });
      const cancelled = sim.placeOrder({ lines, createdTime });
      sim.requestCancel(cancelled.orderId);
      sim.cancel(cancelled.orderId, "BUYER");
      const shipped = sim.placeOrder({ lines, createdTime, currency: "JPY" });
      const body = {
        marketplaceId: AMAZON_SIMULATOR_MARKETPLACE_ID,
        packageDetail: {
          packageReferenceId: "1",
          carrierCode: "Other",
          carrierName: "Yamato",
          shippingMethod: "TA-Q-BIN",
          trackingNumber: "4000-1234-5678",
          shipDate: new Date().toISOString(),
          orderItems: [{ orderItemId: shipped.orderItemIds[0]!, quantity: 1 }],
        },
      };
      expectValid(definition(ORDERS_V0_MODEL, "ConfirmShipmentRequest"), body, "confirmShipment body");
      const confirmed = await fetch(`${sim.url}/orders/v0/orders/${shipped.orderId}/shipmentConfirmation`, {
        method: "POST",
        headers: { "x-amz-access-token": token, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(confirmed.status).toBe(204);
      await sim.settled();
    });

    afterAll(async () => {
      await sim.close();
      await receiver.close();
    });

    const get = async (path: string) => {
      const response = await fetch(`${sim.url}${path}`, { headers: { "x-amz-access-token": token } });
      return { status: response.status, body: await response.json() };
    };

    it("searchOrders answers fit SearchOrdersResponse, bare and with every includedData", async () => {
      const validate = definition(ORDERS_MODEL, "SearchOrdersResponse");
      for (const included of ["", `&includedData=${ALL_INCLUDED}`]) {
        const answer = await get(
          `/orders/2026-01-01/orders?lastUpdatedAfter=${since}&maxResultsPerPage=2${included}`,
        );
        expect(answer.status).toBe(200);
        expectValid(validate, answer.body, `searchOrders${included}`);
        expect((answer.body as { pagination?: unknown }).pagination).toBeDefined();
      }
    });

    it("getOrder answers fit GetOrderResponse for pending, cancelled and partially shipped orders", async () => {
      const validate = definition(ORDERS_MODEL, "GetOrderResponse");
      const search = await get(`/orders/2026-01-01/orders?createdAfter=${since}`);
      const ids = (search.body as { orders: { orderId: string }[] }).orders.map((order) => order.orderId);
      expect(ids).toHaveLength(3);
      for (const orderId of ids) {
        const answer = await get(`/orders/2026-01-01/orders/${orderId}?includedData=${ALL_INCLUDED}`);
        expect(answer.status).toBe(200);
        expectValid(validate, answer.body, `getOrder ${orderId}`);
      }
    });

    it("error answers fit the model's ErrorList", async () => {
      const validate = definition(ORDERS_MODEL, "ErrorList");
      const missing = await get("/orders/2026-01-01/orders/111-0000000-0000000");
      expect(missing.status).toBe(404);
      expectValid(validate, missing.body, "404");
      const invalid = await get("/orders/2026-01-01/orders");
      expect(invalid.status).toBe(400);
      expectValid(validate, invalid.body, "400");
    });

    it("every ORDER_CHANGE delivered fits OrderChangeNotification.json", () => {
      const validate = ajv().compile(readJson(NOTIFICATION_SCHEMA));
      // placed ×3, buyer cancel request, cancellation, partial shipment.
      expect(receiver.received).toHaveLength(6);
      for (const [index, delivery] of receiver.received.entries())
        expectValid(validate, JSON.parse(delivery.raw.toString("utf8")), `notification ${index}`);
    });
  },
);
