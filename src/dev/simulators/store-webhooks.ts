import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Webhook deliveries of the store simulators, and the small HTTP helpers both share. Shopify and
 * WooCommerce sign the same way: base64 of HMAC-SHA256 over the raw body bytes (Shopify with the
 * app's client secret, WooCommerce with the webhook's own secret).
 */

/** One attempt to deliver a webhook, as a test sees it. */
export interface WebhookDelivery {
  /** The topic in the store's own spelling (`fulfillments/create`, `order.updated`). */
  topic: string;
  url: string;
  headers: Record<string, string>;
  /** The exact bytes sent (what a receiver must verify the signature over). */
  body: string;
  /** Receiver's HTTP status; 0 when the connection failed or timed out. */
  status: number;
  at: number;
}

/** base64(HMAC-SHA256(secret, raw body)), as both stores put in their signature header. */
export function signBody(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/**
 * Posts one delivery and records it. Shopify gives a receiver 5 s in all; a delivery that fails
 * counts as status 0 (the store would retry or count a failure; the caller decides).
 */
export async function deliverWebhook(
  url: string,
  topic: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<WebhookDelivery> {
  const at = Date.now();
  let status = 0;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    status = 0;
  }
  return { topic, url, headers, body, status, at };
}

export interface HttpAnswer {
  status: number;
  /** JSON value, or text when `contentType` says so. */
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export function sendAnswer(response: ServerResponse, answer: HttpAnswer): void {
  const text = answer.contentType !== undefined && typeof answer.body === "string";
  const payload = text
    ? (answer.body as string)
    : answer.body === undefined
      ? ""
      : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    "content-type": answer.contentType ?? "application/json; charset=utf-8",
    ...answer.headers,
  });
  response.end(payload);
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
