import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * Text written to a stream in chunks of about 64 KiB, waiting for `drain` when the stream asks
 * for it, so a writer of a million records neither floods memory nor pays per-record syscalls.
 */
export interface TextSink {
  write(text: string): Promise<void>;
  /** Writes what is buffered, ends the stream and waits until it is finished. */
  end(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

export function createTextSink(output: Writable): TextSink {
  let buffer = "";
  const flush = async () => {
    if (buffer === "") return;
    const text = buffer;
    buffer = "";
    if (!output.write(text)) await once(output, "drain");
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async end() {
      await flush();
      output.end();
      await finished(output);
    },
  };
}
