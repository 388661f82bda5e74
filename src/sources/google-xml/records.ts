import type { RowIssue } from "../../core/issues.js";
import { readTextChunks } from "../file-input.js";
import { createBatchCollector } from "../record-batches.js";
import type { ReadOptions, RecordBatch } from "../source.js";
import type { GoogleXmlOptions } from "./config.js";
import { createXmlItemSplitter, type XmlItem } from "./xml-items.js";

/** The items of one product: adjacent items sharing `g:item_group_id` (or one item without it). */
export interface GoogleXmlGroup {
  items: XmlItem[];
}

const GROUP_ID =
  /<(?:[\w-]+:)?item_group_id\s*>\s*(?:<!\[CDATA\[)?\s*([^<]*?)\s*(?:\]\]>)?\s*<\/(?:[\w-]+:)?item_group_id\s*>/;

/** The group id of an item's raw XML, found without parsing it (entities are rare in ids). */
export function itemGroupId(xml: string): string {
  return GROUP_ID.exec(xml)?.[1] ?? "";
}

/** Streams a Google RSS/Atom feed as groups of items, one group per product. */
export async function* readGoogleXmlBatches(
  file: string,
  _options: GoogleXmlOptions,
  read: ReadOptions,
): AsyncGenerator<RecordBatch<GoogleXmlGroup>> {
  const collector = createBatchCollector<GoogleXmlGroup>(file, read.batchSize);
  // Batches filled while one chunk of text is split, handed out once the chunk is done.
  const ready: RecordBatch<GoogleXmlGroup>[] = [];
  let bytesRead = 0;
  let open: GoogleXmlGroup | undefined;
  let openId = "";
  const close = () => {
    if (!open) return;
    collector.add(open, open.items.length);
    if (collector.full) ready.push(collector.take(bytesRead));
  };
  const splitter = createXmlItemSplitter(
    (item) => {
      const id = itemGroupId(item.xml);
      if (open && id !== "" && id === openId) {
        open.items.push(item);
        return;
      }
      close();
      open = { items: [item] };
      openId = id;
    },
    (problem) => collector.issue(problemIssue(file, problem.line, problem.message)),
  );
  for await (const chunk of readTextChunks(file, read.signal, read.encoding)) {
    bytesRead = chunk.bytesRead;
    splitter.push(chunk.text);
    yield* ready.splice(0);
  }
  splitter.end();
  close();
  yield* ready.splice(0);
  if (!collector.empty) yield collector.take(bytesRead);
}

function problemIssue(file: string, line: number, message: string): RowIssue {
  return { file, line, severity: "error", message };
}
