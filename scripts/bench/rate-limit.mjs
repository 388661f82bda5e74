#!/usr/bin/env node
// Shared rate-limiter benchmark (ADR 12), on the built code (`npm run build` first) and Redis
// (REDIS_URL or 127.0.0.1:6379). A local HTTP server enforces a token bucket (the simulators'
// Quota) and answers 429 with Retry-After when it is empty; 1 or 2 client processes, each with
// --concurrency calls in flight, go through createRateLimiter (Redis) + createHttpClient for
// --seconds. The server counts what it answered, so the figures do not depend on the clients.
//
//   achievedPerSecond: calls answered 2xx per second, the first burst left out
//                      ((allowed − burst) / (last allowed − first allowed));
//   shareOfLimit:      achievedPerSecond / limitPerSecond;  share429: answered429 / calls.
//
//   node scripts/bench/rate-limit.mjs [--impl omnifeed,flexible,flexible-even] [--seconds 20]
//                                     [--cases 50/10,5/1] [--processes 1,2] [--concurrency 8]
//
// `flexible` is rate-limiter-flexible's BurstyRateLimiter over two RateLimiterRedis (the rate per
// 1 s window, plus the burst); `flexible-even` adds its execEvenly option. Kept to record why we
// did not take it (ADR 12); it needs `npm install --no-save rate-limiter-flexible` to run.
// BENCH_DEBUG=1 prints the spacing of arrivals at the server and when it answered 429.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const { Redis } = await import("ioredis");

if (args.includes("--child")) await child();
else await main();

async function main() {
  const { Quota } = await import(join(ROOT, "dist/dev/simulators/quota.js"));
  const impls = flag("impl", "omnifeed").split(",");
  const seconds = Number(flag("seconds", "20"));
  const concurrency = Number(flag("concurrency", "8"));
  const cases = flag("cases", "50/10,5/1")
    .split(",")
    .map((text) => text.split("/").map(Number));
  const processCounts = flag("processes", "1,2").split(",").map(Number);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  for (const impl of impls) {
    for (const [perSecond, burst] of cases) {
      for (const processes of processCounts) {
        const quota = new Quota({ perSecond, burst });
        let lastArrival;
        const server = createServer((request, response) => {
          request.resume();
          if (process.env.BENCH_DEBUG) {
            const now = performance.now();
            console.error("arrival after", Math.round(now - (lastArrival ?? now)), "ms");
            lastArrival = now;
          }
          if (quota.take("bench", performance.timeOrigin + performance.now())) {
            response.writeHead(200, { "content-type": "application/json" }).end("{}");
          } else {
            if (process.env.BENCH_DEBUG) console.error("429 at", Date.now() - (quota.stats.firstAt ?? 0));
            response
              .writeHead(429, {
                "retry-after": String(quota.retryAfterSeconds()),
                "content-type": "application/json",
              })
              .end('{"error":"quota"}');
          }
        });
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const url = `http://127.0.0.1:${server.address().port}`;
        const prefix = `omnifeed-bench:${process.pid}:${Date.now()}:`;
        const children = Array.from({ length: processes }, () =>
          spawn(
            process.execPath,
            [
              fileURLToPath(import.meta.url),
              "--child",
              "--impl",
              impl,
              "--url",
              url,
              "--prefix",
              prefix,
              "--rate",
              String(perSecond),
              "--burst",
              String(burst),
              "--seconds",
              String(seconds),
              "--concurrency",
              String(concurrency),
              ...(flag("headroom") ? ["--headroom", flag("headroom")] : []),
            ],
            { stdio: ["ignore", "inherit", "inherit"] },
          ),
        );
        const codes = await Promise.all(children.map(async (one) => (await once(one, "exit"))[0]));
        server.close();
        for (const key of await redis.keys(`${prefix}*`)) await redis.del(key);
        const { allowed, refused, firstAt, lastAt } = quota.stats;
        const span = ((lastAt ?? 0) - (firstAt ?? 0)) / 1000;
        const achievedPerSecond = span > 0 ? (allowed - burst) / span : 0;
        const calls = allowed + refused;
        console.log(
          JSON.stringify({
            impl,
            processes,
            limitPerSecond: perSecond,
            burst,
            achievedPerSecond: round(achievedPerSecond),
            shareOfLimit: round(achievedPerSecond / perSecond),
            calls,
            answered429: refused,
            share429: round(calls ? refused / calls : 0),
            ...(codes.some((code) => code !== 0) ? { childExitCodes: codes } : {}),
          }),
        );
        await sleep(200);
      }
    }
  }
  redis.disconnect();
}

async function child() {
  const { createRateLimiter } = await import(join(ROOT, "dist/infra/rate-limiters.js"));
  const { createHttpClient } = await import(join(ROOT, "dist/infra/http.js"));
  const impl = flag("impl", "omnifeed");
  const prefix = flag("prefix", "omnifeed-bench:");
  const limit = { perSecond: Number(flag("rate", "50")), burst: Number(flag("burst", "10")) };
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const limiter =
    impl === "omnifeed"
      ? createRateLimiter({
          key: "bench",
          limit,
          redis,
          prefix,
          headroom: flag("headroom") && Number(flag("headroom")),
        })
      : await flexibleLimiter(redis, prefix, limit, impl === "flexible-even");
  const client = createHttpClient({ service: "bench", baseURL: flag("url"), limiter, attempts: 6 });
  const deadline = Date.now() + Number(flag("seconds", "20")) * 1000;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Number(flag("concurrency", "8")) }, async () => {
      while (Date.now() < deadline) {
        try {
          await client.request({ what: "bench call", method: "GET", url: "/call" });
        } catch {
          failed += 1;
        }
      }
    }),
  );
  if (failed) console.error(`child ${process.pid}: ${failed} calls gave up`);
  redis.disconnect();
}

/** rate-limiter-flexible behind our RateLimiter interface: wait msBeforeNext and try again. */
async function flexibleLimiter(redis, prefix, limit, execEvenly) {
  const { BurstyRateLimiter, RateLimiterRedis, RateLimiterRes } = (await import("rate-limiter-flexible"))
    .default;
  const rate = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rlf`,
    points: limit.perSecond,
    duration: 1,
    execEvenly,
  });
  const burst = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rlf-burst`,
    points: limit.burst,
    duration: Math.max(1, Math.ceil(limit.burst / limit.perSecond)),
  });
  const bursty = new BurstyRateLimiter(rate, burst);
  return {
    async take(cost = 1, signal) {
      for (;;) {
        try {
          await bursty.consume("bench", cost);
          return;
        } catch (error) {
          if (!(error instanceof RateLimiterRes)) throw error;
          await sleep(Math.max(1, error.msBeforeNext), undefined, { signal });
        }
      }
    },
    async pause(waitMs) {
      await rate.block("bench", Math.max(1, Math.ceil(waitMs / 1000)));
    },
  };
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
