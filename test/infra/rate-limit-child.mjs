// One of the processes sharing a Redis token bucket in `src/infra/rate-limiters.test.ts`: takes
// tokens as fast as the bucket allows for a while, then prints the times it got them (JSON).
//   node test/infra/rate-limit-child.mjs <redis url> <prefix> <key> <perSecond> <burst> <ms> <start at>
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createRateLimiter } from "../../dist/infra/rate-limiters.js";

const [url, prefix, key, perSecond, burst, ms, startAt] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: 1 });
const limiter = createRateLimiter({
  key,
  prefix,
  redis,
  limit: { perSecond: Number(perSecond), burst: Number(burst) },
});
// Both processes start taking at the same moment, so neither has the bucket to itself at first.
await sleep(Math.max(0, Number(startAt) - Date.now()));
const deadline = Number(startAt) + Number(ms);
const taken = [];
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (;;) {
      await limiter.take();
      const now = Date.now();
      if (now >= deadline) return;
      taken.push(now);
    }
  }),
);
redis.disconnect();
process.stdout.write(JSON.stringify(taken));
