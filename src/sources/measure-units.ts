import type { Dimensions, Weight } from "../core/catalog.js";

/** Grams per weight unit and millimetres per length unit. */
const GRAMS: Record<Weight["unit"], number> = { g: 1, kg: 1000, oz: 28.349523125, lb: 453.59237 };
const MILLIMETRES: Record<Dimensions["unit"], number> = { mm: 1, cm: 10, m: 1000, in: 25.4, ft: 304.8 };

/** Rounded to 3 decimals, so conversions back and forth land on the value written. */
export function roundMeasure(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function convertWeight(value: number, from: Weight["unit"], to: Weight["unit"]): number {
  return from === to ? value : roundMeasure((value * GRAMS[from]) / GRAMS[to]);
}

export function convertLength(value: number, from: Dimensions["unit"], to: Dimensions["unit"]): number {
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
