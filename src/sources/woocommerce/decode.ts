import type { Availability, CatalogEntry, Option, VariantInput, Weight } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import { decodeStoreBatch, fillOptionFields, finishProduct, storeMoney } from "../product-assembly.js";
import type { DecodedBatch, RecordBatch } from "../source.js";
import { metaText, type WooProduct, type WooVariation } from "./api.js";
import type { WooCommerceSourceOptions } from "./options.js";
import type { WooGroup } from "./records.js";

/**
 * WooCommerce products → canonical products (pure). The mapping is shared with the Shopify
 * source so one merchant catalog gives byte-identical feeds through either store (issue 9):
 * id = slug, title = name, description = `description`, brand = the `brand_meta_key` meta,
 * productType = the first category, tags and images in order, link = `<store_url>/products/<slug>`;
 * per variant: SKU, GTIN = `global_unique_id`, price = `regular_price` and salePrice = the
 * current `price` when the regular one is above it (else price = `price`), quantity = `stock_quantity` (WooCommerce keeps no stock per location), options =
 * the product's variation attributes in position order zipped with the variation's values,
 * weight in grams. Availability is left to be derived from the quantity, except where stock is
 * not managed (no quantity): there `stock_status` says it.
 */

const GRAMS_PER_UNIT: Readonly<Record<WooCommerceSourceOptions["weight_unit"], number>> = {
  kg: 1000,
  g: 1,
  lbs: 453.59237,
  oz: 28.349523125,
};

const STOCK_STATUS: Readonly<Record<string, Availability>> = {
  instock: "in_stock",
  outofstock: "out_of_stock",
  onbackorder: "backorder",
};

export function decodeWooBatch(batch: RecordBatch, options: WooCommerceSourceOptions): DecodedBatch {
  return decodeStoreBatch<WooGroup>(batch, (group, file, issues) =>
    decodeWooProduct(group, options, file, issues),
  );
}

interface DraftVariant {
  variant: VariantInput;
  /** The store's id of the record the variant came from. */
  storeId: number;
  ref: string;
}

export function decodeWooProduct(
  group: WooGroup,
  options: WooCommerceSourceOptions,
  file: string,
  issues: RowIssue[],
): CatalogEntry | undefined {
  const { product, position } = group;
  // Drafts, private and pending products are not for sale: left out without an issue (as on Shopify).
  if (product.status !== "publish") return undefined;
  // A grouped product sells nothing itself: its children are products of their own.
  if (product.type === "grouped") return undefined;
  const productRef = `product ${product.id}`;
  const report = (
    ref: string,
    sku: string | undefined,
    field: string,
    message: string,
    severity: RowIssue["severity"] = "error",
  ) => {
    issues.push({ file, line: position, ref, ...(sku ? { id: sku } : {}), field, severity, message });
  };
  const drafts: DraftVariant[] = [];
  if (product.type === "variable") {
    const axes = product.attributes
      .filter((attribute) => attribute.variation === true)
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    for (const variation of group.variations) {
      if (variation.status !== undefined && variation.status !== "publish") continue;
      const ref = `variation ${variation.id}`;
      const sku = nonEmpty(variation.sku);
      if (sku === undefined) {
        report(
          ref,
          undefined,
          "sku",
          "the variation has no SKU; it is left out (every channel item is keyed by its SKU)",
        );
        continue;
      }
      const variantOptions: Option[] = [];
      for (const axis of axes) {
        const value = nonEmpty(
          variation.attributes.find((attribute) => sameAttribute(attribute, axis))?.option,
        );
        if (value === undefined) {
          report(
            ref,
            sku,
            `attributes.${axis.name}`,
            `the variation is sold for any ${axis.name}; the option is left out of the item`,
            "warning",
          );
        } else variantOptions.push({ name: axis.name, value });
      }
      const variant = offerOf(variation, options, (field, message) => report(ref, sku, field, message));
      if (variant === undefined) continue;
      drafts.push({ variant: { ...variant, sku, options: variantOptions }, storeId: variation.id, ref });
    }
    if (drafts.length === 0 && group.variations.length === 0) {
      report(
        productRef,
        undefined,
        "variations",
        "the variable product has no variations; it is left out",
        "warning",
      );
    }
  } else {
    const sku = nonEmpty(product.sku);
    if (sku === undefined) {
      report(
        productRef,
        undefined,
        "sku",
        "the product has no SKU; it is left out (every channel item is keyed by its SKU)",
      );
    } else {
      const variant = offerOf(product, options, (field, message) => report(productRef, sku, field, message));
      if (variant !== undefined)
        drafts.push({ variant: { ...variant, sku, options: [] }, storeId: product.id, ref: productRef });
    }
  }
  if (drafts.length === 0) return undefined;
  for (const draft of drafts) fillOptionFields(draft.variant);

  const storeUrl = options.store_url ?? options.url;
  const before = issues.length;
  const entry = finishProduct(
    {
      product: {
        id: product.slug,
        title: product.name,
        ...optional("description", nonEmpty(product.description)),
        ...optional("brand", nonEmpty(metaText(product.meta_data, options.brand_meta_key))),
        ...optional("productType", nonEmpty(product.categories[0]?.name)),
        // Sorted as Shopify lists them (WordPress lists terms by name too), so both stores agree.
        tags: product.tags
          .map((tag) => tag.name)
          .filter((tag) => tag.trim() !== "")
          .sort(),
        images: product.images.map((image) => image.src),
        link: `${storeUrl}/products/${product.slug}`,
        variants: drafts.map((draft) => draft.variant),
      },
      line: position,
      variantLines: drafts.map(() => position),
    },
    file,
    issues,
  );
  // The schema's own findings name the store record instead of a line.
  const refBySku = new Map(drafts.map((draft) => [String(draft.variant.sku), draft.ref]));
  for (const issue of issues.slice(before)) issue.ref ??= (issue.id && refBySku.get(issue.id)) || productRef;
  if (entry === undefined) return undefined;
  const idBySku = new Map(drafts.map((draft) => [String(draft.variant.sku), String(draft.storeId)]));
  entry.origin.ids = {
    product: String(product.id),
    variants: entry.product.variants.map((variant) => idBySku.get(variant.sku) ?? ""),
  };
  return entry;
}

