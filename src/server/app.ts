import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import compress from "@fastify/compress";
import fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createLogger } from "../infra/logger.js";
import type { RunHistory } from "../sync/run-history.js";
import { checkServerAuth, requireAuth, type ServerAuth } from "./auth.js";
import { registerBullBoard } from "./bull-board.js";
import { errorBody, handleError } from "./errors.js";
import { registerHealth } from "./health.js";
import { registerHostedFeeds } from "./hosted-feeds.js";
import { createMetricsRegistry, webhookDeliveriesCounter } from "./metrics.js";
import type { BoardQueue, LiveWorker } from "./queues.js";
import type { WebhookInbox } from "../jobs/webhook-events.js";
import type { WebhookReceiver } from "./webhooks/receivers.js";
import { registerWebhookRoutes } from "./webhooks/routes.js";

export type { ServerAuth } from "./auth.js";
export type { BoardQueue, LiveWorker } from "./queues.js";

/** Largest request body accepted (nothing here takes uploads; webhook routes may set their own). */
export const BODY_LIMIT_BYTES = 1 << 20;

/** What `createServer` builds the HTTP server from; everything optional is left out when absent. */
export interface ServerOptions {
  /** The export output folder whose published feeds are served at `/feeds/<file>`. */
  feedsDir?: string | undefined;
  /**
   * Who may read feeds, metrics, Bull Board and the protected plugins: a token (header or
   * `?token=`) and/or basic credentials, secrets already resolved. `"none"` opens them to anyone:
   * for tests and a loopback-only server (the CLI refuses it on any other address).
   */
  auth: ServerAuth | "none";
  /** Redis, for readiness and the job and item counters of `/metrics`. */
  redis?: Redis | undefined;
  /** The installation's Redis key prefix (`OMNIFEED_REDIS_PREFIX`, default `omnifeed:`). */
  prefix: string;
  /** The lanes' queues, shown by Bull Board and counted by `omnifeed_queue_jobs`. */
  queues?: readonly BoardQueue[] | undefined;
  /** The workers alive now (their heartbeats); when given, readiness needs at least one. */
  liveWorkers?: (() => Promise<readonly LiveWorker[]>) | undefined;
  /** Finished runs, for the protected plugins (the console). */
  history?: RunHistory | undefined;
  /** Plugins registered behind the same auth as the feeds (the web console). */
  protectedPlugins?: readonly FastifyPluginAsync[] | undefined;
  /** The structured logger (`infra/logger.ts`); one is made when absent. */
  logger?: Logger | undefined;
  /**
   * Webhook receivers at `POST /webhooks/<source>` (open: each delivery proves itself by its
   * signature) and the inbox that makes each accepted delivery durable before the answer.
   */
  webhooks?: { receivers: readonly WebhookReceiver[]; inbox: WebhookInbox } | undefined;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The run history given to `createServer`, for the protected plugins. */
    runHistory: RunHistory | undefined;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plain token (it reaches the logs), else a new one. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Builds omnifeed's HTTP server (no `listen`: the CLI listens, tests use `inject`):
 * - open: `GET /healthz`, `GET /readyz`;
 * - behind auth: `GET|HEAD /feeds/<file>` (hosted feeds), `GET /metrics` (Prometheus),
 *   `/admin/queues` (Bull Board, when queues are given) and `protectedPlugins`;
 * - signed by their senders: `POST /webhooks/<source>`, when `webhooks` is given.
 * Errors answer `{ error: { code, message, requestId } }`; every answer carries `x-request-id`.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  checkServerAuth(options.auth);
  const logger = options.logger ?? createLogger({ name: "omnifeed-server" });
  // Typed as fastify's logger so the instance has fastify's default type (plugins expect it).
  const loggerInstance: FastifyBaseLogger = logger;
  const app = fastify({
    loggerInstance,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  app.decorate("runHistory", options.history);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.setErrorHandler((error, request, reply) => reply.send(handleError(error, request, reply)));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(request, "not_found", "no such resource")),
  );
  // Metrics text and JSON answers; hosted feeds compress themselves (their ETag says which).
  await app.register(compress, { global: true, encodings: ["gzip"], threshold: 1024 });

  registerHealth(app, { redis: options.redis, liveWorkers: options.liveWorkers });

  const registry = createMetricsRegistry({
    redis: options.redis,
    prefix: options.prefix,
    queues: options.queues,
    logger,
  });
  const deliveries = webhookDeliveriesCounter(registry);
  if (options.webhooks !== undefined) {
    await registerWebhookRoutes(app, { ...options.webhooks, deliveries });
  }

  const auth = options.auth;
  await app.register(async (scope) => {
    if (auth !== "none") scope.addHook("onRequest", requireAuth(auth));
    if (options.feedsDir !== undefined) registerHostedFeeds(scope, { dir: options.feedsDir });
    scope.get("/metrics", async (_request, reply) => {
      const text = await registry.metrics();
      return reply
        .header("content-type", registry.contentType)
        .header("cache-control", "no-store")
        .send(text);
    });
    if (options.queues !== undefined) await registerBullBoard(scope, options.queues);
    for (const plugin of options.protectedPlugins ?? []) await scope.register(plugin);
  });
  return app;
}
