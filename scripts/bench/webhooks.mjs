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
else if (args.includes("--relay-only")) await relayOnly();
else await load();

/** A worker's relay alone (no job is run): moves the inbox stream into the fast lane. */
async function relayOnly() {
  const prefix = flag("prefix", "");
  const { connectRedis } = await dist("infra/redis.js");
  const { installationPrefixOf } = await dist("jobs/lanes.js");
  const { openQueues, jobOptionsOf } = await dist("jobs/queues.js");
  const { startWebhookRelay } = await dist("jobs/webhook-inbox.js");
  const installation = installationPrefixOf(prefix, WORKSPACE);
  const redis = connectRedis(redisUrl, { name: "omnifeed-bench-relay-queue", forQueues: true });
  const queues = openQueues(redis, installation, {});
  const relay = await startWebhookRelay({
    connection: connectRedis(redisUrl, { name: "omnifeed-bench-relay", forQueues: true }),
    installationPrefix: installation,
    queue: queues.byLane.fast,
    jobOptions: jobOptionsOf({}),
    consumer: "bench-relay",
  });
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => {
    void relay
      .close()
      .then(() => queues.close())
      .then(() => redis.quit())
      .finally(() => process.exit(0));
  });
}

/** The server side: runs in its own process so autocannon does not share its event loop. */
async function serve() {
  const prefix = flag("prefix", "");
  const inboxKind = flag("inbox", "stream");
  const { default: pino } = await import("pino");
  const { createServer } = await dist("server/app.js");
  const { createLogger } = await dist("infra/logger.js");
  const { connectRedis } = await dist("infra/redis.js");
  const { installationPrefixOf } = await dist("jobs/lanes.js");
  const { openQueues, jobOptionsOf } = await dist("jobs/queues.js");
  const { webhookDedupeIdOf } = await dist("jobs/webhook-events.js");
  const { storeReceiver } = await dist("server/webhooks/receivers.js");
  const { createShopifyStore } = await dist("stores/shopify/index.js");
  const { ShopifyConnectionSchema } = await dist("sources/shopify/options.js");

  const { openStreamInbox } = await dist("jobs/webhook-inbox.js");
  const redis = connectRedis(redisUrl, { name: "omnifeed-bench-webhooks" });
  const installation = installationPrefixOf(prefix, WORKSPACE);
  const queues = openQueues(redis, installation, {});
  let inbox = openStreamInbox(redis, installation);
  if (inboxKind === "none") {
    // The floor: HTTP, signature check and parsing, nothing stored (not a receiver one could run).
    inbox = { accept: () => Promise.resolve({ outcome: "accepted", jobId: "none" }) };
  }
  if (inboxKind === "bullmq") {
    // adr/0029's first inbox: a fast-lane job per delivery, deduplicated by BullMQ in the add script.
    const jobOptions = jobOptionsOf({});
    inbox = {
      async accept(delivery) {
        const jobId = `wh-${randomUUID()}`;
        const job = await queues.byLane.fast.add(
          "webhook-event",
          { name: "webhook-event", ...delivery, receivedAt: Date.now() },
          {
            ...jobOptions,
            jobId,
            deduplication: {
              id: webhookDedupeIdOf(delivery.source, delivery.dedupeKey),
              ttl: 72 * 3600 * 1000,
            },
          },
        );
        return { outcome: job.id === jobId ? "accepted" : "duplicate", jobId: job.id };
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
  const inboxKind = flag("inbox", "stream");
  const logLevel = flag("log-level", "info");
  const out = flag("out", undefined);
  const prefix = `omnifeed-bench:${randomUUID()}:`;
  const { default: autocannon } = await import("autocannon");
  const { connectRedis } = await dist("infra/redis.js");
  const { installationPrefixOf } = await dist("jobs/lanes.js");

  const withRelay = args.includes("--relay") && inboxKind === "stream";
  const relay = withRelay
    ? spawn(process.execPath, [fileURLToPath(import.meta.url), "--relay-only", "--prefix", prefix], {
        stdio: ["ignore", "pipe", "inherit"],
      })
    : undefined;
  if (relay) await new Promise((resolve) => relay.stdout.once("data", resolve));
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
  // With the relay: wait until it has moved everything (the stream's length is its backlog).
  let relayDrainSeconds;
  if (relay) {
    const drainStart = Date.now();
    while ((await redis.xlen(`${installation}webhooks:inbox`)) > 0 && Date.now() - drainStart < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    relayDrainSeconds = (Date.now() - drainStart) / 1000;
    relay.kill("SIGTERM");
    await new Promise((resolve) => relay.once("exit", resolve));
  }
  // Every 2xx named its job (or stream entry, for the job a relay makes of it): each one must be
  // in Redis, as the entry or as the job.
  let stored = 0;
  const queueKey = `${installation}bull:omnifeed-fast:`;
  for (let at = 0; inboxKind !== "none" && at < acceptedJobs.length; at += 5000) {
    const batch = acceptedJobs.slice(at, at + 5000);
    const pipeline = redis.pipeline();
    for (const id of batch) {
      if (inboxKind === "stream" && !relay) {
        const entry = id.slice("wh-".length);
        pipeline.xrange(`${installation}webhooks:inbox`, entry, entry);
      } else pipeline.exists(`${queueKey}${id}`);
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
    relay: withRelay,
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
    ...(relay ? { relayDrainSecondsAfterLoad: relayDrainSeconds } : {}),
    // Nothing is stored with `--inbox none`: the check does not apply.
    everyAcceptedStored:
      inboxKind === "none" ? null : stored === accepted && acceptedJobs.length === accepted,
  };
  const text = `${JSON.stringify(figures, null, 2)}\n`;
  if (out) writeFileSync(out, text);
  process.stdout.write(text);
  if (figures.everyAcceptedStored === false) process.exitCode = 1;
}
