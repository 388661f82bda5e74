import { describe, expect, it } from "vitest";
import { withoutForbiddenCharacters } from "./feed-characters.js";
import { escapeXmlText } from "./xml-text.js";

describe("withoutForbiddenCharacters", () => {
  it("drops C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF", () => {
    expect(withoutForbiddenCharacters("a\x01b\x00c\x1Fd\tx\ny\rz")).toBe("abcd\tx\ny\rz");
    expect(withoutForbiddenCharacters("lone \uD83D high, lone \uDE00 low, \uFFFE\uFFFF end")).toBe(
      "lone  high, lone  low,  end",
    );
  });

  it("keeps emoji, accents and everything else, returning the same string when nothing is dropped", () => {
    const text = "Café “Crème” 🍵 — 100 % \u00A0 \u007F";
    expect(withoutForbiddenCharacters(text)).toBe(text);
    expect(withoutForbiddenCharacters("🍵\x01🍵")).toBe("🍵🍵");
  });

  it("drops what the XML escaper drops", () => {
    const text = "x\x01\x08\x0B\x0C\x0E\uD800y\uDC00\uFFFE\uFFFFz 🍵";
    expect(withoutForbiddenCharacters(text)).toBe(escapeXmlText(text));
  });
});
