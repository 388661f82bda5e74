/**
 * A batch of rendered feed entries as UTF-8 bytes, with where each entry ends. Workers encode their
 * entries and transfer the buffers (no copy), so the main thread only writes bytes.
 */
export interface EncodedEntries {
  bytes: Uint8Array;
  /** `ends[i]` is the byte offset just after entry `i`. */
  ends: Uint32Array;
}

export function encodeEntries(entries: readonly string[]): EncodedEntries {
  const ends = new Uint32Array(entries.length);
  let chars = 0;
  for (const entry of entries) chars += entry.length;
  // Mostly ASCII: start at the character count plus a quarter, grow when an entry might not fit.
  let bytes: Buffer = Buffer.allocUnsafeSlow(chars + (chars >> 2) + 64);
  let offset = 0;
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index]!;
    if (bytes.length - offset < entry.length * 3) {
      const needed = offset + Buffer.byteLength(entry, "utf8");
      if (needed > bytes.length)
        bytes = grow(bytes, offset, Math.max(needed, bytes.length + (bytes.length >> 1)));
    }
    offset += bytes.write(entry, offset, "utf8");
    ends[index] = offset;
  }
  return { bytes: bytes.subarray(0, offset), ends };
}

// Never from Buffer's shared pool: the buffer is transferred to another thread.
function grow(bytes: Buffer, used: number, size: number): Buffer {
  const larger = Buffer.allocUnsafeSlow(size);
  bytes.copy(larger, 0, 0, used);
  return larger;
}

/** The buffers to list as transferables when posting entries to another thread. */
export function transferablesOf(encoded: EncodedEntries): ArrayBuffer[] {
  return [encoded.bytes.buffer as ArrayBuffer, encoded.ends.buffer as ArrayBuffer];
}

/** The entries without those at `drop` (ascending indexes), copied into new buffers. */
export function withoutEntries(encoded: EncodedEntries, drop: readonly number[]): EncodedEntries {
  const { bytes, ends } = encoded;
  const kept = new Uint32Array(ends.length - drop.length);
  const out = new Uint8Array(bytes.length);
  let offset = 0;
  let count = 0;
  let next = 0;
  for (let index = 0; index < ends.length; index += 1) {
    if (drop[next] === index) {
      next += 1;
      continue;
    }
    const start = index === 0 ? 0 : ends[index - 1]!;
    out.set(bytes.subarray(start, ends[index]), offset);
    offset += ends[index]! - start;
    kept[count] = offset;
    count += 1;
  }
  return { bytes: out.subarray(0, offset), ends: kept };
}
