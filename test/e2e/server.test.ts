import { randomUUID } from "node:crypto";
import { readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Queue } from "bullmq";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envValue, redisUrlFromEnv } from "../../src/config/env.js";
import { MANIFEST_FILE } from "../../src/feeds/manifest.js";
import { createLogger } from "../../src/infra/logger.js";
import { connectRedis, whenRedisReady } from "../../src/infra/redis.js";
import { createServer, type ServerOptions } from "../../src/server/app.js";
import { RedisRunHistory, type RunRecord } from "../../src/sync/run-history.js";
import { deleteKeysUnder } from "../support/redis-keys.js";
import { demoExport, exportArgs, freshDir, omnifeed, startOmnifeed, startServe } from "./cli.js";

/**
 * The HTTP server of `omnifeed serve`, built by its factory and driven with `inject` (a real
 * socket where the test needs one), on a real export of the demo catalog and a real Redis under
 * a prefix of this run's own.
 */

const TOKEN = `tok-${randomUUID()}`;
const BASIC = { user: "merchant", password: `pw-${randomUUID()}` };
const BUYER_EMAIL = "buyer.person@example.com";
const url = redisUrlFromEnv() ?? "redis://127.0.0.1:6379";
const prefix = `omnifeed-test:${randomUUID()}:`;
const underCi = ["true", "1"].includes(envValue("CI") ?? "");

async function redisProblem(): Promise<string | undefined> {
  const probe = connectRedis(url, { name: "omnifeed-test-probe" });
  try {
    await whenRedisReady(probe, 2_000);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    probe.disconnect();
  }
}
const unreachable = await redisProblem();
if (unreachable !== undefined) {
  if (underCi) throw new Error(`Redis is required under CI: ${unreachable}`);
  console.warn(`[did not run] server tests on Redis: ${unreachable}`);
}

/** Log lines the server wrote, as text (what an operator's log store would hold). */
const logLines: string[] = [];
const logger = createLogger({
  level: "debug",
  destination: { write: (line: string) => logLines.push(line) },
});

let feeds: string;
const apps: FastifyInstance[] = [];

