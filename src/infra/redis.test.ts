import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isOmnifeedError } from "../core/errors.js";
import { redisUrlFromEnv } from "../config/env.js";
import { connectRedis, redactRedisUrl, redisFailure, whenRedisReady } from "./redis.js";

const PASSWORD = "s3cret-Pa55word";

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

const opened: { disconnect(): void }[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const redis of opened.splice(0)) redis.disconnect();
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

describe("redactRedisUrl", () => {
  it("hides the password and keeps what helps find the server", () => {
    expect(redactRedisUrl(`redis://default:${PASSWORD}@cache.internal:6380/2`)).toBe(
      "redis://default:***@cache.internal:6380/2",
    );
    expect(redactRedisUrl(`rediss://:${PASSWORD}@cache.internal:6380`)).toBe(
      "rediss://:***@cache.internal:6380",
    );
    expect(redactRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it("shows nothing of a URL it cannot parse (it may hold a secret)", () => {
    const shown = redactRedisUrl(`not a url ${PASSWORD}`);
    expect(shown).not.toContain(PASSWORD);
  });
});

describe("connectRedis", () => {
  it("refuses a URL that is not redis:// as a config error, without the password", () => {
    let caught: unknown;
    try {
      connectRedis(`http://user:${PASSWORD}@host:1`);
    } catch (error) {
      caught = error;
    }
    expect(isOmnifeedError(caught, "config")).toBe(true);
    expect((caught as Error).message).toContain("redis://");
    expect((caught as Error).message).not.toContain(PASSWORD);
  });

  it("fails fast and clearly when Redis is down, naming the URL without its password", async () => {
    const port = await closedPort();
    const redis = connectRedis(`redis://app:${PASSWORD}@127.0.0.1:${port}`);
    opened.push(redis);
    const started = Date.now();
    const error = await whenRedisReady(redis).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(isOmnifeedError(error, "transient")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`cannot reach Redis at redis://app:***@127.0.0.1:${port}`);
    expect(message).toContain("ECONNREFUSED");
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(PASSWORD);

    // A command sent to the dead connection fails quickly too, and converts the same way.
    const command = await redis.get("anything").catch((caught: unknown) => caught);
    const converted = redisFailure(redis, command);
    expect(converted.kind).toBe("transient");
    expect(converted.message).toContain(`cannot reach Redis at redis://app:***@127.0.0.1:${port}`);
    expect(converted.message).not.toContain(PASSWORD);
  });

  it("reports refused credentials as auth, without the password", async () => {
    // A server that speaks just enough RESP to answer as Redis does a wrong password: HELLO with
    // AUTH gets WRONGPASS, every later command NOAUTH (one reply per command of the chunk).
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on("data", (chunk: Buffer) => {
        const commands = chunk.toString().match(/^\*\d+\r\n\$\d+\r\n[A-Za-z]+\r\n/gm) ?? [];
        for (const command of commands) {
          socket.write(
            /hello/i.test(command)
              ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
              : "-NOAUTH Authentication required.\r\n",
          );
        }
      });
    });
    servers.push(server);
    server.on("close", () => sockets.forEach((socket) => socket.destroy()));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    const redis = connectRedis(`redis://app:${PASSWORD}@127.0.0.1:${port}`);
    opened.push(redis);
    const error = await whenRedisReady(redis).catch((caught: unknown) => caught);
    sockets.forEach((socket) => socket.destroy());
    expect(isOmnifeedError(error, "auth")).toBe(true);
    expect((error as Error).message).toBe(
      `Redis at redis://app:***@127.0.0.1:${port} refused the credentials in its URL`,
    );
    expect((error as Error).cause).toBeUndefined();
  });

  it("connects to a live Redis and names the connection", async (context) => {
    const url = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
    const redis = connectRedis(url, { name: "omnifeed-infra-test" });
    opened.push(redis);
    const unreachable = await whenRedisReady(redis).catch((error: unknown) => error as Error);
    if (unreachable) {
      console.warn(`[did not run] connectRedis against a live Redis: ${unreachable.message}`);
      context.skip();
    }
    expect(await redis.client("GETNAME")).toBe("omnifeed-infra-test");
    await redis.quit();
  });
});