/** The offer fields a simple product and a variation share: prices, stock, identifiers, weight. */
function offerOf(
  record: WooProduct | WooVariation,
  options: WooCommerceSourceOptions,
  report: (field: string, message: string) => void,
): Omit<VariantInput, "sku" | "options"> | undefined {
  // What the buyer pays now is `price` (the sale price while a sale runs). As on Shopify, the
  // regular price is the "was" price only when it is above it; a scheduled sale shows once it runs.
  const regularText = nonEmpty(record.regular_price);
  const activeText = nonEmpty(record.price) ?? regularText;
  if (activeText === undefined) {
    report("regular_price", "no price; the item is left out (WooCommerce does not sell it either)");
    return undefined;
  }
  const active = storeMoney(
    activeText,
    options.currency,
    record.price ? "price" : "regular_price",
    report,
    LEFT_OUT,
  );
  if (active === undefined) return undefined;
  const regular =
    regularText === undefined
      ? undefined
      : storeMoney(regularText, options.currency, "regular_price", report, LEFT_OUT);
  const onSale = regular !== undefined && regular.amount > active.amount;
  const price = onSale ? regular : active;
  const salePrice = onSale ? active : undefined;
  const quantity = typeof record.stock_quantity === "number" ? Math.max(0, record.stock_quantity) : undefined;
  const availability =
    quantity === undefined && record.stock_status !== undefined
      ? STOCK_STATUS[record.stock_status]
      : undefined;
  const weight = weightOf(record.weight, options.weight_unit, report);
  return {
    ...optional("gtin", nonEmpty(record.global_unique_id)),
    price,
    ...optional("salePrice", salePrice),
    ...optional("salePriceStart", onSale ? gmtDate(record.date_on_sale_from_gmt) : undefined),
    ...optional("salePriceEnd", onSale ? gmtDate(record.date_on_sale_to_gmt) : undefined),
    ...optional("quantity", quantity),
    ...optional("availability", availability),
    ...optional("weight", weight),
  };
}

const LEFT_OUT = "; the item is left out";

function weightOf(
  text: string | undefined,
  unit: WooCommerceSourceOptions["weight_unit"],
  report: (field: string, message: string) => void,
): Weight | undefined {
  const value = nonEmpty(text);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    report("weight", `"${value}" is not a weight in ${unit}; the weight is left out`);
    return undefined;
  }
  return { value: Math.round(number * GRAMS_PER_UNIT[unit] * 1000) / 1000, unit: "g" };
}

/** `2026-11-27T00:00:00` (UTC without `Z`, as `*_gmt` fields are) → `2026-11-27T00:00:00Z`. */
function gmtDate(text: string | undefined): string | undefined {
  const value = nonEmpty(text);
  return value === undefined ? undefined : /Z$|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
}

/** A global attribute matches by id, a custom one (id 0) by name. */
function sameAttribute(
  attribute: { id?: number | undefined; name: string },
  axis: { id?: number | undefined; name: string },
): boolean {
  if (attribute.id !== undefined && axis.id !== undefined && attribute.id > 0 && axis.id > 0) {
    return attribute.id === axis.id;
  }
  return attribute.name.trim().toLowerCase() === axis.name.trim().toLowerCase();
}

function nonEmpty(text: string | undefined | null): string | undefined {
  return text === undefined || text === null || text.trim() === "" ? undefined : text;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