async function serverWith(options: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const app = await createServer({
    feedsDir: feeds,
    auth: { token: TOKEN, basic: BASIC },
    prefix,
    logger,
    ...options,
  });
  apps.push(app);
  return app;
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const basicHeader = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

beforeAll(async () => {
  feeds = freshDir("server-feeds");
  const exported = await demoExport(feeds);
  expect(exported.code, exported.stderr).toBe(0);
});

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe("auth", () => {
  it("refuses a missing or wrong token with 401 and a challenge, and says nothing of the feed", async () => {
    const app = await serverWith();
    for (const headers of [
      {},
      { authorization: "Bearer wrong" },
      { authorization: basicHeader("merchant", "nope") },
    ]) {
      const answer = await app.inject({ url: "/feeds/google.xml", headers });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers["www-authenticate"]).toEqual([
        'Bearer realm="omnifeed"',
        'Basic realm="omnifeed", charset="UTF-8"',
      ]);
      const body = answer.json<{ error: { code: string; requestId: string } }>();
      expect(body.error.code).toBe("auth");
      expect(body.error.requestId).toBe(answer.headers["x-request-id"]);
      expect(answer.body).not.toContain("<rss");
    }
    expect((await app.inject({ url: "/feeds/google.xml?token=wrong" })).statusCode).toBe(401);
  });

  it("accepts the token as a bearer header or a query parameter, and basic credentials", async () => {
    const app = await serverWith();
    const expected = readFileSync(join(feeds, "google.xml"), "utf8");
    const answers = [
      await app.inject({ url: "/feeds/google.xml", headers: bearer }),
      await app.inject({ url: `/feeds/google.xml?token=${encodeURIComponent(TOKEN)}` }),
      await app.inject({
        url: "/feeds/google.xml",
        headers: { authorization: basicHeader(BASIC.user, BASIC.password) },
      }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toBe(expected);
    }
  });

  it("refuses to build a server whose auth lets nobody in", async () => {
    await expect(createServer({ auth: {}, prefix, logger })).rejects.toThrow(/set a token or a basic user/);
  });

  it("keeps protected plugins behind the same auth, with the body size limit and coded errors", async () => {
    const echo: FastifyPluginAsync = (scope) => {
      scope.post("/echo", (request, reply) => reply.send({ got: request.body }));
      return Promise.resolve();
    };
    const app = await serverWith({ protectedPlugins: [echo] });
    expect((await app.inject({ method: "POST", url: "/echo", payload: { a: 1 } })).statusCode).toBe(401);
    const ok = await app.inject({ method: "POST", url: "/echo", headers: bearer, payload: { a: 1 } });
    expect(ok.json()).toEqual({ got: { a: 1 } });
    const big = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { ...bearer, "content-type": "application/json" },
      payload: JSON.stringify({ text: "x".repeat(2 << 20) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({
      error: { code: "FST_ERR_CTP_BODY_TOO_LARGE", requestId: big.headers["x-request-id"] },
    });
  });
});

describe("hosted feeds", () => {
  it("serves each published feed whole with its content type, validators and cache policy", async () => {
    const app = await serverWith();
    const types: Record<string, RegExp> = {
      "google.xml": /^application\/xml/,
      "google.tsv": /^text\/tab-separated-values/,
      "meta.csv": /^text\/csv/,
      "amazon-listings-0001.json": /^application\/json/,
    };
    for (const [name, type] of Object.entries(types)) {
      const answer = await app.inject({ url: `/feeds/${name}`, headers: bearer });
      expect(answer.statusCode, name).toBe(200);
      expect(answer.rawPayload.equals(readFileSync(join(feeds, name))), name).toBe(true);
      expect(answer.headers["content-type"]).toMatch(type);
      expect(answer.headers["content-length"]).toBe(String(answer.rawPayload.length));
      expect(answer.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
      expect(answer.headers["last-modified"]).toMatch(/GMT$/);
      expect(answer.headers["cache-control"]).toBe("private, no-cache");
    }
  });

  it("answers 304 to a matching ETag or an unchanged If-Modified-Since, 200 otherwise", async () => {
    const app = await serverWith();
    const first = await app.inject({ url: "/feeds/meta.csv", headers: bearer });
    const etag = String(first.headers.etag);
    const modified = String(first.headers["last-modified"]);

    const byEtag = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-none-match": etag },
    });
    expect(byEtag.statusCode).toBe(304);
    expect(byEtag.body).toBe("");
    expect(byEtag.headers.etag).toBe(etag);
    const inList = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-none-match": `"other", W/${etag}` },
    });
    expect(inList.statusCode).toBe(304);
    const otherTag = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-none-match": '"other"' },
    });
    expect(otherTag.statusCode).toBe(200);

    const byDate = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-modified-since": modified },
    });
    expect(byDate.statusCode).toBe(304);
    const older = new Date(Date.parse(modified) - 60_000).toUTCString();
    const changed = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-modified-since": older },
    });
    expect(changed.statusCode).toBe(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    const both = await app.inject({
      url: "/feeds/meta.csv",
      headers: { ...bearer, "if-none-match": '"other"', "if-modified-since": modified },
    });
    expect(both.statusCode).toBe(200);
  });

  it("gzips when asked, with its own ETag, and serves .gz files as they are", async () => {
    const app = await serverWith();
    const plain = readFileSync(join(feeds, "google.xml"));
    const zipped = await app.inject({
      url: "/feeds/google.xml",
      headers: { ...bearer, "accept-encoding": "gzip, br" },
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("Accept-Encoding");
    expect(zipped.rawPayload.length).toBeLessThan(plain.length);
    expect(gunzipSync(zipped.rawPayload).equals(plain)).toBe(true);
    const etag = String(zipped.headers.etag);
    expect(etag).toMatch(/-gz"$/);
    const again = await app.inject({
      url: "/feeds/google.xml",
      headers: { ...bearer, "accept-encoding": "gzip", "if-none-match": etag },
    });
    expect(again.statusCode).toBe(304);
    const refused = await app.inject({
      url: "/feeds/google.xml",
      headers: { ...bearer, "accept-encoding": "gzip;q=0" },
    });
    expect(refused.headers["content-encoding"]).toBeUndefined();

    const gzDir = freshDir("server-gz");
    const exported = await demoExport(gzDir, ["--gzip"]);
    expect(exported.code, exported.stderr).toBe(0);
    const gzApp = await serverWith({ feedsDir: gzDir });
    const file = await gzApp.inject({
      url: "/feeds/meta.csv.gz",
      headers: { ...bearer, "accept-encoding": "gzip" },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/gzip");
    expect(file.headers["content-encoding"]).toBeUndefined();
    expect(file.rawPayload.equals(readFileSync(join(gzDir, "meta.csv.gz")))).toBe(true);
  });

  it("answers HEAD with the headers of GET and no body", async () => {
    const app = await serverWith();
    const answer = await app.inject({ method: "HEAD", url: "/feeds/google.tsv", headers: bearer });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe("");
    expect(answer.headers["content-length"]).toBe(String(readFileSync(join(feeds, "google.tsv")).length));
    expect(answer.headers.etag).toBeDefined();
  });

  it("serves nothing outside the manifest: traversal, encoded slashes, absolute paths, temp files, symlinks → 404", async () => {
    const dir = freshDir("server-fence");
    expect((await demoExport(dir)).code).toBe(0);
    const outside = join(freshDir("server-outside"), "secret.xml");
    writeFileSync(outside, "<secret>outside the feeds folder</secret>");
    // A symlink listed in the manifest as if it were a feed: still never followed.
    symlinkSync(outside, join(dir, "linked.xml"));
    const temp = ".google.xml.omnifeed-4242-0123abcd.tmp";
    writeFileSync(join(dir, temp), "<partial");
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as {
      feeds: Record<string, unknown>;
    };
    manifest.feeds.linked = {
      files: ["linked.xml"],
      entries: 1,
      unit: "items",
      publishedAt: new Date().toISOString(),
    };
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const app = await serverWith({ feedsDir: dir });

    const attempts = [
      "/feeds/omnifeed-report.json",
      "/feeds/omnifeed-issues.jsonl",
      `/feeds/${MANIFEST_FILE}`,
      `/feeds/${temp}`,
      `/feeds/${encodeURIComponent(temp)}`,
      "/feeds/linked.xml",
      "/feeds/../omnifeed-report.json",
      "/feeds/%2e%2e%2fomnifeed-report.json",
      "/feeds/..%2fomnifeed-report.json",
      "/feeds/..%5comnifeed-report.json",
      "/feeds/%2e%2e/omnifeed-report.json",
      `/feeds/${encodeURIComponent(join(dir, "google.xml"))}`,
      `/feeds/${join(dir, "google.xml")}`,
      "/feeds//etc/passwd",
      "/feeds/%2fetc%2fpasswd",
      "/feeds/google.xml%00.txt",
      "/feeds/google.xml/",
      "/feeds/GOOGLE.XML",
      "/feeds/",
      "/feeds/nothing.xml",
    ];
    for (const attempt of attempts) {
      const answer = await app.inject({ url: attempt, headers: bearer });
      expect(answer.statusCode, attempt).toBe(404);
      expect(answer.json(), attempt).toMatchObject({ error: { code: "not_found" } });
      expect(answer.body, attempt).not.toContain("outside the feeds folder");
      expect(answer.body, attempt).not.toContain(dir);
    }
    expect((await app.inject({ url: "/feeds/google.xml", headers: bearer })).statusCode).toBe(200);
  });

  it("serves nothing when the manifest is unreadable (fail closed)", async () => {
    const dir = freshDir("server-bad-manifest");
    expect((await demoExport(dir)).code).toBe(0);
    const app = await serverWith({ feedsDir: dir });
    expect((await app.inject({ url: "/feeds/google.xml", headers: bearer })).statusCode).toBe(200);
    writeFileSync(join(dir, MANIFEST_FILE), "{ not json");
    expect((await app.inject({ url: "/feeds/google.xml", headers: bearer })).statusCode).toBe(404);
  });

  it("finishes an answer from the file it opened even when a new file is renamed over it mid-response", async () => {
    const dir = freshDir("server-swap");
    const old = Buffer.alloc(8 << 20, "old-line\n");
    writeFileSync(join(dir, "feed.csv"), old);
    const manifest = {
      version: 1,
      feeds: { f: { files: ["feed.csv"], entries: 1, unit: "items", publishedAt: "x" } },
    };
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const app = await serverWith({ feedsDir: dir });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as { port: number };

    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let swapped = false;
      const request = httpRequest(
        { host: "127.0.0.1", port, path: "/feeds/feed.csv", headers: bearer },
        (response) => {
          response.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
            if (!swapped) {
              swapped = true;
              // Export's way: a complete temp file renamed into place.
              writeFileSync(
                join(dir, ".feed.csv.omnifeed-1-00000000.tmp"),
                Buffer.alloc(8 << 20, "NEW-LINE\n"),
              );
              renameSync(join(dir, ".feed.csv.omnifeed-1-00000000.tmp"), join(dir, "feed.csv"));
            }
          });
          response.on("end", () => resolve(Buffer.concat(chunks)));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(body.equals(old)).toBe(true);
    const next = await app.inject({ url: "/feeds/feed.csv", headers: bearer });
    expect(next.body.startsWith("NEW-LINE")).toBe(true);
  });

  it("serves the previous file complete while a new export of the same folder runs", async () => {
    const dir = freshDir("server-rebuild");
    const catalogs = freshDir("server-catalogs");
    for (const seed of ["1", "2"]) {
      const made = await omnifeed([
        "dev",
        "gen-catalog",
        "--variants",
        "10000",
        "--seed",
        seed,
        "--out",
        join(catalogs, `c${seed}.csv`),
      ]);
      expect(made.code, made.stderr).toBe(0);
    }
    const args = (seed: string): string[] =>
      exportArgs(join(catalogs, `c${seed}.csv`), dir, ["--quiet", "--force"]).map((arg) =>
        arg === "google,meta,amazon" ? "google" : arg,
      );
    const first = await omnifeed(args("1"));
    expect(first.code, first.stderr).toBe(0);
    const name = "google-local-inventory.tsv";
    const before = readFileSync(join(dir, name));
    const app = await serverWith({ feedsDir: dir });

    const child = startOmnifeed(args("2"));
    let running = true;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    void exited.then(() => (running = false));
    const bodies: Buffer[] = [];
    while (running) {
      const answer = await app.inject({ url: `/feeds/${name}`, headers: bearer });
      expect(answer.statusCode).toBe(200);
      bodies.push(answer.rawPayload);
    }
    expect(await exited).toBe(0);
    const after = readFileSync(join(dir, name));
    expect(after.equals(before)).toBe(false);
    bodies.push((await app.inject({ url: `/feeds/${name}`, headers: bearer })).rawPayload);

    expect(bodies.length).toBeGreaterThan(2);
    for (const body of bodies) expect(body.equals(before) || body.equals(after)).toBe(true);
    expect(bodies.filter((body) => body.equals(before)).length).toBeGreaterThan(0);
    expect(bodies.at(-1)?.equals(after)).toBe(true);
  });
});

describe("logs", () => {
  it("carry request ids and never a token, a password or a buyer's email", async () => {
    const app = await serverWith();
    const answer = await app.inject({
      url: `/feeds/google.xml?token=${TOKEN}`,
      headers: { "x-request-id": "fetch-42" },
    });
    expect(answer.headers["x-request-id"]).toBe("fetch-42");
    await app.inject({ url: "/feeds/google.xml", headers: bearer });
    await app.inject({
      url: "/feeds/google.xml",
      headers: { authorization: basicHeader(BASIC.user, BASIC.password) },
    });
    await app.inject({ url: `/nothing?access_token=${TOKEN}` });
    const generated = await app.inject({
      url: "/healthz",
      headers: { "x-request-id": "bad id\nwith newline" },
    });
    expect(generated.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    app.log.info(
      { order: { id: "A-1", email: BUYER_EMAIL, shipping: { name: "Jo Buyer" } } },
      "order imported",
    );
    app.log.info(
      { headers: { authorization: `Bearer ${TOKEN}`, "x-amz-security-token": TOKEN } },
      "outgoing call",
    );
    logger.flush();

    const text = logLines.join("");
    expect(text).toContain('"requestId":"fetch-42"');
    expect(text).toContain("token=[redacted]");
    expect(text).toContain("order imported");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(BASIC.password);
    expect(text).not.toContain(Buffer.from(`${BASIC.user}:${BASIC.password}`).toString("base64"));
    expect(text).not.toContain(BUYER_EMAIL);
    expect(text).not.toContain("Jo Buyer");
  });
});

describe.skipIf(unreachable !== undefined)("health, readiness, metrics and Bull Board on Redis", () => {
  let redis: Redis;
  const queues: Queue[] = [];
  const queueName = `catalog-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    redis = connectRedis(url, { name: "omnifeed-test" });
  });

  afterAll(async () => {
    for (const queue of queues) await queue.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  function queue(): Queue {
    // BullMQ keys live under this run's prefix too, so the clean-up removes them.
    const made = new Queue(queueName, { connection: { url }, prefix: `${prefix}bull` });
    queues.push(made);
    return made;
  }

  async function closedPort(): Promise<number> {
    const server = createNetServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    return port;
  }

  it("/healthz is 200 and open; /readyz is 200 with Redis and a live worker, open too", async () => {
    const app = await serverWith({
      redis,
      liveWorkers: () => Promise.resolve([{ id: "host:1", lanes: ["catalog"], lastSeen: Date.now() }]),
    });
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { redis: { ok: true }, workers: { ok: true } },
    });
  });

  it("/readyz is 503 naming Redis when it is unreachable, and the workers when none is alive", async () => {
    const down = connectRedis(`redis://127.0.0.1:${await closedPort()}`, { name: "omnifeed-test-down" });
    try {
      const app = await serverWith({ redis: down });
      const answer = await app.inject({ url: "/readyz" });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ ready: false, checks: { redis: { ok: false } } });
    } finally {
      down.disconnect();
    }
    const app = await serverWith({ redis, liveWorkers: () => Promise.resolve([]) });
    const answer = await app.inject({ url: "/readyz" });
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toMatchObject({
      ready: false,
      checks: { redis: { ok: true }, workers: { ok: false, detail: "no worker alive" } },
    });
  });

  it("/metrics shows queue depths, job runs and durations, and items per channel written by RedisRunHistory", async () => {
    const lane = queue();
    await lane.add("build", { n: 1 });
    await lane.add("build", { n: 2 });
    const history = new RedisRunHistory(redis, prefix);
    const run = (id: string, durationMs: number, publish?: boolean): RunRecord => ({
      id,
      job: "nightly-build",
      kind: "build",
      lane: "catalog",
      startedAt: 1_000,
      finishedAt: 1_000 + durationMs,
      durationMs,
      attempt: 1,
      outcome: "succeeded",
      summary: "google: 91 accepted",
      channels: [
        {
          channel: "google",
          read: 97,
          accepted: 91,
          rejected: 6,
          filtered: 0,
          warned: 10,
          issues: [],
          ...(publish && {
            publish: {
              created: 5,
              updated: 3,
              deleted: 1,
              unchanged: 80,
              rejected: 2,
              failed: 1,
              deferred: 4,
              deletesHeld: false,
              topReasons: [],
            },
          }),
        },
      ],
    });
    await history.add(run("j1#1", 2_500));
    await history.add(run("j2#1", 90_000, true));

    const app = await serverWith({ redis, queues: [lane] });
    expect((await app.inject({ url: "/metrics" })).statusCode).toBe(401);
    const answer = await app.inject({ url: "/metrics", headers: bearer });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = answer.body;
    expect(text).toContain(`omnifeed_queue_jobs{lane="${queueName}",state="waiting"} 2`);
    expect(text).toContain(`omnifeed_queue_jobs{lane="${queueName}",state="failed"} 0`);
    expect(text).toContain(
      'omnifeed_job_runs_total{job="nightly-build",lane="catalog",outcome="succeeded"} 2',
    );
    expect(text).toContain(
      'omnifeed_job_duration_seconds_bucket{job="nightly-build",lane="catalog",le="5"} 1',
    );
    expect(text).toContain(
      'omnifeed_job_duration_seconds_bucket{job="nightly-build",lane="catalog",le="120"} 2',
    );
    expect(text).toContain(
      'omnifeed_job_duration_seconds_bucket{job="nightly-build",lane="catalog",le="+Inf"} 2',
    );
    expect(text).toContain('omnifeed_job_duration_seconds_sum{job="nightly-build",lane="catalog"} 92.5');
    expect(text).toContain('omnifeed_job_duration_seconds_count{job="nightly-build",lane="catalog"} 2');
    expect(text).toContain('omnifeed_items_total{channel="google",status="accepted"} 182');
    expect(text).toContain('omnifeed_items_total{channel="google",status="rejected"} 14');
    expect(text).toContain('omnifeed_items_total{channel="google",status="published"} 9');
    expect(text).toContain('omnifeed_items_total{channel="google",status="failed"} 1');
    expect(text).toContain('omnifeed_items_total{channel="google",status="deferred"} 4');
    expect(text).toContain('omnifeed_items_total{channel="google",status="filtered"} 0');
    expect(text).toContain("omnifeed_metrics_redis_up 1");
    expect(text).toContain("process_resident_memory_bytes");
    // The history and the counters were written together.
    expect((await history.recent({ job: "nightly-build" })).map((entry) => entry.id)).toEqual([
      "j2#1",
      "j1#1",
    ]);
  });

  it("serves Bull Board at /admin/queues behind auth", async () => {
    const app = await serverWith({ redis, queues: [queue()] });
    const refused = await app.inject({ url: "/admin/queues" });
    expect(refused.statusCode).toBe(401);
    expect((await app.inject({ url: "/admin/queues/api/queues" })).statusCode).toBe(401);
    const page = await app.inject({ url: "/admin/queues", headers: bearer });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    const api = await app.inject({ url: "/admin/queues/api/queues", headers: bearer });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain(queueName);
  });
});

