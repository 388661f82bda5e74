import { createHmac, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redisUrlFromEnv } from "../../src/config/env.js";
import { connectRedis } from "../../src/infra/redis.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { freshDir, startServe } from "./cli.js";

/**
 * `omnifeed serve` mounts a receiver for each store of `stores:` that signs webhooks and each
 * marketplace of `marketplaces:` that sends notifications, with the secrets named in the config, and stores what it accepts in the installation's inbox stream (relayed to the fast lane by workers).
 */

const url = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
const prefix = `omnifeed-test:${randomUUID()}:`;
const SHOPIFY_SECRET = `shpss_${randomUUID()}`;
const WOO_SECRET = `whsec-${randomUUID()}`;
const AMAZON_SECRET = `amzn-${randomUUID()}`;

afterAll(async () => {
  const redis = connectRedis(url, { name: "omnifeed-test" });
  await deleteKeysUnder(redis, prefix);
  await redis.quit();
});

function writeConfig(): string {
  const dir = freshDir("serve-webhooks");
  const config = join(dir, "omnifeed.config.yaml");
  writeFileSync(
    config,
    [
      "state:",
      "  workspace: shop",
      "stores:",
      "  shopify:",
      "    shop_url: http://127.0.0.1:9",
      "    access_token_env: TEST_SHOPIFY_TOKEN",
      "    client_secret_env: TEST_SHOPIFY_SECRET",
      "    currency: USD",
      "    store_url: https://shop.example",
      "  woocommerce:",
      "    url: http://127.0.0.1:9",
      "    consumer_key_env: TEST_WOO_KEY",
      "    consumer_secret_env: TEST_WOO_SECRET",
      "    webhook_secret_env: TEST_WOO_WEBHOOK_SECRET",
      "    currency: USD",
      "marketplaces:",
      "  amazon:",
      "    seller_id: A3SELLERSERVE",
      "    notification_secret_env: TEST_AMAZON_NOTIFICATION_SECRET",
      "server:",
      "  auth:",
      "    token_env: TEST_SERVE_TOKEN",
      "  webhooks:",
      "    body_limit_bytes: 2048",
      "",
    ].join("\n"),
  );
  return config;
}

function serve(env: Record<string, string>) {
  return startServe(["serve", "--config", writeConfig(), "--port", "0", "--log-level", "silent"], {
    TEST_SHOPIFY_TOKEN: "shpat_unused",
    TEST_SHOPIFY_SECRET: SHOPIFY_SECRET,
    TEST_WOO_KEY: "ck_unused",
    TEST_WOO_SECRET: "cs_unused",
    TEST_WOO_WEBHOOK_SECRET: WOO_SECRET,
    TEST_AMAZON_NOTIFICATION_SECRET: AMAZON_SECRET,
    TEST_SERVE_TOKEN: "serve-token",
    OMNIFEED_REDIS_PREFIX: prefix,
    ...env,
  });
}

const sign = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("base64");

describe("omnifeed serve: webhook receivers from the config", () => {
  it("mounts /webhooks/shopify, /webhooks/woocommerce and /webhooks/amazon with the config's secrets and limit, stored in the inbox stream", async () => {
    const server = await serve({ REDIS_URL: url });
    try {
      expect(server.stdout()).toContain(
        `webhooks ${server.address}webhooks/shopify ${server.address}webhooks/woocommerce ${server.address}webhooks/amazon`,
      );
      const body = JSON.stringify({ id: 7, admin_graphql_api_id: "gid://shopify/Order/7" });
      const headers = {
        "content-type": "application/json",
        "x-shopify-topic": "orders/cancelled",
        "x-shopify-webhook-id": randomUUID(),
      };
      const post = (path: string, extra: Record<string, string>, payload = body) =>
        fetch(`${server.address}${path}`, {
          method: "POST",
          headers: { ...headers, ...extra },
          body: payload,
        });
      const forged = await post("webhooks/shopify", { "x-shopify-hmac-sha256": sign("wrong", body) });
      expect(forged.status).toBe(401);
      const good = await post("webhooks/shopify", { "x-shopify-hmac-sha256": sign(SHOPIFY_SECRET, body) });
      expect(good.status).toBe(202);
      const { jobId } = (await good.json()) as { jobId: string };
      const again = await post("webhooks/shopify", { "x-shopify-hmac-sha256": sign(SHOPIFY_SECRET, body) });
      expect(again.status).toBe(200);
      // server.webhooks.body_limit_bytes: 2048.
      const big = JSON.stringify({ id: 8, padding: "x".repeat(3000) });
      expect(
        (await post("webhooks/shopify", { "x-shopify-hmac-sha256": sign(SHOPIFY_SECRET, big) }, big)).status,
      ).toBe(413);
      const ping = await fetch(`${server.address}webhooks/woocommerce`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "webhook_id=3",
      });
      expect(ping.status).toBe(200);

      // Amazon ORDER_CHANGE through the marketplace of `marketplaces.amazon`: its shared secret.
      const change = JSON.stringify({
        NotificationVersion: "1.0",
        NotificationType: "ORDER_CHANGE",
        Payload: {
          OrderChangeNotification: {
            NotificationLevel: "OrderLevel",
            SellerId: "A3SELLERSERVE",
            AmazonOrderId: "113-0000000-0000001",
            OrderChangeType: "OrderStatusChange",
          },
        },
        NotificationMetadata: { NotificationId: randomUUID() },
      });
      const toAmazon = (secret: string) =>
        fetch(`${server.address}webhooks/amazon`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-omnifeed-notification-secret": secret },
          body: change,
        });
      expect((await toAmazon("not-the-secret")).status).toBe(401);
      const amazon = await toAmazon(AMAZON_SECRET);
      expect(amazon.status).toBe(202);
      const amazonJob = ((await amazon.json()) as { jobId: string }).jobId;
      expect((await toAmazon(AMAZON_SECRET)).status).toBe(200);

      const redis = connectRedis(url, { name: "omnifeed-test" });
      try {
        // The installation's inbox stream: <OMNIFEED_REDIS_PREFIX><workspace>:webhooks:inbox, where
        // each accepted delivery waits for a worker's relay under the job id it was answered with.
        const entries = await redis.xrange(`${prefix}shop:webhooks:inbox`, "-", "+");
        const stored = new Map(
          entries.map(([id, fields]) => [`wh-${id}`, JSON.parse(fields[1]!) as Record<string, unknown>]),
        );
        expect(stored.size).toBe(2);
        expect(stored.get(amazonJob)).toMatchObject({
          name: "webhook-event",
          source: "amazon",
          event: { type: "orders_changed", account: "A3SELLERSERVE", orderIds: ["113-0000000-0000001"] },
        });
        expect(stored.get(jobId)).toMatchObject({
          name: "webhook-event",
          source: "shopify",
          event: { type: "order_cancelled", storeOrderId: "gid://shopify/Order/7" },
        });
      } finally {
        await redis.quit();
      }
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  });

  it("mounts no receiver without Redis: nothing could be stored", async () => {
    const server = await serve({ REDIS_URL: "" });
    try {
      expect(server.stdout()).toContain("webhooks off");
      const response = await fetch(`${server.address}webhooks/shopify`, { method: "POST", body: "{}" });
      expect(response.status).toBe(404);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  });
});
