import { describe, expect, it } from "vitest";
import { channelKeyText } from "./channel-key.js";

describe("channelKeyText", () => {
  it("keeps an ordinary key as it is", () => {
    expect(channelKeyText("MUG-001")).toBe("MUG-001");
  });

  it("turns each run of tabs, line breaks and other control characters into one space", () => {
    expect(channelKeyText("MUG\t001")).toBe("MUG 001");
    expect(channelKeyText("MUG\r\n\t001")).toBe("MUG 001");
    expect(channelKeyText("MUG\u0000\u0085001")).toBe("MUG 001");
  });

  it("trims what the control characters leave at the ends", () => {
    expect(channelKeyText("\tMUG-001\n")).toBe("MUG-001");
    expect(channelKeyText(" \t ")).toBe("");
  });

  it("leaves spaces and non-ASCII letters inside the key alone", () => {
    expect(channelKeyText("TASSE  Ø 8")).toBe("TASSE  Ø 8");
  });
});
