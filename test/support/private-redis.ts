import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { makeTempDir } from "./temp-dirs.js";

/**
 * A Redis server of the test's own, for tests that stop and restart Redis under a run: the
 * machine's shared Redis (6379) serves other test runs and must never be restarted. It listens on
 * a free loopback port and keeps its data in a temp folder with an append-only file fsynced on
 * every write (`--appendfsync always`, no RDB snapshots), so what was written before a stop is
 * there after the restart, as on a production Redis with AOF.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Its data folder (the append-only files are in `appendonlydir/`). */
  readonly dir: string;
  /** Whether the server runs now. */
  running(): boolean;
  /** Stops the server (SIGTERM: it closes the AOF cleanly; SIGKILL: a crash) and waits for its exit. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** Everything the server wrote to its log so far (all its runs). */
  log(): string;
}

/** Why no private Redis can be started here (no `redis-server` on PATH), or `undefined`. */
export function privateRedisProblem(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error) return `redis-server not found on PATH (${probe.error.message})`;
  if (probe.status !== 0) return `redis-server --version exited with ${probe.status}`;
  return undefined;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a private Redis; stop it with `stop()` in the test's `finally`/`afterAll`. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = makeTempDir("private-redis");
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = "";

  const start = async (): Promise<void> => {
    if (child) throw new Error(`private Redis on ${port} is already running`);
    const server = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--logfile",
        "",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = server;
    server.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    server.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    exited = new Promise((resolve) =>
      server.once("exit", () => {
        if (child === server) child = undefined;
        resolve();
      }),
    );
    await untilAnswering(url, server, () => log);
  };

  await start();
  return {
    port,
    url,
    dir,
    running: () => child !== undefined,
    async stop(signal = "SIGTERM") {
      if (!child) return;
      child.kill(signal);
      await exited;
    },
    start,
    log: () => log,
  };
}

/** Polls PING until the fresh server answers; fails (with its log) if it exits or takes over 10 s. */
async function untilAnswering(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}:\n${log()}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch {
      // Not listening yet.
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
