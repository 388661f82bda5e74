import { once } from "node:events";
import { rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { OmnifeedError, writeErrorKind } from "../core/errors.js";
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
  private error: Error | undefined;

  constructor(private readonly path: string) {
    this.tempPath = tempPathFor(path);
    this.stream = openTempStream(this.tempPath);
    // Kept and thrown by the next write, never left to crash the process unheard.
    this.stream.on("error", (error) => (this.error ??= error));
  }

  async add(rowIssues: readonly RowIssue[], itemIssues: readonly ReportedItemIssue[]): Promise<void> {
    if (rowIssues.length === 0 && itemIssues.length === 0) return;
    let text = "";
    for (const issue of rowIssues) text += `${JSON.stringify({ kind: "row", ...issue })}\n`;
    for (const issue of itemIssues) text += `${JSON.stringify({ kind: "item", ...issue })}\n`;
    if (this.error) throw this.failed(this.error);
    try {
      if (!this.stream.write(text)) await once(this.stream, "drain");
    } catch (error) {
      throw this.failed(error);
    }
  }

  async commit(): Promise<void> {
    this.stream.end();
    try {
      await finished(this.stream);
    } catch (error) {
      throw this.failed(error);
    }
    await commitTempFile(this.tempPath, this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
  }

  private failed(error: unknown): OmnifeedError {
    const reason = error instanceof Error ? error.message : String(error);
    return new OmnifeedError(writeErrorKind(error), `cannot write ${this.path}: ${reason}`, { cause: error });
  }
}
