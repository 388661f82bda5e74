/**
 * Splits a Google feed (RSS 2.0 `<item>` or Atom `<entry>`) into item elements while it streams,
 * without parsing the XML: it looks for item tags outside comments and CDATA sections, so a
 * `</item>` inside a CDATA description does not end the item. Each item is parsed later, in a
 * build worker. An item that is not closed before the next one starts (or before the end of the
 * file) is reported, and reading goes on with the next item.
 */
export interface XmlItem {
  xml: string;
  /** Line of the item's opening tag. */
  line: number;
}

export interface XmlItemSplitter {
  push(text: string): void;
  end(): void;
}

const OUTSIDE = /<!--|<!\[CDATA\[|<(item|entry)(?=[\s>/])/g;
const INSIDE = /<\/(item|entry)\s*>|<!--|<!\[CDATA\[|<(item|entry)(?=[\s>/])/g;
/** Kept from the end of a chunk when nothing is open, in case a tag is cut in two. */
const TAIL = 16;

export function createXmlItemSplitter(
  onItem: (item: XmlItem) => void,
  onProblem: (problem: { line: number; message: string }) => void,
): XmlItemSplitter {
  let buffer = "";
  // Line of buffer[0], and how far into the buffer lines have been counted.
  let bufferLine = 1;
  let counted = 0;
  let countedLine = 1;
  let position = 0;
  // The open item: its tag name, start offset and line.
  let itemTag: string | undefined;
  let itemStart = 0;
  let itemLine = 0;
  // A comment or CDATA section that runs past the buffer.
  let skippingUntil: string | undefined;

  const lineAt = (offset: number) => {
    let at = buffer.indexOf("\n", counted);
    while (at !== -1 && at < offset) {
      countedLine++;
      at = buffer.indexOf("\n", at + 1);
    }
    counted = offset;
    return countedLine;
  };

  function scan(final: boolean): void {
    for (;;) {
      if (skippingUntil !== undefined) {
        const end = buffer.indexOf(skippingUntil, position);
        if (end === -1) return;
        position = end + skippingUntil.length;
        skippingUntil = undefined;
      }
      const pattern = itemTag === undefined ? OUTSIDE : INSIDE;
      pattern.lastIndex = position;
      const match = pattern.exec(buffer);
      if (!match) {
        if (itemTag === undefined && !final) position = Math.max(position, buffer.length - TAIL);
        return;
      }
      const token = match[0];
      if (token === "<!--" || token === "<![CDATA[") {
        skippingUntil = token === "<!--" ? "-->" : "]]>";
        position = match.index + token.length;
        continue;
      }
      if (token.startsWith("</")) {
        if (match[1] === itemTag) {
          const end = match.index + token.length;
          onItem({ xml: buffer.slice(itemStart, end), line: itemLine });
          itemTag = undefined;
        }
        position = match.index + token.length;
        continue;
      }
      // An opening tag; inside an item it means the open item was never closed.
      if (itemTag !== undefined) {
        onProblem({
          line: itemLine,
          message: `the <${itemTag}> starting on this line is not closed before the next one; it is skipped`,
        });
      }
      itemTag = match[2] ?? match[1]!;
      itemStart = match.index;
      itemLine = lineAt(match.index);
      position = match.index + token.length;
    }
  }

  /** Drops what is no longer needed from the front of the buffer. */
  function compact(): void {
    const keep =
      itemTag !== undefined ? itemStart : skippingUntil !== undefined ? position : Math.max(0, position);
    if (keep === 0) return;
    lineAt(keep);
    bufferLine = countedLine;
    buffer = buffer.slice(keep);
    position -= keep;
    itemStart -= keep;
    counted = 0;
    countedLine = bufferLine;
  }

  return {
    push(text) {
      buffer += text;
      scan(false);
      compact();
    },
    end() {
      scan(true);
      if (itemTag !== undefined) {
        onProblem({
          line: itemLine,
          message: `the <${itemTag}> starting on this line is not closed before the end of the file`,
        });
      }
    },
  };
}
