import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  issueLines,
  readWholeCatalog,
  sampleFile,
  writeRecords,
} from "../../../test/fixtures/catalog-reading.js";
import type { ProductRecord } from "../json/record.js";
import { toPlainText } from "./plain-text.js";
import { createGoogleXmlWriter } from "../../dev/catalog-writers/google-xml.js";
import { makeTempDir } from "../../../test/support/temp-dirs.js";

describe("Google XML source", () => {
  it("groups adjacent items by item_group_id and maps Google attributes back to the canonical model", async () => {
    const { entries, issues } = await readWholeCatalog(
      "google-xml",
      sampleFile("google-feed.xml"),
      { currency: "USD" },
      1,
    );
    expect(entries.map((entry) => [entry.product.id, entry.origin.line, entry.origin.variantLines])).toEqual([
      ["TS", 8, [8, 34]],
      ["LAMP-1", 55, [55]],
    ]);
    const tee = entries[0]!.product;
    expect(tee).toMatchObject({
      title: "Acme Tee – Red – M",
      description: "100% cotton tee. Not a closing tag: </item> & friends",
      brand: "Acme",
      link: "https://www.example.com/p/ts?v=red-m",
      images: ["https://www.example.com/i/ts-red.jpg"],
      categoryPath: ["Apparel", "Tops", "T-Shirts"],
      googleProductCategory: "212",
    });
    expect(tee.variants[0]).toMatchObject({
      sku: "TS-RED-M",
      // The item title is the variant's own, so channels do not compose another.
      title: "Acme Tee – Red – M",
      gtin: "00012345600012",
      price: { amount: 1500, currency: "USD" },
      salePrice: { amount: 1200, currency: "USD" },
      salePriceStart: "2026-11-27T00:00-0800",
      salePriceEnd: "2026-12-01T23:59-0800",
      availability: "in_stock",
      condition: "new",
      color: "Red",
      size: "M",
      gender: "unisex",
      ageGroup: "adult",
      weight: { value: 0.4, unit: "lb" },
      // Its images in its own order: the shared main image first, then its own.
      images: [
        "https://www.example.com/i/ts-red.jpg",
        "https://www.example.com/i/ts-red-2.jpg",
        "https://www.example.com/i/ts-red-3.jpg",
      ],
      attributes: { custom_label_0: "summer" },
    });
    expect(tee.variants[1]).toMatchObject({
      sku: "TS-RED-L",
      availability: "out_of_stock",
      link: "https://www.example.com/p/ts?v=red-l",
      dimensions: { length: 30, width: 20, height: 2, unit: "cm" },
      images: [],
    });
    expect(entries[1]!.product).toMatchObject({
      title: "Plain RSS Lamp",
      description: "Brass desk lamp & bulb",
      variants: [
        {
          price: { amount: 4500, currency: "USD" },
          availability: "preorder",
          availabilityDate: "2027-02-01T09:00-0800",
        },
      ],
    });
    expect(issueLines(issues)).toEqual([
      "52 -: the <item> starting on this line is not closed before the next one; it is skipped",
      '65 g:price: "call us" is not a price [BAD-PRICE]',
    ]);
  });

  it("reads Atom entries with link href and summary", async () => {
    const dir = makeTempDir("atom");
    const file = join(dir, "feed.xml");
    await writeFile(
      file,
      `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
  <title>Store</title>
  <entry>
    <title>Desk Lamp</title>
    <link href="https://www.example.com/p/lamp"/>
    <summary>Brass &amp; marble</summary>
    <updated>2026-11-20T10:00:00Z</updated>
    <g:id>LAMP-1</g:id>
    <g:price>45.00 EUR</g:price>
    <g:identifier_exists>no</g:identifier_exists>
  </entry>
</feed>`,
    );
    const { entries, issues } = await readWholeCatalog("google-xml", file);
    expect(issues).toEqual([]);
    expect(entries[0]!.product).toMatchObject({
      id: "LAMP-1",
      title: "Desk Lamp",
      description: "Brass & marble",
      link: "https://www.example.com/p/lamp",
      variants: [
        { sku: "LAMP-1", price: { amount: 4500, currency: "EUR" }, attributes: { identifier_exists: "no" } },
      ],
    });
  });

  it("writes an RSS feed with composed titles and plain-text descriptions, escaped", async () => {
    const records: ProductRecord[] = [
      {
        id: "salt",
        title: "Salt & Pepper <Mini> Grinders",
        description: "<p>Ceramic burrs &amp; oak.</p><script>x()</script><ul><li>Set of 2</li></ul>",
        link: "https://shop.example.com/p/salt",
        variants: [
          {
            sku: "SP-OAK",
            price: "24.00",
            options: [{ name: "Wood", value: "Oak" }],
            inventory: [{ location: "S1", quantity: 0 }],
          },
          { sku: "SP-WAL", price: "N/A", title: "Walnut grinders", quantity: 2 },
        ],
      },
    ];
    const { file, text } = await writeRecords("feed.xml", records, (output) =>
      createGoogleXmlWriter(output, { title: "Shop", link: "https://shop.example.com" }),
    );
    expect(text).toContain("<g:title>Salt &amp; Pepper &lt;Mini&gt; Grinders - Oak</g:title>");
    expect(text).toContain("<g:description>Ceramic burrs &amp; oak.\nSet of 2</g:description>");
    expect(text).toContain("<g:price>24.00 USD</g:price>");
    expect(text).toContain("<g:price>N/A</g:price>");
    expect(text).toContain("<g:availability>out_of_stock</g:availability>");
    const { entries, issues } = await readWholeCatalog("google-xml", file);
    expect(entries[0]!.product.variants.map((variant) => [variant.sku, variant.title])).toEqual([
      ["SP-OAK", "Salt & Pepper <Mini> Grinders - Oak"],
    ]);
    expect(issues.map((issue) => [issue.id, issue.field, issue.message])).toEqual([
      ["SP-WAL", "g:price", '"N/A" is not a price'],
    ]);
  });

  it("turns HTML into the plain text a feed wants", () => {
    expect(
      toPlainText("<h2>Fit</h2><p>Slim &ndash; 5&#8217;10&quot;&nbsp;model</p><!-- x --><style>p{}</style>"),
    ).toBe('Fit\nSlim – 5’10" model');
  });
});
