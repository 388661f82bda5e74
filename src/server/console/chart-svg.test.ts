import { describe, expect, it } from "vitest";
import { axisTicks, statusChartSvg } from "./chart-svg.js";

describe("status chart", () => {
  it("puts round ticks on the axis, up to at least the highest bar", () => {
    expect(axisTicks(1000)).toEqual([0, 250, 500, 750, 1000]);
    expect(axisTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(axisTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(3)).toEqual([0, 1, 2, 3]);
    expect(axisTicks(0)).toEqual([0, 1]);
  });

  it("stacks one bar per run, with heights in proportion to the counts", () => {
    const svg = statusChartSvg({
      id: "chart",
      title: "items",
      bars: [
        { label: ["12-05", "08:00"], describe: "a", counts: { accepted: 750, rejected: 250, filtered: 0 } },
        { label: ["12-05", "09:00"], describe: "b", counts: { accepted: 500, rejected: 0, filtered: 500 } },
      ],
    }).text;
    expect(svg.match(/<g class="bar"/g)).toHaveLength(2);
    const heights = [
      ...svg.matchAll(/class="(\w+)"\s+x="[^"]*"\s+y="[^"]*"\s+width="[^"]*"\s+height="([^"]*)"/g),
    ].map((match) => [match[1], Number(match[2])]);
    // Plot height 158: 1,000 items (the top tick) fill it.
    expect(heights).toEqual([
      ["accepted", 118.5],
      ["rejected", 39.5],
      ["accepted", 79],
      ["filtered", 79],
    ]);
    expect(svg).toContain("<desc");
    expect(svg).toContain("a: 750 accepted, 250 rejected, 0 filtered.");
  });
});
