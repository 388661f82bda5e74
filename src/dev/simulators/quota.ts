/**
 * The simulators' quota: a token bucket per account, as the real APIs keep one (Amazon per
 * operation and seller; Google per method; Meta per catalog). A call that finds the bucket empty
 * is answered 429 in the API's own shape. `stats` lets a test or the benchmark check the rate that
 * was sustained and how many calls were refused.
 */
export interface QuotaOptions {
  /** Calls per second refilled. */
  perSecond: number;
  /** Bucket size: calls that may go at once. */
  burst: number;
}

export interface QuotaStats {
  allowed: number;
  refused: number;
  /** Time of the first and the last allowed call (ms), to compute the sustained rate. */
  firstAt: number | undefined;
  lastAt: number | undefined;
}

export class Quota {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly stats: QuotaStats = { allowed: 0, refused: 0, firstAt: undefined, lastAt: undefined };

  constructor(private options: QuotaOptions | undefined) {}

  /** The limit in force; `undefined`: none. */
  get limit(): QuotaOptions | undefined {
    return this.options;
  }

  /** Changes the limit (`undefined`: no limit) from now on. */
  set(options: QuotaOptions | undefined): void {
    this.options = options;
    this.buckets.clear();
  }

  /** True when the call may go (a token was taken); false when it must be answered 429. */
  take(account: string, now = Date.now()): boolean {
    const options = this.options;
    if (options) {
      const bucket = this.buckets.get(account) ?? { tokens: options.burst, at: now };
      bucket.tokens = Math.min(options.burst, bucket.tokens + ((now - bucket.at) / 1000) * options.perSecond);
      bucket.at = now;
      this.buckets.set(account, bucket);
      if (bucket.tokens < 1) {
        this.stats.refused += 1;
        return false;
      }
      bucket.tokens -= 1;
    }
    this.stats.allowed += 1;
    this.stats.firstAt ??= now;
    this.stats.lastAt = now;
    return true;
  }

  /** Seconds until one token is back, for a `Retry-After` answer. */
  retryAfterSeconds(): number {
    return this.options ? Math.max(1, Math.ceil(1 / this.options.perSecond)) : 1;
  }

  resetStats(): void {
    Object.assign(this.stats, { allowed: 0, refused: 0, firstAt: undefined, lastAt: undefined });
  }
}
