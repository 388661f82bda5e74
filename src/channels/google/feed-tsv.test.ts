import { describe, expect, it } from "vitest";
import { GoogleSettingsSchema } from "./config.js";
import { googleTsvFeed } from "./feed-tsv.js";
import type { GoogleItem } from "./transform.js";

const settings = GoogleSettingsSchema.parse({});
const columns = ["id", "title", "description", "additional_image_link", "product_type", "price", "shipping"];

const item: GoogleItem = {
  attributes: {
    id: "TS-RED-M",
    title: "Tee\twith\ttabs",
    description: "Line one\r\nline two\nline three",
    additional_image_link: ["https://a.test/i/1.jpg", "https://a.test/i/2,3.jpg"],
    product_type: ["Apparel > Tops", "Sale > Summer"],
    price: "15.00 USD",
    shipping: [
      { country: "US", service: "Standard", price: "4.99 USD" },
      { country: "US", region: "CA", service: "Overnight", price: "16.00 USD" },
    ],
  },
  localInventory: [],
};

describe("google-tsv", () => {
  it("writes the mapping's fields as header and one line per item", () => {
    expect(googleTsvFeed.header(settings, columns)).toBe(`${columns.join("\t")}\n`);
    const [line] = googleTsvFeed.render([item], settings, columns);
    expect(line).toBe(
      [
        "TS-RED-M",
        "Tee with tabs",
        "Line one line two line three",
        "https://a.test/i/1.jpg,https://a.test/i/2%2C3.jpg",
        "Apparel > Tops,Sale > Summer",
        "15.00 USD",
        "US::Standard:4.99 USD,US:CA:Overnight:16.00 USD",
      ].join("\t") + "\n",
    );
    expect(line?.split("\t")).toHaveLength(columns.length);
  });

  it("leaves absent attributes as empty cells", () => {
    const [line] = googleTsvFeed.render([{ attributes: { id: "A" }, localInventory: [] }], settings, columns);
    expect(line).toBe("A\t\t\t\t\t\t\n");
  });

  it("adds a shipping column when the settings give default groups", () => {
    const withShipping = GoogleSettingsSchema.parse({ shipping: [{ country: "US", price: "0.00 USD" }] });
    expect(googleTsvFeed.header(withShipping, ["id"])).toBe("id\tshipping\n");
    const [line] = googleTsvFeed.render(
      [{ attributes: { id: "A", shipping: [{ country: "US", price: "0.00 USD" }] }, localInventory: [] }],
      withShipping,
      ["id"],
    );
    expect(line).toBe("A\tUS:::0.00 USD\n");
    expect(googleTsvFeed.fileName(settings, 1)).toBe("google.tsv");
  });
});
