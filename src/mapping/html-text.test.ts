import { describe, expect, it } from "vitest";
import { collapseWhitespace, stripHtml, tidyLines } from "./html-text.js";

describe("stripHtml (one pass)", () => {
  it("keeps the text of a typical product description, one line per block", () => {
    const html =
      '<p>Soft &amp; warm.</p>\n<ul>\n  <li>Size &lt;M&gt;</li>\n  <li class="x">Made in &quot;Portugal&quot;</li>\n</ul>';
    expect(stripHtml(html)).toBe('Soft & warm.\nSize <M>\nMade in "Portugal"');
  });

  it("treats an unterminated tag or quote as text", () => {
    expect(stripHtml("<p>a <b title='x>y</p>")).toBe("a <b title='x>y");
    expect(stripHtml("<p>1 <2</p>")).toBe("1 <2");
  });

  it("drops comments that never close, declarations and processing instructions", () => {
    expect(stripHtml("<!DOCTYPE html><?xml x?><p>kept</p><!-- cut")).toBe("kept");
  });

  it("keeps a script without its closing tag as text, drops the tag", () => {
    expect(stripHtml("<p>a</p><script>b")).toBe("a\nb");
    expect(stripHtml("<SCRIPT type=x>alert(1)</script ><p>c</p>")).toBe("c");
  });

  it("decodes entities in text without tags and keeps its lines", () => {
    expect(stripHtml("Tom &amp; Jerry\r\n\n  line two  ")).toBe("Tom & Jerry\nline two");
    // As HTML does: a character reference out of Unicode's range or to NUL is U+FFFD.
    expect(stripHtml("AT&T & co; &#99999999; &#0;")).toBe("AT&T & co; \uFFFD \uFFFD");
  });

  it("decodes every HTML entity once, and only with its semicolon", () => {
    expect(stripHtml("Caf&eacute; cr&egrave;me &Oslash; &hearts; &#x1F375;")).toBe("Café crème Ø ♥ 🍵");
    expect(stripHtml("&amp;eacute; is written &amp;amp;")).toBe("&eacute; is written &amp;");
    expect(stripHtml("https://a.example/?x=1&copy=2")).toBe("https://a.example/?x=1&copy=2");
  });
});

describe("tidyLines and collapseWhitespace", () => {
  it("collapse like the regular expressions they replace", () => {
    const samples = ["", "  a  b ", "a\u00a0\u2003b", "\tx\n\n y \r\n z\t", "emoji 😀  tail", "one"];
    for (const sample of samples) {
      expect(collapseWhitespace(sample)).toBe(sample.replace(/\s+/g, " ").trim());
      const lines = sample
        .split(/\r?\n/)
        .map((line) => line.replace(/[^\S\n]+/g, " ").trim())
        .filter((line) => line !== "");
      expect(tidyLines(sample)).toBe(lines.join("\n"));
    }
  });
});
