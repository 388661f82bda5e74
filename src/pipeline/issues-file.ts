import { once } from "node:events";
import { rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import type { RowIssue } from "../core/issues.js";
import { commitTempFile, openTempStream, tempPathFor } from "../feeds/temp-file.js";
import type { ReportedItemIssue } from "./build.js";

/**
 * Every row issue and item issue of a run, one JSON object per line, streamed as the run goes so a
 * million-item catalog with many problems never holds them in memory.
 */
export class IssuesFile {
  private readonly tempPath: string;
  private readonly stream: ReturnType<typeof openTempStream>;

  constructor(private readonly path: string) {
    this.tempPath = tempPathFor(path);
    this.stream = openTempStream(this.tempPath);
  }

  async add(rowIssues: readonly RowIssue[], itemIssues: readonly ReportedItemIssue[]): Promise<void> {
    if (rowIssues.length === 0 && itemIssues.length === 0) return;
    let text = "";
    for (const issue of rowIssues) text += `${JSON.stringify({ kind: "row", ...issue })}\n`;
    for (const issue of itemIssues) text += `${JSON.stringify({ kind: "item", ...issue })}\n`;
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }

  async commit(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
    await commitTempFile(this.tempPath, this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
  }
}
