import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { PlannedChange } from "./delta-plan.js";

/**
 * Planned changes on disk, one JSON line each, so a plan of a million changes costs a file, not
 * the heap (ARCHITECTURE.md invariant 1). The plan is written while the catalog streams and read
 * back in batches once it is complete (the shrink guard needs the whole count before a delete).
 */
export class ChangeSpool {
  private stream: WriteStream | undefined;
  private count = 0;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  /** A spool in a fresh folder under the system's temp folder (or `parent`). */
  static async create(parent = tmpdir()): Promise<ChangeSpool> {
    const dir = await mkdtemp(join(parent, "omnifeed-plan-"));
    return new ChangeSpool(dir, join(dir, "changes.jsonl"));
  }

  get size(): number {
    return this.count;
  }

  async add(changes: readonly PlannedChange[]): Promise<void> {
    if (changes.length === 0) return;
    this.stream ??= createWriteStream(this.file, { flags: "a" });
    const text = changes.map((change) => JSON.stringify(change)).join("\n") + "\n";
    this.count += changes.length;
    if (!this.stream.write(text)) await once(this.stream, "drain");
  }

  /** The changes in the order written, `size` at a time. Closes the writing side first. */
  async *batches(size: number): AsyncIterable<PlannedChange[]> {
    await this.closeWriter();
    if (this.count === 0) return;
    const lines = createInterface({
      input: createReadStream(this.file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let batch: PlannedChange[] = [];
    try {
      for await (const line of lines) {
        if (line === "") continue;
        batch.push(JSON.parse(line) as PlannedChange);
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      lines.close();
    }
  }

  /** Removes the file and its folder. */
  async dispose(): Promise<void> {
    await this.closeWriter().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async closeWriter(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.end();
    await once(stream, "close");
  }
}
