import { describe, expect, it } from "vitest";
import { createXmlItemSplitter, type XmlItem } from "./xml-items.js";

function split(text: string, chunkSize = text.length) {
  const items: XmlItem[] = [];
  const problems: string[] = [];
  const splitter = createXmlItemSplitter(
    (item) => items.push(item),
    (problem) => problems.push(`${problem.line}: ${problem.message}`),
  );
  for (let at = 0; at < text.length; at += chunkSize) splitter.push(text.slice(at, at + chunkSize));
  splitter.end();
  return { items, problems };
}

const FEED = `<rss><channel>
<!-- <item>not an item</item> -->
<item><g:id>A</g:id><g:description><![CDATA[ends with </item> inside]]></g:description></item>
<item>
  <g:id>B</g:id><g:item_group_id>G</g:item_group_id>
</item>
<items>not an item either</items>
</channel></rss>`;

describe("XML item splitter", () => {
  it("splits items outside comments and CDATA, with their first line, in any chunking", () => {
    for (const chunkSize of [1, 5, 64, 10_000]) {
      const { items, problems } = split(FEED, chunkSize);
      expect(items.map((item) => [item.line, item.xml.slice(0, 16)])).toEqual([
        [3, "<item><g:id>A</g"],
        [4, "<item>\n  <g:id>B"],
      ]);
      expect(items[0]!.xml.endsWith("inside]]></g:description></item>")).toBe(true);
      expect(problems).toEqual([]);
    }
  });

  it("reports an item not closed before the next one or the end, and goes on", () => {
    const { items, problems } = split(
      "<feed>\n<entry><g:id>A</g:id>\n<entry><g:id>B</g:id></entry>\n<entry><g:id>C",
      3,
    );
    expect(items.map((item) => item.line)).toEqual([3]);
    expect(problems).toEqual([
      "2: the <entry> starting on this line is not closed before the next one; it is skipped",
      "4: the <entry> starting on this line is not closed before the end of the file",
    ]);
  });
});
