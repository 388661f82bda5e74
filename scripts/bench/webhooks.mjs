#!/usr/bin/env node
// Webhook receiver load (issue 10 §5), on the built code (`npm run build` first) and real Redis
// (REDIS_URL or 127.0.0.1:6379). Starts the server of `omnifeed serve` (createServer with the
// Shopify receiver, the fast-lane inbox, info logs written to /dev/null) in a child process on
// 127.0.0.1, and points autocannon at POST /webhooks/shopify from this process: signed
// fulfillments/create deliveries, each with its own X-Shopify-Webhook-Id, so every one is
// verified (HMAC over the body), deduplicated (a new key each time) and queued. Bounded by
// --seconds and --amount, whichever comes first. Afterwards it counts the jobs in Redis: every
// 2xx must be one job. Prints deliveries/s, latency percentiles and the count check as JSON.
//
//   node scripts/bench/webhooks.mjs [--seconds 20] [--amount 200000] [--connections 20]
//                                   [--inbox bullmq|stream|none] [--log-level info] [--out file.json]
//
// `--inbox none` stores nothing: the floor of HTTP + signature check + parsing on this machine.
// `--inbox stream` swaps the inbox for the alternative adr/0029 weighed: one Lua script that sets
// the dedupe key (SET NX PX) and XADDs the event to a Redis stream; it exists only here, to
// measure against.
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SECRET = "shpss_bench_client_secret_0123456789";
const SECRET_ENV = "BENCH_SHOPIFY_SECRET";
const WORKSPACE = "bench";
const BODY = JSON.stringify({
  id: 1069019878,
  order_id: 450789469,
  status: "success",
  created_at: "2026-12-01T10:00:00-05:00",
  tracking_company: "UPS",
  tracking_numbers: ["1Z999AA10123456784"],
  tracking_urls: ["https://www.ups.com/track?tracknum=1Z999AA10123456784"],
  line_items: [
    { id: 518995019, variant_id: 49148385, sku: "MUG-RED", quantity: 1 },
    { id: 518995020, variant_id: 49148386, sku: "MUG-BLUE", quantity: 2 },
  ],
  admin_graphql_api_id: "gid://shopify/Fulfillment/1069019878",
});

const dist = (path) => import(join(ROOT, "dist", path));

if (args.includes("--serve")) await serve();
else await load();

