import type { Dimensions, Weight } from "../../core/catalog.js";
import { findColumn, indexHeader } from "../csv-header.js";
import { lengthUnit, weightUnit } from "../field-values.js";

/**
 * WooCommerce's core product CSV exporter (class-wc-product-csv-exporter.php): fixed columns,
 * then `Attribute N …` groups and `Meta: <key>` columns. Weight and dimension columns name their
 * unit: `Weight (kg)`, `Length (in)`.
 */
const SPELLINGS = {
  id: ["ID"],
  type: ["Type"],
  sku: ["SKU"],
  gtin: ["GTIN, UPC, EAN, or ISBN"],
  name: ["Name"],
  published: ["Published"],
  shortDescription: ["Short description"],
  description: ["Description"],
  saleStart: ["Date sale price starts"],
  saleEnd: ["Date sale price ends"],
  inStock: ["In stock?"],
  stock: ["Stock"],
  salePrice: ["Sale price"],
  regularPrice: ["Regular price"],
  categories: ["Categories"],
  tags: ["Tags"],
  images: ["Images"],
  parent: ["Parent"],
  externalUrl: ["External URL"],
  brands: ["Brands", "Brand"],
} as const;
export type WooColumn = keyof typeof SPELLINGS;

export interface MeasureColumn<Unit> {
  position: number;
  /** `undefined` when the header names a unit omnifeed does not know. */
  unit: Unit | undefined;
  label: string;
}

export interface AttributeColumns {
  name: number;
  values: number | undefined;
}

export interface MetaColumn {
  key: string;
  position: number;
}

export interface WooLayout {
  header: readonly string[];
  at: Readonly<Partial<Record<WooColumn, number>>>;
  weight: MeasureColumn<Weight["unit"]> | undefined;
  length: MeasureColumn<Dimensions["unit"]> | undefined;
  width: MeasureColumn<Dimensions["unit"]> | undefined;
  height: MeasureColumn<Dimensions["unit"]> | undefined;
  attributes: readonly AttributeColumns[];
  meta: readonly MetaColumn[];
}

const MEASURE = /^(weight|length|width|height)\s*\(([^)]*)\)$/i;
const ATTRIBUTE_NAME = /^attribute (\d+) name$/i;
const META = /^meta:\s*(.+)$/i;

export function compileWooLayout(header: readonly string[]): WooLayout {
  const index = indexHeader(header);
  const at: Partial<Record<WooColumn, number>> = {};
  for (const [column, names] of Object.entries(SPELLINGS) as [WooColumn, readonly string[]][]) {
    const position = findColumn(index, ...names);
    if (position !== undefined) at[column] = position;
  }
  const layout: WooLayout & { attributes: AttributeColumns[]; meta: MetaColumn[] } = {
    header,
    at,
    weight: undefined,
    length: undefined,
    width: undefined,
    height: undefined,
    attributes: [],
    meta: [],
  };
  header.forEach((raw, position) => {
    const name = raw.trim();
    const measure = MEASURE.exec(name);
    if (measure) {
      const kind = measure[1]!.toLowerCase() as "weight" | "length" | "width" | "height";
      const unitText = measure[2]!;
      if (kind === "weight") layout.weight = { position, unit: weightUnit(unitText), label: name };
      else layout[kind] = { position, unit: lengthUnit(unitText), label: name };
      return;
    }
    const attribute = ATTRIBUTE_NAME.exec(name);
    if (attribute) {
      const values = findColumn(index, `Attribute ${attribute[1]} value(s)`);
      layout.attributes.push({ name: position, values });
      return;
    }
    const meta = META.exec(name);
    if (meta) layout.meta.push({ key: meta[1]!.trim(), position });
  });
  return layout;
}

export function wooColumnName(layout: WooLayout, column: WooColumn): string {
  const position = layout.at[column];
  return position === undefined ? SPELLINGS[column][0] : layout.header[position]!;
}

/** True when a header line is a WooCommerce product export. */
export function isWooHeader(names: readonly string[]): boolean {
  const index = indexHeader(names);
  return (
    findColumn(index, "Type") !== undefined &&
    findColumn(index, "SKU") !== undefined &&
    findColumn(index, "Regular price", "Parent", "In stock?") !== undefined
  );
}
