import type { Writable } from "node:stream";
import { formatMoney, parseMoney } from "../../core/money.js";
import type { CatalogWriter } from "../catalog-writer.js";
import type { MoneyRecord, ProductRecord, VariantRecord } from "../../sources/json/record.js";
import { formatWeight } from "../../core/units.js";
import { escapeXmlText } from "../../feeds/xml-text.js";
import { createTextSink } from "../writable-sink.js";
import { toPlainText } from "../../sources/google-xml/plain-text.js";

export interface GoogleXmlWriterOptions {
  /** Currency of prices given as bare numbers. Default USD. */
  currency?: string;
  /** The feed's `<channel>` title, link and description. */
  title?: string;
  link?: string;
  description?: string;
}

/**
 * Writes product records as a Google RSS 2.0 feed (support.google.com/merchants/answer/7052112):
 * one `<item>` per variant, grouped by `g:item_group_id`, with a composed title and a plain-text
 * description. A feed cannot carry per-store stock (availability is derived from it), the
 * product/variant split beyond the group id, merchant attributes, or overrides.
 */
export function createGoogleXmlWriter(output: Writable, options: GoogleXmlWriterOptions = {}): CatalogWriter {
  const currency = options.currency ?? "USD";
  const sink = createTextSink(output);
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">\n' +
    "  <channel>\n" +
    `    <title>${escapeXmlText(options.title ?? "Product feed")}</title>\n` +
    `    <link>${escapeXmlText(options.link ?? "")}</link>\n` +
    `    <description>${escapeXmlText(options.description ?? "Product feed")}</description>\n`;
  let started = false;
  return {
    async write(product) {
      if (!started) {
        started = true;
        await sink.write(head);
      }
      const description = product.description === undefined ? undefined : toPlainText(product.description);
      for (const variant of product.variants) {
        await sink.write(renderItem(product, variant, description, currency));
      }
    },
    async end() {
      if (!started) await sink.write(head);
      await sink.write("  </channel>\n</rss>\n");
      await sink.end();
    },
  };
}

/** The variant's own title, else the product title with the option values: `Tee - Red / M`. */
export function composeItemTitle(product: ProductRecord, variant: VariantRecord): string {
  if (variant.title !== undefined) return variant.title;
  const values = (variant.options ?? []).map((option) => option.value);
  return values.length === 0 ? product.title : `${product.title} - ${values.join(" / ")}`;
}

/** What a feed says about stock without quantities: the variant's own, or derived from its stock. */
export function feedAvailability(variant: VariantRecord): string {
  if (variant.availability !== undefined) return variant.availability;
  const quantity =
    variant.quantity ??
    (variant.inventory && variant.inventory.length > 0
      ? variant.inventory.reduce((sum, stock) => sum + stock.quantity, 0)
      : undefined);
  return quantity === undefined || quantity > 0 ? "in_stock" : "out_of_stock";
}

function renderItem(
  product: ProductRecord,
  variant: VariantRecord,
  description: string | undefined,
  currency: string,
) {
  const images = [
    ...(variant.images ?? []),
    ...(product.images ?? []).filter((url) => !variant.images?.includes(url)),
  ];
  const lines: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "")
      lines.push(`      <g:${name}>${escapeXmlText(value)}</g:${name}>\n`);
  };
  add("id", variant.sku);
  add("item_group_id", product.id);
  add("title", composeItemTitle(product, variant));
  add("description", description);
  add("link", variant.link ?? product.link);
  add("image_link", images[0]);
  for (const image of images.slice(1)) add("additional_image_link", image);
  add("availability", feedAvailability(variant));
  add("availability_date", variant.availabilityDate);
  add("price", feedMoney(variant.price, currency));
  add("sale_price", feedMoney(variant.salePrice, currency));
  if (variant.salePriceStart !== undefined || variant.salePriceEnd !== undefined) {
    add("sale_price_effective_date", `${variant.salePriceStart ?? ""}/${variant.salePriceEnd ?? ""}`);
  }
  add("cost_of_goods_sold", feedMoney(variant.costOfGoods, currency));
  add("brand", product.brand);
  add("gtin", variant.gtin);
  add("mpn", variant.mpn);
  add("condition", variant.condition ?? product.condition);
  add("google_product_category", product.googleProductCategory);
  if (product.categoryPath && product.categoryPath.length > 0)
    add("product_type", product.categoryPath.join(" > "));
  add("color", variant.color ?? product.color);
  add("size", variant.size);
  add("material", variant.material ?? product.material);
  add("pattern", variant.pattern ?? product.pattern);
  add("gender", variant.gender ?? product.gender);
  add("age_group", variant.ageGroup ?? product.ageGroup);
  if (variant.weight) add("shipping_weight", formatWeight(variant.weight));
  if (variant.dimensions) {
    const { length, width, height, unit } = variant.dimensions;
    add("product_length", `${length} ${unit}`);
    add("product_width", `${width} ${unit}`);
    add("product_height", `${height} ${unit}`);
  }
  return `    <item>\n${lines.join("")}    </item>\n`;
}

/**
 * Google's `15.00 USD`. Text is written as given, with the currency added when it has none, so a
 * bad price stays visible in the feed.
 */
function feedMoney(money: MoneyRecord | undefined, currency: string): string | undefined {
  if (money === undefined) return undefined;
  if (typeof money === "string") {
    const parsed = parseMoney(money, undefined);
    return !parsed.ok && parseMoney(money, currency).ok ? `${money.trim()} ${currency}` : money;
  }
  if (typeof money === "number") return `${money} ${currency}`;
  if (!Number.isInteger(money.amount)) return `${money.amount} ${money.currency ?? currency}`;
  return formatMoney({ amount: money.amount, currency: money.currency ?? currency });
}
