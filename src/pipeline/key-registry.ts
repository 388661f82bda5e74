/**
 * Remembers every channel key of a run, in bounded memory, to find the ones seen before.
 *
 * A million keys as JS strings in a `Set` cost tens of megabytes per channel; this table keeps a
 * 64-bit hash of each key, the line of its first item and one bit per channel, in typed arrays
 * shared by all channels of the run (usually every channel's key is the SKU, so one slot serves
 * them all). Exact strings are kept only for the few keys found twice. ADR 0005 has the numbers
 * and the odds of two different keys sharing a hash.
 */

const INITIAL_CAPACITY = 1 << 12;
// Linear probing stays short up to three quarters full.
const MAX_LOAD = 0.75;

export class KeyRegistry {
  private capacity = INITIAL_CAPACITY;
  private size = 0;
  private high = new Uint32Array(INITIAL_CAPACITY);
  private low = new Uint32Array(INITIAL_CAPACITY);
  private firstLines = new Uint32Array(INITIAL_CAPACITY);
  /** Bit `c` set: channel `c` has the key. 0 = empty slot. */
  private channels = new Uint8Array(INITIAL_CAPACITY);
  /**
   * A channel whose first item with a key is not the item the slot's line names (another channel
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
      const present = this.channels[slot]!;
      if (present === 0) break;
      if (this.high[slot] === high && this.low[slot] === low) {
        if ((present & bit) !== 0) {
          return this.ownFirstLines.get(`${channel}:${high}:${low}`) ?? this.firstLines[slot]!;
        }
        this.channels[slot] = present | bit;
        if (this.firstLines[slot] !== line) this.ownFirstLines.set(`${channel}:${high}:${low}`, line);
        return undefined;
      }
      slot = (slot + 1) & mask;
    }
    this.high[slot] = high;
    this.low[slot] = low;
    this.firstLines[slot] = line;
    this.channels[slot] = bit;
    this.size += 1;
    if (this.size > this.capacity * MAX_LOAD) this.grow();
    return undefined;
  }

  /** Bytes held by the table, for measurements. */
  get bytes(): number {
    return this.capacity * 13;
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

  private grow(): void {
    const { high, low, firstLines, channels } = this;
    const capacity = this.capacity * 2;
    const mask = capacity - 1;
    this.capacity = capacity;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.firstLines = new Uint32Array(capacity);
    this.channels = new Uint8Array(capacity);
    for (let old = 0; old < channels.length; old += 1) {
      if (channels[old] === 0) continue;
      let slot = low[old]! & mask;
      while (this.channels[slot] !== 0) slot = (slot + 1) & mask;
      this.high[slot] = high[old]!;
      this.low[slot] = low[old]!;
      this.firstLines[slot] = firstLines[old]!;
      this.channels[slot] = channels[old]!;
    }
  }
}