describe("omnifeed serve", () => {
  it("listens, prints its URL, serves feeds and closes gracefully on SIGTERM", async () => {
    const { child, address, exited, stderr } = await startServe(
      ["serve", "--port", "0", "--insecure-no-auth", "--feeds-dir", feeds, "--log-level", "silent"],
      { REDIS_URL: "" },
    );
    const health = await fetch(`${address}healthz`);
    expect(health.status).toBe(200);
    const feed = await fetch(`${address}feeds/meta.csv`);
    expect(await feed.text()).toBe(readFileSync(join(feeds, "meta.csv"), "utf8"));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr()).toContain("SIGTERM: closing the server");
  });

  it.skipIf(unreachable !== undefined)(
    "with REDIS_URL and server.auth: token auth, the lanes in Bull Board and readiness from heartbeats",
    async () => {
      const configDir = freshDir("server-config");
      const config = join(configDir, "omnifeed.config.yaml");
      writeFileSync(config, "server:\n  auth:\n    token_env: OMNIFEED_TEST_SERVE_TOKEN\n");
      const servePrefix = `${prefix}serve:`;
      const { child, address, exited, stdout } = await startServe(
        ["serve", "--config", config, "--port", "0", "--log-level", "silent"],
        { REDIS_URL: url, OMNIFEED_REDIS_PREFIX: servePrefix, OMNIFEED_TEST_SERVE_TOKEN: TOKEN },
      );
      try {
        expect(stdout()).toContain("auth token");
        expect((await fetch(`${address}admin/queues/api/queues`)).status).toBe(401);
        const board = await fetch(`${address}admin/queues/api/queues?token=${TOKEN}`);
        expect(board.status).toBe(200);
        const text = await board.text();
        expect(text).toContain("omnifeed-bulk");
        expect(text).toContain("omnifeed-fast");
        const ready = await fetch(`${address}readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ checks: { redis: { ok: true }, workers: { ok: false } } });
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      const cleanup = connectRedis(url, { name: "omnifeed-test" });
      await deleteKeysUnder(cleanup, servePrefix);
      await cleanup.quit();
    },
  );

  it("refuses --insecure-no-auth off loopback, and a config without server.auth", async () => {
    const open = await omnifeed(["serve", "--host", "0.0.0.0", "--port", "0", "--insecure-no-auth"]);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain("only on a loopback address");
    const none = await omnifeed(["serve", "--port", "0"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("server.auth");
  });
});
