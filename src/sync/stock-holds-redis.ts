import type { Redis } from "ioredis";
import { redisFailure } from "../infra/redis.js";
import type { StockHolds, StockSale } from "./stock-holds.js";
import { StockSaleSchema, sumBySku } from "./stock-holds.js";

/**
 * Stock holds in Redis, for workers: one hash per workspace (`<prefix>stock-holds`), field
 * `<order key> NUL <line>`, value the sale as JSON. HSETNX makes recording a sale twice a no-op.
 * Holds are few (the sales since the last catalog snapshot), so reading them all is cheap.
 */
export class RedisStockHolds implements StockHolds {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ownsConnection = false,
  ) {
    this.key = `${prefix}stock-holds`;
  }

  async record(sales: readonly StockSale[]): Promise<number> {
    if (sales.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const sale of sales) pipeline.hsetnx(this.key, fieldOf(sale), JSON.stringify(sale));
    const replies = await this.exec(pipeline.exec());
    return (replies ?? []).filter(([, added]) => added === 1).length;
  }

  async held(skus?: readonly string[]): Promise<Map<string, number>> {
    const wanted = skus ? new Set(skus) : undefined;
    return sumBySku((await this.all()).filter((sale) => !wanted || wanted.has(sale.sku)));
  }

  async release(snapshotAt: number): Promise<number> {
    const old = (await this.all()).filter((sale) => sale.soldAt < snapshotAt);
    if (old.length === 0) return 0;
    return this.exec(this.redis.hdel(this.key, ...old.map(fieldOf)));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => undefined);
  }

  private async all(): Promise<StockSale[]> {
    const entries = await this.exec(this.redis.hgetall(this.key));
    return Object.values(entries).map((text) => StockSaleSchema.parse(JSON.parse(text)));
  }

  private async exec<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      throw redisFailure(this.redis, error);
    }
  }
}

function fieldOf(sale: Pick<StockSale, "orderKey" | "line">): string {
  return `${sale.orderKey}\u0000${sale.line}`;
}
