import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { MetaSettingsSchema } from "./config.js";
import { metaCsvFeed } from "./feed-csv.js";
import type { MetaItem } from "./transform.js";

const settings = MetaSettingsSchema.parse({});
const columns = [
  "id",
  "title",
  "description",
  "price",
  "additional_image_link",
  "shipping",
  "internal_label",
];

describe("meta-csv", () => {
  it("quotes commas, quotes and line breaks so that they read back unchanged", () => {
    const items: MetaItem[] = [
      {
        attributes: {
          id: "TS-RED-M",
          title: 'Tee, "Classic" cut',
          description: "Line one\nline two\r\nline three",
          price: "15.00 USD",
          additional_image_link: ["https://a.test/1.jpg", "https://a.test/2.jpg"],
          shipping: [
            { country: "US", region: "CA", service: "Ground", price: "9.99 USD" },
            { country: "US", service: "Express", price: "19.99 USD" },
          ],
          internal_label: ["summer", "sale"],
        },
      },
      { attributes: { id: "MUG-01", price: "8.00 USD" } },
    ];
    const csv = metaCsvFeed.header(settings, columns) + metaCsvFeed.render(items, settings, columns).join("");
    expect(csv.startsWith("id,title,description,price,additional_image_link,shipping,internal_label\n")).toBe(
      true,
    );
    expect(csv).not.toContain("#");
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows).toEqual([
      {
        id: "TS-RED-M",
        title: 'Tee, "Classic" cut',
        description: "Line one\nline two\r\nline three",
        price: "15.00 USD",
        additional_image_link: "https://a.test/1.jpg,https://a.test/2.jpg",
        shipping: "US:CA:Ground:9.99 USD,US::Express:19.99 USD",
        internal_label: JSON.stringify(["summer", "sale"]),
      },
      {
        id: "MUG-01",
        title: "",
        description: "",
        price: "8.00 USD",
        additional_image_link: "",
        shipping: "",
        internal_label: "",
      },
    ]);
  });

  it("writes one record per entry and names the file meta.csv", () => {
    const [entry] = metaCsvFeed.render([{ attributes: { id: "A" } }], settings, ["id", "title"]);
    expect(entry).toBe("A,\n");
    expect(metaCsvFeed.fileName(settings, 1)).toBe("meta.csv");
  });
});
