import { describe, expect, it } from "vitest";
import { checkShrink } from "./shrink-guard.js";

describe("checkShrink", () => {
  it("lets the first publish through", () => {
    expect(checkShrink(undefined, 10, 0.2, false)).toMatchObject({ allowed: true, drop: 0 });
  });

  it("allows growth and drops up to the limit", () => {
    expect(checkShrink(100, 150, 0.2, false).allowed).toBe(true);
    expect(checkShrink(100, 80, 0.2, false)).toMatchObject({ allowed: true, drop: 0.2 });
  });

  it("holds a drop over the limit and says how to publish anyway", () => {
    const verdict = checkShrink(100, 79, 0.2, false);
    expect(verdict.allowed).toBe(false);
    expect(verdict.drop).toBeCloseTo(0.21);
    expect(verdict.message).toContain("100 → 79");
    expect(verdict.message).toContain("--force");
  });

  it("publishes a held drop when forced, and says so", () => {
    const verdict = checkShrink(100, 0, 0.2, true);
    expect(verdict.allowed).toBe(true);
    expect(verdict.message).toContain("forced");
  });
});
