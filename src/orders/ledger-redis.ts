import type { Redis } from "ioredis";
import { OmnifeedError } from "../core/errors.js";
import { orderKeyText, type OrderKey } from "../core/order.js";
import { redisFailure } from "../infra/redis.js";
import { runWithOrderLock, type OrderLockSteps } from "./ledger-lock.js";
import {
  decodeRecord,
  emptyCounts,
  isOpen,
  ORDER_STATES,
  type LedgerLockOptions,
  type OrderFilter,
  type OrderLedger,
  type OrderRecord,
  type OrderState,
} from "./ledger.js";

const RENEW_LUA = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisOrderLedgerOptions {
  redis: Redis;
  /** Put before every key: the installation's prefix (`omnifeed:<workspace>:`). */
  prefix: string;
  /** Quit the connection on `close` (true when the ledger opened it). */
  ownsConnection?: boolean;
}

/**
 * The Redis ledger, shared by workers: records in one hash (`<prefix>orders:record`), a set per
 * state and one of open records (so `status` and the tracking push read only what they need), an
 * index store order → key, checkpoints in a hash. A record and its indexes change in one MULTI.
 * Order locks are `<prefix>orders:lock:<key>` set with NX PX and a token, renewed and released by
 * compare-and-set scripts.
 */
export class RedisOrderLedger implements OrderLedger {
  readonly backend = "redis" as const;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ownsConnection: boolean;

  constructor(options: RedisOrderLedgerOptions) {
    if (options.prefix === "") throw new OmnifeedError("config", "a Redis order ledger needs a key prefix");
    this.redis = options.redis;
    this.prefix = `${options.prefix}orders:`;
    this.ownsConnection = options.ownsConnection ?? false;
  }

  private get records(): string {
    return `${this.prefix}record`;
  }
  private stateSet(state: OrderState): string {
    return `${this.prefix}state:${state}`;
  }
  private get openSet(): string {
    return `${this.prefix}open`;
  }
  private get storeIndex(): string {
    return `${this.prefix}by-store`;
  }
  private get checkpoints(): string {
    return `${this.prefix}checkpoints`;
  }

  async get(key: OrderKey): Promise<OrderRecord | undefined> {
    const text = orderKeyText(key);
    const value = await this.call(() => this.redis.hget(this.records, text));
    return value === null ? undefined : decodeRecord(value, `${this.records} ${text}`);
  }

  async put(record: OrderRecord): Promise<void> {
    const text = orderKeyText(record.key);
    const multi = this.redis.multi().hset(this.records, text, JSON.stringify(record));
    for (const state of ORDER_STATES) {
      if (state === record.state) multi.sadd(this.stateSet(state), text);
      else multi.srem(this.stateSet(state), text);
    }
    if (isOpen(record)) multi.sadd(this.openSet, text);
    else multi.srem(this.openSet, text);
    if (record.store && record.storeOrderId)
      multi.hset(this.storeIndex, `${record.store}\n${record.storeOrderId}`, text);
    const results = await this.call(() => multi.exec());
    for (const [error] of results ?? []) if (error) throw redisFailure(this.redis, error);
  }

  async findByStoreOrder(store: string, storeOrderId: string): Promise<OrderRecord | undefined> {
    const text = await this.call(() => this.redis.hget(this.storeIndex, `${store}\n${storeOrderId}`));
    if (text === null) return undefined;
    const value = await this.call(() => this.redis.hget(this.records, text));
    return value === null ? undefined : decodeRecord(value, `${this.records} ${text}`);
  }

  async *list(filter: OrderFilter = {}, pageSize = 500): AsyncIterable<OrderRecord[]> {
    const size = Math.max(1, Math.floor(pageSize));
    if (!filter.states && !filter.openOnly) {
      let cursor = "0";
      do {
        const [next, flat] = await this.call(() => this.redis.hscan(this.records, cursor, "COUNT", size));
        cursor = next;
        const page: OrderRecord[] = [];
        for (let index = 0; index < flat.length; index += 2)
          page.push(decodeRecord(flat[index + 1]!, `${this.records} ${flat[index]}`));
        if (page.length > 0) yield page;
      } while (cursor !== "0");
      return;
    }
    const sets = filter.openOnly
      ? [this.openSet]
      : (filter.states ?? []).map((state) => this.stateSet(state));
    for (const set of sets) {
      let cursor = "0";
      do {
        const [next, keys] = await this.call(() => this.redis.sscan(set, cursor, "COUNT", size));
        cursor = next;
        if (keys.length === 0) continue;
        const values = await this.call(() => this.redis.hmget(this.records, ...keys));
        const page = values.flatMap((value, index) =>
          value === null ? [] : [decodeRecord(value, `${this.records} ${keys[index]}`)],
        );
        const wanted = page.filter((record) => !filter.states || filter.states.includes(record.state));
        if (wanted.length > 0) yield wanted;
      } while (cursor !== "0");
    }
  }

  async counts(): Promise<Record<OrderState, number>> {
    const pipeline = this.redis.pipeline();
    for (const state of ORDER_STATES) pipeline.scard(this.stateSet(state));
    const results = await this.call(() => pipeline.exec());
    const counts = emptyCounts();
    ORDER_STATES.forEach((state, index) => {
      const [error, value] = results?.[index] ?? [null, 0];
      if (error) throw redisFailure(this.redis, error);
      counts[state] = Number(value);
    });
    return counts;
  }

  async checkpoint(name: string): Promise<string | undefined> {
    return (await this.call(() => this.redis.hget(this.checkpoints, name))) ?? undefined;
  }

  async setCheckpoint(name: string, value: string): Promise<void> {
    await this.call(() => this.redis.hset(this.checkpoints, name, value));
  }

  withOrderLock<T>(key: OrderKey, task: () => Promise<T>, options?: LedgerLockOptions): Promise<T> {
    const text = orderKeyText(key);
    const lockKey = `${this.prefix}lock:${text}`;
    const redis = this.redis;
    const steps: OrderLockSteps = {
      take: async (token, ttlMs) => {
        if ((await this.call(() => redis.set(lockKey, token, "PX", ttlMs, "NX"))) === "OK")
          return { taken: true };
        return { taken: false, holder: (await this.call(() => redis.get(lockKey))) ?? undefined };
      },
      renew: async (token, ttlMs) =>
        (await this.call(() => redis.eval(RENEW_LUA, 1, lockKey, token, ttlMs))) === 1,
      release: async (token) => {
        await this.call(() => redis.eval(RELEASE_LUA, 1, lockKey, token));
      },
    };
    return runWithOrderLock(text, steps, task, options);
  }

  async close(): Promise<void> {
    if (!this.ownsConnection || this.redis.status === "end") return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw redisFailure(this.redis, error);
    }
  }
}
