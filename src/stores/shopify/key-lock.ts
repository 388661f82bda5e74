/**
 * One holder per key at a time, in this process: two concurrent `createOrder` calls for the same
 * marketplace order run one after the other, so the second finds what the first created. Across
 * processes the order ledger (issue 10) holds the lock; this only closes the in-process race.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last holder leaves no entry behind.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys held or waited for now. */
  size(): number {
    return this.tails.size;
  }
}
