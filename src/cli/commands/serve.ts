import { resolve } from "node:path";
import type { Command } from "commander";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Redis } from "ioredis";
import { z } from "zod";
import { loadConfigFile, type ConfigFile } from "../../config/config-file.js";
import { envValue, readSecret, redisPrefixFromEnv, redisUrlFromEnv } from "../../config/env.js";
import { OmnifeedError } from "../../core/errors.js";
import { createLogger } from "../../infra/logger.js";
import { connectRedis } from "../../infra/redis.js";
import { createServer, type BoardQueue, type LiveWorker, type ServerAuth } from "../../server/app.js";
import type { WebhookInbox } from "../../jobs/webhook-events.js";
import type { WebhookReceiver } from "../../server/webhooks/receivers.js";
import { RedisRunHistory } from "../../sync/run-history.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";
import { takeOverSignals } from "../signal-owner.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const ServeFlagsSchema = z.object({
  config: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65_535).optional(),
  feedsDir: z.string().min(1).optional(),
  insecureNoAuth: z.boolean().default(false),
  logLevel: z.enum(LOG_LEVELS).default("info"),
});
type ServeFlags = z.infer<typeof ServeFlagsSchema>;

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8080;

/** True for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * The server's credentials from `server.auth` (secrets read from their environment variable or
 * file). No auth configured is an error unless `--insecure-no-auth` on a loopback address: hosted
 * feeds and Bull Board must never be open to the network by omission.
 */
export async function resolveServerAuth(
  config: ConfigFile | undefined,
  host: string,
  insecureNoAuth: boolean,
): Promise<ServerAuth | "none"> {
  if (insecureNoAuth) {
    if (!isLoopbackHost(host)) {
      throw new OmnifeedError(
        "config",
        `--insecure-no-auth is allowed only on a loopback address (127.0.0.1, ::1, localhost), not ${host}`,
      );
    }
    return "none";
  }
  const settings = config?.server?.auth;
  const auth: ServerAuth = {};
  if (settings?.token_env !== undefined || settings?.token_file !== undefined) {
    auth.token = await readSecret(
      { env: settings.token_env, file: settings.token_file },
      settings.token_env !== undefined ? "server.auth.token_env" : "server.auth.token_file",
    );
  }
  if (settings?.basic_user !== undefined) {
    const password = await readSecret(
      { env: settings.basic_password_env, file: settings.basic_password_file },
      settings.basic_password_file !== undefined && settings.basic_password_env === undefined
        ? "server.auth.basic_password_file"
        : "server.auth.basic_password_env",
    );
    auth.basic = { user: settings.basic_user, password };
  }
  if (auth.token === undefined && auth.basic === undefined) {
    throw new OmnifeedError(
      "config",
      "server.auth: name a token (token_env or token_file) or a basic user and password in --config; " +
        "or pass --insecure-no-auth to serve without credentials on a loopback address",
    );
  }
  return auth;
}

/** What `serve` shows of the jobs part; each piece is left out when absent. */
interface JobViews {
  queues?: readonly BoardQueue[];
  liveWorkers?: () => Promise<readonly LiveWorker[]>;
  /** Where verified webhook deliveries go: the installation's inbox stream (workers relay it to the fast lane). */
  inbox?: WebhookInbox;
  close(): Promise<void>;
}

/**
 * WIRING POINT FOR src/jobs: the lanes' queues (Bull Board, `omnifeed_queue_jobs`) and the live
 * workers from their heartbeats (`/readyz`) of the installation under `prefix`. Loaded here, not
 * with the command tree, so other commands never load bullmq.
 */
async function openJobViews(config: ConfigFile | undefined, redis: Redis, prefix: string): Promise<JobViews> {
  const { openQueues } = await import("../../jobs/queues.js");
  const { liveWorkers } = await import("../../jobs/heartbeats.js");
  const { openStreamInbox } = await import("../../jobs/webhook-inbox.js");
  const queues = openQueues(redis, prefix, config ?? {});
  const window = config?.server?.webhooks?.dedupe_window_s;
  return {
    queues: Object.values(queues.byLane),
    liveWorkers: () => liveWorkers(redis, prefix),
    inbox: openStreamInbox(redis, prefix, window !== undefined ? { dedupeWindowMs: window * 1000 } : {}),
    close: () => queues.close(),
  };
}

