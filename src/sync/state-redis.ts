import type { Redis } from "ioredis";
import { OmnifeedError } from "../core/errors.js";
import { redisFailure } from "../infra/redis.js";
import { decodeState, encodeState } from "./state-codec.js";
import { runLocked, type LockSteps, type LockTiming } from "./state-lock.js";
import type { ItemState, StateStore } from "./state-store.js";

/** Fields per HMGET / HSET / HDEL command: large enough to amortise round trips, small enough not to stall Redis. */
const CHUNK = 1000;
const DEFAULT_PAGE = 1000;

/** Extends the lock only if it still holds our token: a lapsed lock another process took stays theirs. */
const RENEW_LUA = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lock only if it still holds our token. */
const RELEASE_LUA = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisStateStoreOptions {
  redis: Redis;
  /** Put before every key, one per workspace: `omnifeed:<workspace>:`. */
  prefix: string;
  /** Quit the connection on `close` (true when the store opened it). */
  ownsConnection?: boolean;
  /** Lock ttl and wait when a `withLock` call names none (the state-lock defaults otherwise). */
  lock?: Partial<LockTiming> | undefined;
}

/**
 * The Redis state store, for workers on several machines: one hash per scope
 * (`<prefix>state:<scope>`, field = item key, value = the state as JSON), so a scope's count is
 * HLEN, its scan HSCAN, and forgetting an account one DEL. Locks are `<prefix>lock:<scope>` keys
 * set with NX and a PX expiry, renewed and released by compare-and-set scripts (adr/0011).
 */
export class RedisStateStore implements StateStore {
  readonly backend = "redis" as const;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ownsConnection: boolean;
  private readonly lock: Partial<LockTiming>;

  constructor(options: RedisStateStoreOptions) {
    if (options.prefix === "") {
      throw new OmnifeedError("config", "a Redis state store needs a key prefix (one per workspace)");
    }
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.ownsConnection = options.ownsConnection ?? false;
    this.lock = options.lock ?? {};
  }

  /** The hash holding the states of `scope`. */
  stateKey(scope: string): string {
    return `${this.prefix}state:${scope}`;
  }

  /** The key of the lock of `scope`. */
  lockKey(scope: string): string {
    return `${this.prefix}lock:${scope}`;
  }

  async get(scope: string, keys: readonly string[]): Promise<(ItemState | undefined)[]> {
    if (keys.length === 0) return [];
    const hash = this.stateKey(scope);
    const pipeline = this.redis.pipeline();
    for (let start = 0; start < keys.length; start += CHUNK)
      pipeline.hmget(hash, ...keys.slice(start, start + CHUNK));
    const replies = await this.exec(pipeline);
    const texts = replies.flatMap((reply) => reply as (string | null)[]);
    return texts.map((text, index) => (text === null ? undefined : decodeState(keys[index]!, text, hash)));
  }

  async put(scope: string, states: readonly ItemState[]): Promise<void> {
    if (states.length === 0) return;
    const hash = this.stateKey(scope);
    const pipeline = this.redis.pipeline();
    for (let start = 0; start < states.length; start += CHUNK) {
      const fields: string[] = [];
      for (const state of states.slice(start, start + CHUNK)) fields.push(state.key, encodeState(state));
      pipeline.hset(hash, ...fields);
    }
    await this.exec(pipeline);
  }

  async remove(scope: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const hash = this.stateKey(scope);
    const pipeline = this.redis.pipeline();
    for (let start = 0; start < keys.length; start += CHUNK)
      pipeline.hdel(hash, ...keys.slice(start, start + CHUNK));
    await this.exec(pipeline);
  }

  /**
   * HSCAN pages, regrouped to `pageSize`. Redis returns every field present for the whole scan at
   * least once; a field can come twice only if the hash is resized by writes during the scan,
   * which the delta planner avoids (it removes forgotten keys after its scan).
   */
  async *scan(scope: string, pageSize = DEFAULT_PAGE): AsyncIterable<ItemState[]> {
    const size = Math.max(1, Math.floor(pageSize));
    const hash = this.stateKey(scope);
    let cursor = "0";
    let page: ItemState[] = [];
    do {
      let reply: [string, string[]];
      try {
        reply = await this.redis.hscan(hash, cursor, "COUNT", size);
      } catch (error) {
        throw redisFailure(this.redis, error);
      }
      cursor = reply[0];
      const flat = reply[1];
      for (let index = 0; index < flat.length; index += 2) {
        page.push(decodeState(flat[index]!, flat[index + 1]!, hash));
        if (page.length === size) {
          yield page;
          page = [];
        }
      }
    } while (cursor !== "0");
    if (page.length > 0) yield page;
  }

  async count(scope: string): Promise<number> {
    try {
      return await this.redis.hlen(this.stateKey(scope));
    } catch (error) {
      throw redisFailure(this.redis, error);
    }
  }

  withLock<T>(
    scope: string,
    task: () => Promise<T>,
    options?: { waitMs?: number; ttlMs?: number },
  ): Promise<T> {
    return runLocked(scope, this.lockSteps(this.lockKey(scope)), task, { ...this.lock, ...options });
  }

  private lockSteps(lockKey: string): LockSteps {
    const redis = this.redis;
    // The token says who holds the lock, for the conflict message: `<pid>@<host>#<unique id>`.
    const token = (owner: { id: string; pid: number; host: string }) =>
      `${owner.pid}@${owner.host}#${owner.id}`;
    return {
      take: async (owner, ttlMs) => {
        try {
          if ((await redis.set(lockKey, token(owner), "PX", ttlMs, "NX")) === "OK") return { taken: true };
          const holder = await redis.get(lockKey);
          const match = holder === null ? null : /^(\d+)@([^#]*)#/.exec(holder);
          return match
            ? { taken: false, holder: { pid: Number(match[1]), host: match[2]! } }
            : { taken: false };
        } catch (error) {
          throw redisFailure(redis, error);
        }
      },
      renew: async (owner, ttlMs) => (await redis.eval(RENEW_LUA, 1, lockKey, token(owner), ttlMs)) === 1,
      release: async (owner) => {
        await redis.eval(RELEASE_LUA, 1, lockKey, token(owner));
      },
    };
  }

  async close(): Promise<void> {
    if (!this.ownsConnection || this.redis.status === "end") return;
    try {
      await this.redis.quit();
    } catch {
      // Already cut off: nothing is left to flush.
      this.redis.disconnect();
    }
  }

  /** Runs a pipeline; the first failed command fails the call, as one OmnifeedError. */
  private async exec(pipeline: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw redisFailure(this.redis, error);
    }
    if (results === null) throw redisFailure(this.redis, new Error("pipeline discarded"));
    return results.map(([error, value]) => {
      if (error) throw redisFailure(this.redis, error);
      return value;
    });
  }
}
