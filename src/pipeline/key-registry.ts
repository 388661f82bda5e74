/**
 * Remembers every channel key of a run, in bounded memory, to find the ones seen before.
 *
 * A million keys as JS strings in a `Set` cost tens of megabytes per channel; this table keeps a
 * 64-bit hash of each key, the line of its first item and one bit per channel — 13 bytes an entry,
 * in chunks of typed arrays that never move — plus an open-addressing index of 4 bytes a slot,
 * shared by all channels of the run (usually every channel's key is the SKU, so one entry serves
 * them all). Only the index is rebuilt as the table grows, so the peak is about 21 MB at a million
 * keys instead of the 40 MB a table of full slots needs while it doubles. Exact strings are kept only for the few keys found twice. ADR 0005 has the numbers
 * and the odds of two different keys sharing a hash.
 */

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
const INITIAL_CAPACITY = 1 << 12;
// Linear probing stays short up to three quarters full.
const MAX_LOAD = 0.75;

export class KeyRegistry {
  private capacity = INITIAL_CAPACITY;
  private size = 0;
  /** Slot → entry number + 1; 0 = empty slot. */
  private index = new Uint32Array(INITIAL_CAPACITY);
  /** Per chunk of entries: hash high, hash low and first line, three words an entry. */
  private readonly words: Uint32Array[] = [];
  /** Per chunk of entries: bit `c` set when channel `c` has the key. */
  private readonly channelBits: Uint8Array[] = [];
  /**
   * A channel whose first item with a key is not the item the entry's line names (another channel
   * got the same key from another item): its own first line, by `channel:high:low`. Rare.
   */
  private readonly ownFirstLines = new Map<string, number>();
  private hashHigh = 0;
  private hashLow = 0;

  /** Up to 8 channels share a table. */
  constructor(readonly channelCount: number) {
    if (channelCount < 1 || channelCount > 8) throw new RangeError("1 to 8 channels per key registry");
  }

  /**
   * Records that `channel` has an item with `key` at `line`. Returns the line of the channel's
   * earlier item with that key, or `undefined` when it is the first.
   */
  firstLineOf(channel: number, key: string, line: number): number | undefined {
    this.hash(key);
    const high = this.hashHigh;
    const low = this.hashLow;
    const bit = 1 << channel;
    const mask = this.capacity - 1;
    let slot = low & mask;
    for (;;) {
      const taken = this.index[slot]!;
      if (taken === 0) break;
      const entry = taken - 1;
      const words = this.words[entry >>> CHUNK_BITS]!;
      const at = (entry & CHUNK_MASK) * 3;
      if (words[at] === high && words[at + 1] === low) {
        const bits = this.channelBits[entry >>> CHUNK_BITS]!;
        const present = bits[entry & CHUNK_MASK]!;
        const first = words[at + 2]!;
        if ((present & bit) !== 0) return this.ownFirstLines.get(`${channel}:${high}:${low}`) ?? first;
        bits[entry & CHUNK_MASK] = present | bit;
        if (first !== line) this.ownFirstLines.set(`${channel}:${high}:${low}`, line);
        return undefined;
      }
      slot = (slot + 1) & mask;
    }
    const entry = this.size;
    if ((entry & CHUNK_MASK) === 0) {
      this.words.push(new Uint32Array(CHUNK_SIZE * 3));
      this.channelBits.push(new Uint8Array(CHUNK_SIZE));
    }
    const words = this.words[entry >>> CHUNK_BITS]!;
    const at = (entry & CHUNK_MASK) * 3;
    words[at] = high;
    words[at + 1] = low;
    words[at + 2] = line;
    this.channelBits[entry >>> CHUNK_BITS]![entry & CHUNK_MASK] = bit;
    this.index[slot] = entry + 1;
    this.size += 1;
    if (this.size > this.capacity * MAX_LOAD) this.grow();
    return undefined;
  }

  /** True when `channel` has had an item with `key` (a lookup: records nothing). */
  has(channel: number, key: string): boolean {
    this.hash(key);
    const high = this.hashHigh;
    const low = this.hashLow;
    const mask = this.capacity - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const taken = this.index[slot]!;
      if (taken === 0) return false;
      const entry = taken - 1;
      const words = this.words[entry >>> CHUNK_BITS]!;
      const at = (entry & CHUNK_MASK) * 3;
      if (words[at] === high && words[at + 1] === low) {
        return (this.channelBits[entry >>> CHUNK_BITS]![entry & CHUNK_MASK]! & (1 << channel)) !== 0;
      }
    }
  }

  /** Bytes held by the table (entry chunks and index), for measurements. */
  get bytes(): number {
    return this.words.length * CHUNK_SIZE * 13 + this.capacity * 4;
  }

  /**
   * Two 32-bit lanes over the UTF-16 code units, each a multiply-xorshift mix with its own
   * constants and a final avalanche (the cyrb53 construction), kept as 64 bits.
   */
  private hash(key: string): void {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let index = 0; index < key.length; index += 1) {
      const unit = key.charCodeAt(index);
      h1 = Math.imul(h1 ^ unit, 2654435761);
      h2 = Math.imul(h2 ^ unit, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.hashHigh = h2 >>> 0;
    this.hashLow = h1 >>> 0;
  }

  // Only the index is rebuilt: entries stay where they are, and each knows its hash.
  private grow(): void {
    const capacity = this.capacity * 2;
    const mask = capacity - 1;
    const index = new Uint32Array(capacity);
    for (let entry = 0; entry < this.size; entry += 1) {
      let slot = this.words[entry >>> CHUNK_BITS]![(entry & CHUNK_MASK) * 3 + 1]! & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = entry + 1;
    }
    this.capacity = capacity;
    this.index = index;
  }
}
