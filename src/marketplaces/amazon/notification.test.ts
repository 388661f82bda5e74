import { describe, expect, it } from "vitest";
import { isOmnifeedError } from "../../core/errors.js";
import { parseOrderChange, sameSecret } from "./notification.js";

const SECRET = "s3cret-value";
const HEADER = "x-omnifeed-notification-secret";
const notification = {
  NotificationVersion: "1.0",
  NotificationType: "ORDER_CHANGE",
  PayloadVersion: "1.0",
  EventTime: "2026-12-01T10:00:00Z",
  Payload: {
    OrderChangeNotification: {
      NotificationLevel: "OrderLevel",
      SellerId: "A1SELLER",
      AmazonOrderId: "113-0000001-1234567",
      OrderChangeType: "OrderStatusChange",
    },
  },
  NotificationMetadata: { NotificationId: "d0e9e693-c3ad-4373-979f-ed4ec98dd746" },
};
const auth = { header: HEADER, secret: SECRET };
const delivery = (body: unknown, secret: string | null = SECRET) => ({
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  headers: secret === null ? {} : { [HEADER]: secret },
});
const kindOf = (work: () => unknown) => {
  try {
    work();
    return "no error";
  } catch (error) {
    return isOmnifeedError(error) ? error.kind : "other";
  }
};

describe("ORDER_CHANGE through an API destination", () => {
  it("reads the raw notification, a JSON string of it and an SQS record around it alike", () => {
    const expected = {
      dedupeKey: "d0e9e693-c3ad-4373-979f-ed4ec98dd746",
      event: { type: "orders_changed", account: "A1SELLER", orderIds: ["113-0000001-1234567"] },
    };
    expect(parseOrderChange(delivery(notification), auth, "A1SELLER")).toEqual(expected);
    expect(
      parseOrderChange(delivery(JSON.stringify(JSON.stringify(notification))), auth, "A1SELLER"),
    ).toEqual(expected);
    const record = {
      messageId: "m-1",
      receiptHandle: "r",
      body: JSON.stringify(notification),
      attributes: {},
    };
    expect(parseOrderChange(delivery(record), auth, "A1SELLER")).toEqual(expected);
  });

  it("refuses a missing or wrong secret with auth, and says which when none is configured", () => {
    expect(kindOf(() => parseOrderChange(delivery(notification, null), auth, "A1SELLER"))).toBe("auth");
    expect(kindOf(() => parseOrderChange(delivery(notification, `${SECRET}!`), auth, "A1SELLER"))).toBe(
      "auth",
    );
    expect(
      kindOf(() => parseOrderChange(delivery(notification, SECRET.slice(0, -1)), auth, "A1SELLER")),
    ).toBe("auth");
    expect(
      kindOf(() =>
        parseOrderChange(delivery(notification), { header: HEADER, secret: undefined }, "A1SELLER"),
      ),
    ).toBe("config");
  });

  it("refuses what is not a notification, and ignores other sellers' and other types", () => {
    expect(kindOf(() => parseOrderChange(delivery("{nope"), auth, "A1SELLER"))).toBe("rejected");
    expect(parseOrderChange(delivery(notification), auth, "A2OTHER").event.type).toBe("ignored");
    const other = { ...notification, NotificationType: "LISTINGS_ITEM_STATUS_CHANGE", Payload: {} };
    expect(parseOrderChange(delivery(other), auth, "A1SELLER").event).toEqual({
      type: "ignored",
      reason: "notification type LISTINGS_ITEM_STATUS_CHANGE",
    });
  });

  it("compares secrets of any length", () => {
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abcd")).toBe(false);
    expect(sameSecret("", "abc")).toBe(false);
  });
});
