// The peer: @xcommerceweb/google-merchant-feed, an in-memory builder (xmlbuilder2), given the same
// variants for a Google XML feed. Every row becomes one of its products; the XML is built at the
// end and written in one go, as its README shows. Rows it cannot take (a price that is not a
// number) are skipped, as our export does.
import { createReadStream, writeFileSync } from "node:fs";
import { parse } from "csv-parse";
import { FeedBuilder } from "@xcommerceweb/google-merchant-feed";

const [file, out] = process.argv.slice(2);
const builder = new FeedBuilder()
  .withTitle("omnifeed benchmark")
  .withLink("https://bench.omnifeed.dev")
  .withDescription("Same items as omnifeed's export");

const list = (text) =>
  text
    ? text
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean)
    : [];
const quantityOf = (text) => list(text).reduce((sum, entry) => sum + Number(entry.split(":")[1] ?? 0), 0);

for await (const row of createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ columns: true }))) {
  const price = Number(row.price);
  if (!Number.isFinite(price)) continue;
  const options = [row.option1_value, row.option2_value].filter(Boolean).join(" - ");
  const sale = Number(row.sale_price);
  builder.withProduct({
    id: row.sku,
    title: options ? `${row.title} - ${options}` : row.title,
    description: row.description,
    link: row.link,
    imageLink: row.variant_image_link || list(row.additional_image_links)[0] || row.image_link,
    additionalImageLinks: list(row.additional_image_links).slice(0, 10),
    availability: quantityOf(row.inventory) > 0 ? "in_stock" : "out_of_stock",
    price: { value: price, currency: "USD" },
    ...(Number.isFinite(sale) && row.sale_price ? { salePrice: { value: sale, currency: "USD" } } : {}),
    brand: row.brand || undefined,
    gtin: row.gtin || undefined,
    mpn: row.mpn || undefined,
    condition: "new",
    itemGroupId: row.item_group_id,
    color: row.color || undefined,
    size: row.size || undefined,
    gender: row["product.gender"] || undefined,
    ageGroup: row["product.age_group"] || undefined,
    material: row["product.material"] || undefined,
    productType: row.category,
  });
}
writeFileSync(out, builder.buildXml());
