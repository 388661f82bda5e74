import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Counter } from "prom-client";
import { OmnifeedError } from "../../core/errors.js";
import type { IncomingWebhook } from "../../core/webhook.js";
import type { WebhookInbox } from "../../jobs/webhook-events.js";
import type { WebhookOutcome } from "../metrics.js";
import { handleError } from "../errors.js";
import { checkReceivers, type WebhookReceiver } from "./receivers.js";

export interface WebhookRoutesOptions {
  receivers: readonly WebhookReceiver[];
  /** Where verified deliveries are stored (the fast lane, `jobs/webhook-events.ts`). */
  inbox: WebhookInbox;
  /** `omnifeed_webhook_deliveries_total` of the server's registry. */
  deliveries: Counter<"source" | "outcome">;
}

/** What a receiver answers on success: the outcome and the request id (errors use the common shape). */
export interface WebhookAnswer {
  status: WebhookOutcome;
  requestId: string;
  /** The job holding the event (the first delivery's, for a duplicate); absent when nothing was queued. */
  jobId?: string;
}

/** Header values as `IncomingWebhook` has them: lower-case names, repeated values joined. */
function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * `POST /webhooks/<source>` for each receiver, in a scope of its own (no credentials: each
 * delivery proves itself by its signature):
 * - the body is kept as the exact bytes (any content type), up to the receiver's limit: 413 beyond;
 * - the receiver's parser checks the signature: 401 on a bad or missing one, 400 on a body it
 *   cannot read, and nothing is stored;
 * - a ping or a topic omnifeed does not read: 200, nothing stored;
 * - otherwise the inbox stores the event (durable in Redis) before the answer: 202 when queued,
 *   200 when its dedupe key was seen within the window (nothing queued again), 503 when Redis
 *   could not take it (the sender retries).
 * Log lines carry the request id, the source and the outcome; never the body or its headers.
 */
export async function registerWebhookRoutes(
  app: FastifyInstance,
  options: WebhookRoutesOptions,
): Promise<void> {
  checkReceivers(options.receivers);
  const { inbox, deliveries } = options;
  await app.register((scope, _options, done) => {
    // Signatures are over the bytes: no parser may read the body first.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    // Errors of this scope (bad signature, oversized or unreadable body, storage down) are counted
    // and logged by kind here, then answered in the server's common `{ error }` shape.
    scope.setErrorHandler((error, request, reply) => {
      const body = handleError(error, request, reply);
      const source = sourceOf(request);
      const outcome: WebhookOutcome = reply.statusCode >= 500 ? "failed" : "rejected";
      deliveries.inc({ source, outcome });
      if (outcome === "rejected") {
        request.log.warn(
          { source, outcome, status: reply.statusCode, reason: body.error.code },
          "webhook refused",
        );
      }
      return reply.send(body);
    });
    for (const receiver of options.receivers) {
      scope.post(
        `/webhooks/${receiver.source}`,
        { bodyLimit: receiver.bodyLimit, config: { source: receiver.source } },
        (request, reply) => receive(receiver, request, reply),
      );
    }
    done();
  });

  async function receive(
    receiver: WebhookReceiver,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<WebhookAnswer> {
    const source = receiver.source;
    const webhook: IncomingWebhook = {
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      headers: headersOf(request),
    };
    const parsed = receiver.parse(webhook);
    const event = parsed.event;
    if (event.type === "ping" || event.type === "ignored") {
      deliveries.inc({ source, outcome: "ignored" });
      request.log.info({ source, outcome: "ignored" }, "webhook delivery");
      return { status: "ignored", requestId: request.id };
    }
    let answer;
    try {
      answer = await inbox.accept({ source, dedupeKey: parsed.dedupeKey, requestId: request.id, event });
    } catch (error) {
      throw new OmnifeedError("transient", `the ${source} delivery could not be stored; send it again`, {
        cause: error,
      });
    }
    deliveries.inc({ source, outcome: answer.outcome });
    request.log.info({ source, outcome: answer.outcome, jobId: answer.jobId }, "webhook delivery");
    reply.code(answer.outcome === "accepted" ? 202 : 200);
    return { status: answer.outcome, requestId: request.id, jobId: answer.jobId };
  }
}

function sourceOf(request: FastifyRequest): string {
  const config = request.routeOptions.config as { source?: unknown } | undefined;
  return typeof config?.source === "string" ? config.source : "unknown";
}