/** The server side: runs in its own process so autocannon does not share its event loop. */
async function serve() {
  const prefix = flag("prefix", "");
  const inboxKind = flag("inbox", "bullmq");
  const { default: pino } = await import("pino");
  const { createServer } = await dist("server/app.js");
  const { createLogger } = await dist("infra/logger.js");
  const { connectRedis } = await dist("infra/redis.js");
  const { installationPrefixOf } = await dist("jobs/lanes.js");
  const { openQueues, jobOptionsOf } = await dist("jobs/queues.js");
  const { openWebhookInbox, webhookDedupeIdOf } = await dist("jobs/webhook-events.js");
  const { storeReceiver } = await dist("server/webhooks/receivers.js");
  const { createShopifyStore } = await dist("stores/shopify/index.js");
  const { ShopifyConnectionSchema } = await dist("sources/shopify/options.js");

  const redis = connectRedis(redisUrl, { name: "omnifeed-bench-webhooks", forQueues: true });
  const installation = installationPrefixOf(prefix, WORKSPACE);
  const queues = openQueues(redis, installation, {});
  let inbox = openWebhookInbox(queues.byLane.fast, { jobOptions: jobOptionsOf({}) });
  if (inboxKind === "none") {
    // The floor: HTTP, signature check and parsing, nothing stored (not a receiver one could run).
    inbox = { accept: () => Promise.resolve({ outcome: "accepted", jobId: "none" }) };
  }
  if (inboxKind === "stream") {
    redis.defineCommand("inboxAdd", {
      numberOfKeys: 2,
      lua: `if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
              return redis.call('XADD', KEYS[2], '*', 'payload', ARGV[2])
            end
            return false`,
    });
    inbox = {
      async accept(delivery) {
        const payload = JSON.stringify({ ...delivery, receivedAt: Date.now() });
        const id = await redis.inboxAdd(
          `${installation}${webhookDedupeIdOf(delivery.source, delivery.dedupeKey)}`,
          `${installation}webhook-stream`,
          String(72 * 3600 * 1000),
          payload,
        );
        return { outcome: id ? "accepted" : "duplicate", jobId: id ?? "" };
      },
    };
  }
  const store = createShopifyStore(
    ShopifyConnectionSchema.parse({
      shop_url: "http://127.0.0.1:9",
      access_token_env: "BENCH_SHOPIFY_TOKEN",
      client_secret_env: SECRET_ENV,
      currency: "USD",
      store_url: "https://shop.example",
    }),
    { secret: (name) => (name === SECRET_ENV ? SECRET : "unused") },
  );
  const logLevel = flag("log-level", "info");
  const app = await createServer({
    auth: { token: "bench-token" },
    prefix: installation,
    logger: createLogger({
      level: logLevel,
      destination: pino.destination({ dest: "/dev/null", sync: false }),
    }),
    webhooks: { receivers: [storeReceiver(store)], inbox },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
  process.on("SIGTERM", () => {
    void app
      .close()
      .then(() => queues.close())
      .then(() => redis.quit())
      .finally(() => process.exit(0));
  });
}

/** The load side: autocannon, then the count of what reached Redis. */
async function load() {
  const seconds = Number(flag("seconds", "20"));
  const amount = Number(flag("amount", "200000"));
  const connections = Number(flag("connections", "20"));
  const inboxKind = flag("inbox", "bullmq");
  const logLevel = flag("log-level", "info");
  const out = flag("out", undefined);
  const prefix = `omnifeed-bench:${randomUUID()}:`;
  const { default: autocannon } = await import("autocannon");
  const { connectRedis } = await dist("infra/redis.js");
  const { installationPrefixOf } = await dist("jobs/lanes.js");

  const server = spawn(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      "--serve",
      "--prefix",
      prefix,
      "--inbox",
      inboxKind,
      "--log-level",
      logLevel,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`the server exited (${code})`)));
    server.stdout.once("data", (chunk) => resolve(JSON.parse(chunk.toString()).port));
  });

  const signature = createHmac("sha256", SECRET).update(BODY, "utf8").digest("base64");
  const run = `${Date.now().toString(36)}`;
  let sent = 0;
  const acceptedJobs = [];
  // Bounded both ways: autocannon ends at --amount, and this timer stops it at --seconds.
  let stopAt;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        amount,
        requests: [
          {
            method: "POST",
            path: "/webhooks/shopify",
            body: BODY,
            onResponse: (status, body) => {
              if (status >= 200 && status < 300) acceptedJobs.push(JSON.parse(body).jobId);
            },
            setupRequest: (request) => ({
              ...request,
              headers: {
                "content-type": "application/json",
                "x-shopify-topic": "fulfillments/create",
                "x-shopify-shop-domain": "bench.myshopify.com",
                "x-shopify-hmac-sha256": signature,
                "x-shopify-webhook-id": `${run}-${(sent += 1)}`,
              },
            }),
          },
        ],
      },
      (error, done) => {
        clearTimeout(stopAt);
        if (error) reject(error);
        else resolve(done);
      },
    );
    stopAt = setTimeout(() => instance.stop(), seconds * 1000);
  });

  const redis = connectRedis(redisUrl, { name: "omnifeed-bench-webhooks-count", forQueues: true });
  const installation = installationPrefixOf(prefix, WORKSPACE);
  // Every 2xx named its job (or stream entry): each one must be in Redis.
  let stored = 0;
  const queueKey = `${installation}bull:omnifeed-fast:`;
  for (let at = 0; inboxKind !== "none" && at < acceptedJobs.length; at += 5000) {
    const batch = acceptedJobs.slice(at, at + 5000);
    const pipeline = redis.pipeline();
    for (const id of batch) {
      if (inboxKind === "stream") pipeline.xrange(`${installation}webhook-stream`, id, id);
      else pipeline.exists(`${queueKey}${id}`);
    }
    for (const [error, found] of await pipeline.exec()) {
      if (!error && (Array.isArray(found) ? found.length === 1 : found === 1)) stored += 1;
    }
  }
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  // Clean up this run's keys only (never FLUSH: the Redis is shared).
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 5000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
  await redis.quit();

  const accepted = result["2xx"];
  const figures = {
    inbox: inboxKind,
    logLevel,
    connections,
    seconds: result.duration,
    deliveries: result.requests.total,
    accepted,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    acceptedPerSecond: Math.round(accepted / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    acceptedFoundInRedis: stored,
    everyAcceptedStored: stored === accepted && acceptedJobs.length === accepted,
  };
  const text = `${JSON.stringify(figures, null, 2)}\n`;
  if (out) writeFileSync(out, text);
  process.stdout.write(text);
  if (!figures.everyAcceptedStored) process.exitCode = 1;
}
