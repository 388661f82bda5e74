import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { MetaSettingsSchema } from "./config.js";
import { metaXmlFeed } from "./feed-xml.js";
import type { MetaItem } from "./transform.js";

const settings = MetaSettingsSchema.parse({ title: "Test Store", link: "https://demo.omnifeed.dev" });

describe("meta-xml", () => {
  it("writes RSS with the g: namespace and Meta's values", () => {
    const items: MetaItem[] = [
      {
        attributes: {
          id: "DB_1",
          title: "Dog Bowl <Blue> & Co",
          availability: "in stock",
          price: "9.99 GBP",
          age_group: "all ages",
          shipping: [{ country: "GB", service: "Standard", price: "4.95 GBP" }],
          internal_label: ["pets", "bowls"],
        },
      },
    ];
    const xml =
      metaXmlFeed.header(settings, []) +
      metaXmlFeed.render(items, settings, []).join("") +
      metaXmlFeed.footer(settings);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("CDATA");
    const parsed = new XMLParser({ isArray: (name) => name === "item" || name === "g:internal_label" }).parse(
      xml,
    ) as {
      rss: { channel: { title: string; item: Record<string, unknown>[] } };
    };
    expect(parsed.rss.channel.title).toBe("Test Store");
    expect(parsed.rss.channel.item[0]).toEqual({
      "g:id": "DB_1",
      "g:title": "Dog Bowl <Blue> & Co",
      "g:availability": "in stock",
      "g:price": "9.99 GBP",
      "g:age_group": "all ages",
      "g:shipping": { "g:country": "GB", "g:service": "Standard", "g:price": "4.95 GBP" },
      "g:internal_label": ["pets", "bowls"],
    });
    expect(metaXmlFeed.fileName(settings, 1)).toBe("meta.xml");
  });
});
