import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isOmnifeedError, type OmnifeedError } from "../core/errors.js";
import { createHttpClient, type HttpClientOptions } from "./http.js";
import type { RateLimiter } from "./rate-limit.js";

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** A local server answering each call with the next scripted answer (the last one repeats). */
let server: Server;
let baseURL: string;
let answers: Answer[];
let seen: { method: string | undefined; url: string | undefined; at: number }[];

beforeEach(async () => {
  answers = [];
  seen = [];
  server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, at: performance.now() });
    request.resume();
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    answer?.(request, response);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  vi.restoreAllMocks();
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    response
      .writeHead(code, { "content-type": "application/json", ...headers })
      .end('{"ok":' + String(code < 300) + "}");
  };

/** A limiter that records what the client asked of it. */
function recordingLimiter(): RateLimiter & { takes: number; pauses: number[] } {
  const limiter = {
    takes: 0,
    pauses: [] as number[],
    take() {
      limiter.takes += 1;
      return Promise.resolve();
    },
    pause(waitMs: number) {
      limiter.pauses.push(waitMs);
      return Promise.resolve();
    },
  };
  return limiter;
}

function client(options: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    service: "Test API",
    baseURL,
    attempts: 4,
    baseDelayMs: 20,
    maxDelayMs: 500,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<OmnifeedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isOmnifeedError(error)) throw new Error(`expected an OmnifeedError, got ${String(error)}`);
  return error;
}

describe("createHttpClient", () => {
  it("retries a 5xx with growing backoff, taking a token per attempt, then succeeds", async () => {
    // The top of the full-jitter range: waits of exactly 20 then 40 ms.
    vi.spyOn(Math, "random").mockReturnValue(1);
    answers = [status(500), status(502), status(200)];
    const limiter = recordingLimiter();
    const response = await client({ limiter }).request<{ ok: boolean }>({ what: "items.get", url: "/items" });
    expect(response.data).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    expect(limiter.takes).toBe(3);
    const [first, second, third] = seen.map((call) => call.at);
    expect(second! - first!).toBeGreaterThanOrEqual(18);
    expect(third! - second!).toBeGreaterThanOrEqual(38);
  });

  it("waits as a 429's Retry-After says and pauses the shared bucket for as long", async () => {
    answers = [status(429, { "retry-after": "1" }), status(200)];
    const limiter = recordingLimiter();
    const started = performance.now();
    const response = await client({ limiter }).request({
      what: "items.insert",
      method: "POST",
      url: "/items",
      data: {},
    });
    expect(response.status).toBe(200);
    expect(limiter.pauses).toEqual([1000]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(seen).toHaveLength(2);
  });

  it("gives up after `attempts` with a transient error", async () => {
    answers = [status(503)];
    const error = await failure(
      client({ attempts: 3, baseDelayMs: 1 }).request({ what: "items.list", url: "/items" }),
    );
    expect(error.kind).toBe("transient");
    expect(error.message).toContain("503");
    expect(seen).toHaveLength(3);
  });

  it("gives up on a 429 after `attempts` as rate_limited with the wait it was told", async () => {
    answers = [status(429, { "retry-after": "0" })];
    const error = await failure(client({ attempts: 2 }).request({ what: "items.list", url: "/items" }));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(0);
    expect(seen).toHaveLength(2);
  });

  it.each([
    [400, "rejected"],
    [401, "auth"],
    [404, "not_found"],
    [409, "conflict"],
  ] as const)("does not retry a %i (%s)", async (code, kind) => {
    answers = [status(code)];
    const error = await failure(client().request({ what: "items.get SKU-1", url: "/items/SKU-1" }));
    expect(error.kind).toBe(kind);
    expect(seen).toHaveLength(1);
  });

  it("uses the channel's reading of its error body", async () => {
    answers = [status(400)];
    const error = await failure(
      client({
        readError: () => ({ kind: "rate_limited", message: "too many calls", retryAfterMs: 5 }),
        attempts: 2,
      }).request({
        what: "batch",
        url: "/batch",
      }),
    );
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toContain("too many calls");
    expect(seen).toHaveLength(2);
  });

  it("names method, path, status and request id in errors, never a token", async () => {
    answers = [status(500, { "x-request-id": "req-42" })];
    const error = await failure(
      client({ attempts: 1 }).request({
        what: "items.update SKU-9",
        method: "PATCH",
        url: "/v1/items/SKU-9?access_token=QUERY-SECRET-1&fields=price",
        params: { access_token: "PARAM-SECRET-2" },
        headers: { Authorization: "Bearer HEADER-SECRET-3" },
        data: { token: "BODY-SECRET-4" },
      }),
    );
    expect(seen[0]?.url).toContain("access_token=");
    expect(error.message).toContain("PATCH /v1/items/SKU-9");
    expect(error.message).toContain("500");
    expect(error.message).toContain("req-42");
    expect(error.message).toContain("items.update SKU-9");
    const everything = [
      error.message,
      error.stack,
      error.where,
      JSON.stringify(error),
      String(error.cause),
    ].join("\n");
    for (const secret of [
      "QUERY-SECRET-1",
      "PARAM-SECRET-2",
      "HEADER-SECRET-3",
      "BODY-SECRET-4",
      "access_token",
      "Bearer",
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("keeps tokens out of network errors too", async () => {
    answers = [(request) => request.socket.destroy()];
    const error = await failure(
      client({ attempts: 2, baseDelayMs: 1 }).request({
        what: "items.get",
        url: "/items?access_token=QUERY-SECRET-1",
        headers: { Authorization: "Bearer HEADER-SECRET-3" },
      }),
    );
    expect(error.kind).toBe("transient");
    expect(error.message).toContain("GET /items");
    expect(error.message).toMatch(/network error/);
    const everything = [error.message, error.stack, JSON.stringify(error), String(error.cause)].join("\n");
    expect(everything).not.toContain("QUERY-SECRET-1");
    expect(everything).not.toContain("HEADER-SECRET-3");
  });

  it("stops promptly when aborted while the call is in flight", async () => {
    answers = [() => undefined];
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(
      client().request({ what: "items.get", url: "/items", signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(400);
    expect(seen).toHaveLength(1);
  });

  it("stops promptly when aborted while waiting out a Retry-After", async () => {
    answers = [status(429, { "retry-after": "30" })];
    const controller = new AbortController();
    const reason = new Error("shutting down");
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(
      client().request({ what: "items.get", url: "/items", signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(400);
    expect(seen).toHaveLength(1);
  });
});
