import { describe, expect, it } from "vitest";
import {
  convertLength,
  convertWeight,
  GRAMS,
  LENGTH_UNITS,
  lengthUnitNamed,
  measureScale,
  MILLIMETRES,
  WEIGHT_UNITS,
  weightUnitNamed,
} from "./units.js";

describe("the unit table", () => {
  it("sizes every unit it lists, and reads each unit's own name", () => {
    expect(Object.keys(GRAMS)).toEqual([...WEIGHT_UNITS]);
    expect(Object.keys(MILLIMETRES)).toEqual([...LENGTH_UNITS]);
    for (const unit of WEIGHT_UNITS) expect(weightUnitNamed(unit)).toBe(unit);
    for (const unit of LENGTH_UNITS) expect(lengthUnitNamed(unit)).toBe(unit);
  });

  it("reads the names merchants write, whatever the case", () => {
    expect(weightUnitNamed(" LBS ")).toBe("lb");
    expect(weightUnitNamed("Kilograms")).toBe("kg");
    expect(weightUnitNamed("gr")).toBe("g");
    expect(lengthUnitNamed("inches")).toBe("in");
    expect(lengthUnitNamed('"')).toBe("in");
    expect(lengthUnitNamed("Centimeters")).toBe("cm");
    expect(weightUnitNamed("cm")).toBeUndefined();
    expect(lengthUnitNamed("stone")).toBeUndefined();
  });

  it("converts within a kind, rounded to 3 decimals, and leaves a same-unit value alone", () => {
    expect(convertWeight(1, "lb", "g")).toBe(453.592);
    expect(convertWeight(1000, "g", "kg")).toBe(1);
    expect(convertWeight(0.1234567, "kg", "kg")).toBe(0.1234567);
    expect(convertLength(1, "ft", "in")).toBe(12);
    expect(convertLength(25.4, "mm", "in")).toBe(1);
  });

  it("tells weights from lengths", () => {
    expect(measureScale("oz")).toBe(GRAMS);
    expect(measureScale("m")).toBe(MILLIMETRES);
    expect(measureScale("parsec")).toBeUndefined();
  });
});
