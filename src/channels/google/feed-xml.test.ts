import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { GoogleSettingsSchema } from "./config.js";
import { googleXmlFeed } from "./feed-xml.js";
import type { GoogleItem } from "./transform.js";

const settings = GoogleSettingsSchema.parse({
  title: "Demo & Co <Store>",
  link: "https://demo.omnifeed.dev",
  description: "Everything",
});

function documentOf(items: GoogleItem[]): string {
  return (
    googleXmlFeed.header(settings, []) +
    googleXmlFeed.render(items, settings, []).join("") +
    googleXmlFeed.footer(settings)
  );
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ["item", "g:additional_image_link", "g:product_type", "g:shipping"].includes(name),
});

const tee: GoogleItem = {
  attributes: {
    id: "TS-RED-M",
    title: "Tee & Co <Limited> Edition > Others 🧦",
    description: "Soft\u0000 cotton\u0008 tee\ttabbed\nline two \uD800 end",
    link: "https://demo.omnifeed.dev/p/tee?color=red&size=m",
    image_link: "https://demo.omnifeed.dev/i/tee-red.jpg",
    additional_image_link: ["https://demo.omnifeed.dev/i/tee-2.jpg", "https://demo.omnifeed.dev/i/tee-3.jpg"],
    availability: "in_stock",
    price: "15.00 USD",
    product_type: ["Apparel > Tops > T-Shirts"],
    shipping: [
      { country: "US", region: "CA", service: "Ground", price: "4.99 USD" },
      { country: "US", service: "Express", price: "9.99 USD", max_transit_time: "2" },
    ],
  },
  localInventory: [],
};

describe("google-xml", () => {
  it("writes well-formed RSS 2.0 with the g: namespace, without CDATA", () => {
    const xml = documentOf([tee, { attributes: { id: "MUG-01", price: "8.00 USD" }, localInventory: [] }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("CDATA");
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">',
      ),
    ).toBe(true);

    const parsed = parser.parse(xml) as {
      rss: {
        "@_xmlns:g": string;
        "@_version": string;
        channel: { title: string; link: string; item: Record<string, unknown>[] };
      };
    };
    expect(parsed.rss["@_xmlns:g"]).toBe("http://base.google.com/ns/1.0");
    expect(parsed.rss["@_version"]).toBe("2.0");
    expect(parsed.rss.channel.title).toBe("Demo & Co <Store>");
    expect(parsed.rss.channel.link).toBe("https://demo.omnifeed.dev");
    const [first, second] = parsed.rss.channel.item;
    expect(first?.["g:title"]).toBe("Tee & Co <Limited> Edition > Others 🧦");
    expect(first?.["g:description"]).toBe("Soft cotton tee\ttabbed\nline two  end");
    expect(first?.["g:link"]).toBe("https://demo.omnifeed.dev/p/tee?color=red&size=m");
    expect(first?.["g:additional_image_link"]).toEqual([
      "https://demo.omnifeed.dev/i/tee-2.jpg",
      "https://demo.omnifeed.dev/i/tee-3.jpg",
    ]);
    expect(first?.["g:product_type"]).toEqual(["Apparel > Tops > T-Shirts"]);
    // Whitespace between the nested elements is kept as #text by the parser (trimValues: false).
    expect(first?.["g:shipping"]).toMatchObject([
      { "g:country": "US", "g:region": "CA", "g:service": "Ground", "g:price": "4.99 USD" },
      { "g:country": "US", "g:service": "Express", "g:price": "9.99 USD", "g:max_transit_time": "2" },
    ]);
    expect(Object.keys(second ?? {}).filter((key) => key.startsWith("g:"))).toEqual(["g:id", "g:price"]);
    expect(second).toMatchObject({ "g:id": "MUG-01", "g:price": "8.00 USD" });
  });

  it("writes the attributes in the item's order and escapes in place", () => {
    const [entry] = googleXmlFeed.render([tee], settings, []);
    expect(entry).toContain("<g:title>Tee &amp; Co &lt;Limited&gt; Edition &gt; Others 🧦</g:title>");
    expect(entry?.indexOf("<g:id>")).toBeLessThan(entry?.indexOf("<g:title>") ?? -1);
    expect(entry?.indexOf("<g:price>15.00 USD</g:price>")).toBeLessThan(entry?.indexOf("<g:shipping>") ?? -1);
  });

  it("leaves out the channel link when none is set, and names the file google.xml", () => {
    const plain = GoogleSettingsSchema.parse({});
    expect(googleXmlFeed.header(plain, [])).not.toContain("<link>");
    expect(googleXmlFeed.fileName(plain, 1)).toBe("google.xml");
    expect(XMLValidator.validate(googleXmlFeed.header(plain, []) + googleXmlFeed.footer(plain))).toBe(true);
  });
});
