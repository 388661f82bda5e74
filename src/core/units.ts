import type { Dimensions, Weight } from "./catalog.js";

/**
 * The one table of measure units: the units a catalog holds, the names merchants write for them,
 * and their size. Sources read names through it, mapping transforms and catalog writers convert
 * with it, channels spell units from it.
 */
export const WEIGHT_UNITS = ["g", "kg", "oz", "lb"] as const;
export const LENGTH_UNITS = ["mm", "cm", "m", "in", "ft"] as const;
export type WeightUnit = (typeof WEIGHT_UNITS)[number];
export type LengthUnit = (typeof LENGTH_UNITS)[number];

/** Grams per weight unit and millimetres per length unit. */
export const GRAMS: Readonly<Record<WeightUnit, number>> = {
  g: 1,
  kg: 1000,
  oz: 28.349523125,
  lb: 453.59237,
};
export const MILLIMETRES: Readonly<Record<LengthUnit, number>> = {
  mm: 1,
  cm: 10,
  m: 1000,
  in: 25.4,
  ft: 304.8,
};

const WEIGHT_NAMES: ReadonlyMap<string, WeightUnit> = new Map([
  ["g", "g"],
  ["gr", "g"],
  ["gram", "g"],
  ["grams", "g"],
  ["kg", "kg"],
  ["kgs", "kg"],
  ["kilogram", "kg"],
  ["kilograms", "kg"],
  ["oz", "oz"],
  ["ounce", "oz"],
  ["ounces", "oz"],
  ["lb", "lb"],
  ["lbs", "lb"],
  ["pound", "lb"],
  ["pounds", "lb"],
]);

const LENGTH_NAMES: ReadonlyMap<string, LengthUnit> = new Map([
  ["mm", "mm"],
  ["millimeter", "mm"],
  ["millimeters", "mm"],
  ["cm", "cm"],
  ["centimeter", "cm"],
  ["centimeters", "cm"],
  ["m", "m"],
  ["meter", "m"],
  ["meters", "m"],
  ["in", "in"],
  ["inch", "in"],
  ["inches", "in"],
  ['"', "in"],
  ["ft", "ft"],
  ["foot", "ft"],
  ["feet", "ft"],
]);

/** The weight unit a name stands for (`lbs`, `Kilograms` …), case and spaces aside. */
export function weightUnitNamed(text: string): WeightUnit | undefined {
  return WEIGHT_NAMES.get(text.trim().toLowerCase());
}

/** The length unit a name stands for (`inches`, `CM`, `"` …), case and spaces aside. */
export function lengthUnitNamed(text: string): LengthUnit | undefined {
  return LENGTH_NAMES.get(text.trim().toLowerCase());
}

/** The size table a unit belongs to (grams or millimetres), or undefined for an unknown unit. */
export function measureScale(unit: string): Readonly<Record<string, number>> | undefined {
  if (unit in GRAMS) return GRAMS;
  if (unit in MILLIMETRES) return MILLIMETRES;
  return undefined;
}

/** Rounded to 3 decimals, so conversions back and forth land on the value written. */
export function roundMeasure(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function convertWeight(value: number, from: WeightUnit, to: WeightUnit): number {
  return from === to ? value : roundMeasure((value * GRAMS[from]) / GRAMS[to]);
}

export function convertLength(value: number, from: LengthUnit, to: LengthUnit): number {
  return from === to ? value : roundMeasure((value * MILLIMETRES[from]) / MILLIMETRES[to]);
}

/** `1.2 kg` */
export function formatWeight(weight: Weight): string {
  return `${weight.value} ${weight.unit}`;
}

/** `30 x 20 x 10 cm` */
export function formatDimensions(dimensions: Dimensions): string {
  return `${dimensions.length} x ${dimensions.width} x ${dimensions.height} ${dimensions.unit}`;
}