/** The first SIGINT or SIGTERM, with the signals taken over (`signal-owner.ts`) until `release`. */
function nextStopSignal(): { signal: Promise<"SIGINT" | "SIGTERM">; release: () => void } {
  let release: () => void = () => undefined;
  const signal = new Promise<"SIGINT" | "SIGTERM">((resolve) => {
    release = takeOverSignals(resolve);
  });
  return { signal, release };
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}/`;
}

async function serve(flags: ServeFlags): Promise<void> {
  const config = flags.config === undefined ? undefined : await loadConfigFile(flags.config);
  const host = flags.host ?? config?.server?.host ?? DEFAULT_HOST;
  const port = flags.port ?? config?.server?.port ?? DEFAULT_PORT;
  const feedsDir =
    flags.feedsDir !== undefined
      ? resolve(flags.feedsDir)
      : (config?.server?.feeds_dir ?? config?.output?.dir);
  const auth = await resolveServerAuth(config, host, flags.insecureNoAuth);
  const logger = createLogger({ name: "omnifeed-server", level: flags.logLevel });

  const url = redisUrlFromEnv();
  // The installation's keys (queues, heartbeats, run history), as the worker writes them.
  const { installationPrefixOf } = await import("../../jobs/lanes.js");
  const prefix = installationPrefixOf(redisPrefixFromEnv(), config?.state?.workspace);
  const redis = url === undefined ? undefined : connectRedis(url, { name: "omnifeed-server" });
  let views: JobViews | undefined;
  let app: FastifyInstance | undefined;
  // Taken before listening: from then on a signal closes the server instead of killing it.
  const stop = nextStopSignal();
  try {
    views = redis ? await openJobViews(config, redis, prefix) : undefined;
    const history = redis ? new RedisRunHistory(redis, prefix) : undefined;
    // The web console: runs from the history, the explain view from the config's catalog.
    const { consolePlugin } = await import("../../server/console/console-plugin.js");
    const { createItemExplainer } = await import("../../pipeline/explain-view.js");
    // Prepared per search, so a config without a catalog still serves (the page says why) and
    // an edited mapping shows on the next search without a restart.
    const configPath = flags.config;
    const explain =
      configPath === undefined
        ? undefined
        : async (sku: string) => (await createItemExplainer(configPath))(sku);
    const consoleRoutes: FastifyPluginAsync | undefined = history
      ? async (scope) => {
          await scope.register(consolePlugin, { history, ...(explain ? { explain } : {}) });
        }
      : undefined;
    // The config's stores and marketplaces that send webhooks get /webhooks/<id> (Amazon's
    // ORDER_CHANGE at /webhooks/amazon). Without Redis no delivery could be made durable: no
    // receiver is served.
    const { webhookReceiversFor } = await import("../../server/webhooks/receivers-from-config.js");
    const receivers: WebhookReceiver[] =
      config && views?.inbox ? webhookReceiversFor(config, { secret: envValue }) : [];
    app = await createServer({
      feedsDir,
      auth,
      redis,
      prefix,
      queues: views?.queues,
      liveWorkers: views?.liveWorkers,
      history,
      ...(consoleRoutes ? { protectedPlugins: [consoleRoutes] } : {}),
      ...(views?.inbox && receivers.length > 0 ? { webhooks: { receivers, inbox: views.inbox } } : {}),
      logger,
    });
    try {
      await app.listen({ host, port });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OmnifeedError("config", `cannot listen on ${host}:${port}: ${String(code ?? error)}`);
    }
    const bound = app.server.address();
    const shown =
      typeof bound === "object" && bound !== null ? urlOf(bound.address, bound.port) : urlOf(host, port);
    process.stdout.write(
      `omnifeed: serving on ${shown} (feeds ${feedsDir === undefined ? "off" : `from ${feedsDir} at ${shown}feeds/`}` +
        `, auth ${auth === "none" ? "OFF" : [auth.token && "token", auth.basic && "basic"].filter(Boolean).join("+")}` +
        `, Redis ${redis ? "on" : "off (set REDIS_URL)"}` +
        `, webhooks ${receivers.length > 0 ? receivers.map((receiver) => `${shown}webhooks/${receiver.source}`).join(" ") : "off"})\n`,
    );
    const signal = await stop.signal;
    process.stderr.write(`omnifeed: ${signal}: closing the server (in-flight requests finish)\n`);
  } finally {
    await app?.close();
    await views?.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    stop.release();
    logger.flush();
  }
}

export function registerServe(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("serve")
    .description(
      "run the HTTP server: hosted feeds at /feeds/<file>, /healthz, /readyz, /metrics, Bull Board at /admin/queues, webhook receivers at /webhooks/<source>",
    )
    .option(
      "--config <file>",
      "omnifeed.config.yaml: server.host, port, feeds_dir, auth and webhooks; stores: for the webhook receivers",
    )
    .option("--host <address>", `address to listen on (default server.host, else ${DEFAULT_HOST})`)
    .option("--port <number>", `port (default server.port, else ${DEFAULT_PORT}; 0 picks a free one)`)
    .option(
      "--feeds-dir <dir>",
      "folder whose published feeds are served (default server.feeds_dir, else output.dir)",
    )
    .option("--insecure-no-auth", "serve without credentials; only on a loopback address", false)
    .option("--log-level <level>", `${LOG_LEVELS.join(", ")} (default info)`)
    .addHelpText(
      "after",
      "\nRedis (REDIS_URL, keys under OMNIFEED_REDIS_PREFIX) feeds /readyz and the job and item metrics.\n" +
        "With Redis, each store of stores: that signs webhooks (shopify, woocommerce) and each marketplace of\n" +
        "marketplaces: that sends notifications (amazon) gets POST /webhooks/<id>:\n" +
        "a verified delivery is stored in Redis before the answer; fast-lane workers relay it into jobs (docs/webhooks.md).\n" +
        "SIGINT or SIGTERM closes the server gracefully (exit 0); a second signal stops at once.",
    )
    .action(async (raw: unknown) => {
      await serve(parseFlags(ServeFlagsSchema, raw));
      setExit(EXIT.ok);
    });
}
