import { describe, expect, it } from "vitest";
import { OrderKeySchema } from "../../core/order.js";
import { isStoreOrderId, storeOrderIdFor } from "./layout.js";

const key = (marketplace: string, account: string, orderId: string) =>
  OrderKeySchema.parse({ marketplace, account, orderId });

describe("storeOrderIdFor", () => {
  it("keeps a plain key readable", () => {
    expect(storeOrderIdFor(key("amazon", "A1B2C3", "112-1234567-1234567"))).toBe(
      "amazon_A1B2C3_112-1234567-1234567",
    );
  });

  it("escapes separators and path characters, so different keys never share a name", () => {
    const one = storeOrderIdFor(key("ebay", "a_b", "c"));
    const two = storeOrderIdFor(key("ebay", "a", "b_c"));
    expect(one).toBe("ebay_a%5Fb_c");
    expect(two).toBe("ebay_a_b%5Fc");
    expect(storeOrderIdFor(key("ebay", "x", "../../etc/passwd"))).toBe("ebay_x_..%2F..%2Fetc%2Fpasswd");
    expect(storeOrderIdFor(key("ebay", "x", "Bestellung ü"))).toBe("ebay_x_Bestellung%20%C3%BC");
  });

  it("cuts a very long key to a name of 200 characters that still tells keys apart", () => {
    const long = storeOrderIdFor(key("amazon", "A1", "9".repeat(300)));
    const other = storeOrderIdFor(key("amazon", "A1", `${"9".repeat(299)}8`));
    expect(long).toHaveLength(200);
    expect(long).toMatch(/~[0-9a-f]{16}$/);
    expect(long).not.toBe(other);
    expect(isStoreOrderId(long)).toBe(true);
  });
});

describe("isStoreOrderId", () => {
  it("accepts what storeOrderIdFor gives and refuses paths and dot files", () => {
    expect(isStoreOrderId(storeOrderIdFor(key("ebay", "x", "a/b c")))).toBe(true);
    for (const bad of ["../outbox/x", ".cancelled", "a/b", "", "x".repeat(201), "Amazon_A1_1"]) {
      expect(isStoreOrderId(bad), bad).toBe(false);
    }
  });
});
