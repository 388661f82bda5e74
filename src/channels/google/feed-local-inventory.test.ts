import { describe, expect, it } from "vitest";
import { GoogleSettingsSchema } from "./config.js";
import { googleLocalInventoryFeed } from "./feed-local-inventory.js";
import type { GoogleItem } from "./transform.js";

const settings = GoogleSettingsSchema.parse({});

describe("google-local-inventory", () => {
  it("writes one row per store and nothing for items without store stock", () => {
    const items: GoogleItem[] = [
      {
        attributes: { id: "TS-RED-M" },
        localInventory: [
          {
            store_code: "STORE-001",
            id: "TS-RED-M",
            quantity: 5,
            price: "15.00 USD",
            availability: "in_stock",
            pickup_method: "buy",
            pickup_sla: "same day",
          },
          { store_code: "STORE-002", id: "TS-RED-M", quantity: 0, availability: "out_of_stock" },
        ],
      },
      { attributes: { id: "MUG-01" }, localInventory: [] },
    ];
    expect(googleLocalInventoryFeed.header(settings, [])).toBe(
      "store_code\tid\tquantity\tprice\tavailability\tpickup_method\tpickup_sla\n",
    );
    expect(googleLocalInventoryFeed.render(items, settings, [])).toEqual([
      "STORE-001\tTS-RED-M\t5\t15.00 USD\tin_stock\tbuy\tsame day\nSTORE-002\tTS-RED-M\t0\t\tout_of_stock\t\t\n",
      "",
    ]);
    expect(googleLocalInventoryFeed.fileName(settings, 1)).toBe("google-local-inventory.tsv");
  });
});
