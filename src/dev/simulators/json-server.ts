import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedCall } from "./simulator.js";

/**
 * The HTTP plumbing the JSON API simulators share (Amazon listings and orders, eBay): an answer
 * value, body parsing (JSON, or a form for the OAuth token calls), the answer with the vendor's
 * request-id header, and a server that records every call. The vendor's rules stay in each
 * simulator; this is only the wire.
 */

/** What a route answers: status, body (JSON value, bytes, or XML text) and extra headers. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A body that was sent as JSON and is not. */
export const INVALID_JSON = Symbol("invalid JSON");

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mediaType(request: IncomingMessage): string {
  return (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

export function isJson(request: IncomingMessage): boolean {
  return mediaType(request) === "application/json";
}

/** A form (token calls) as an object, JSON (or no content type) parsed, anything else undefined. */
export function parseBody(request: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = mediaType(request);
  if (type === "application/x-www-form-urlencoded")
    return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  if (type !== "" && !type.includes("json")) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** Writes the answer: JSON unless the body is bytes (as is) or text (XML). */
export function sendAnswer(response: ServerResponse, answer: HttpAnswer, requestIdHeader: string): void {
  const body = answer.body;
  const isBytes = Buffer.isBuffer(body);
  const isText = typeof body === "string";
  const payload = body === undefined ? undefined : isBytes || isText ? body : JSON.stringify(body);
  response.writeHead(answer.status, {
    [requestIdHeader]: randomUUID(),
    ...(payload === undefined || isBytes
      ? {}
      : { "content-type": isText ? "application/xml" : "application/json" }),
    ...answer.headers,
  });
  response.end(payload);
}

export interface JsonServerOptions {
  host: string;
  port: number;
  /** Where every answered call is recorded. */
  calls: RecordedCall[];
  /** The vendor's request id header (`x-amzn-RequestId`, `x-ebay-c-request-id`). */
  requestIdHeader: string;
  route(request: IncomingMessage, url: URL, body: unknown, raw: Buffer): HttpAnswer | Promise<HttpAnswer>;
  /** The vendor's answer when a route throws. */
  internalError(): HttpAnswer;
}

/** Starts a simulator's server; `port` 0 picks a free one. */
export async function startJsonServer(
  options: JsonServerOptions,
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(request.url ?? "/", "http://simulator");
      const body = parseBody(request, raw);
      Promise.resolve()
        .then(() => options.route(request, url, body, raw))
        .catch(() => options.internalError())
        .then((answer) => {
          options.calls.push({
            method: request.method ?? "GET",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            body: body === INVALID_JSON ? undefined : body,
            status: answer.status,
            at: Date.now(),
          });
          sendAnswer(response, answer, options.requestIdHeader);
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, baseUrl: `http://${options.host}:${(server.address() as AddressInfo).port}` };
}

/** Stops a simulator's server, dropping kept-alive connections. */
export async function stopJsonServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
