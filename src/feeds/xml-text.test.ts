import { describe, expect, it } from "vitest";
import { escapeXmlText } from "./xml-text.js";

describe("escapeXmlText", () => {
  it("escapes &, < and >", () => {
    expect(escapeXmlText("Salt & Pepper <Grinder> 2 > 1")).toBe("Salt &amp; Pepper &lt;Grinder&gt; 2 &gt; 1");
  });

  it("returns text without special characters unchanged", () => {
    const text = "Plain tee – red, 100% cotton";
    expect(escapeXmlText(text)).toBe(text);
  });

  it("drops C0 control characters but keeps tab, line feed and carriage return", () => {
    expect(escapeXmlText("a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg")).toBe("abcdefg");
    expect(escapeXmlText("a\tb\nc\rd")).toBe("a\tb\nc\rd");
    expect(escapeXmlText("x\u0007&y")).toBe("x&amp;y");
  });

  it("keeps emoji and other astral characters", () => {
    expect(escapeXmlText("Cozy 🧦 socks & 𝄞")).toBe("Cozy 🧦 socks &amp; 𝄞");
  });

  it("drops lone surrogates and U+FFFE/U+FFFF", () => {
    expect(escapeXmlText("a\uD83Db")).toBe("ab");
    expect(escapeXmlText("a\uDE00b")).toBe("ab");
    expect(escapeXmlText("end\uD83D")).toBe("end");
    expect(escapeXmlText("a\uFFFEb\uFFFFc")).toBe("abc");
  });
});
