#!/usr/bin/env node
// Hosted-feed throughput for conditional GETs (issue 8), on the built code (`npm run build`
// first). Exports the demo catalog into a temp folder, starts the server of `omnifeed serve`
// (createServer, token auth, a silent logger) on 127.0.0.1 in this process, and points autocannon
// at /feeds/google.xml with the token and If-None-Match of the current file: every answer should
// be a 304. Prints requests/s, latency p50/p99 and the share of 304s, as JSON.
//
//   node scripts/bench/hosted-feed.mjs [--seconds 10] [--connections 10] [--file google.xml]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/* global fetch */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const seconds = Number(flag("seconds", "10"));
const connections = Number(flag("connections", "10"));
const file = flag("file", "google.xml");
const token = "bench-token";

const { default: autocannon } = await import("autocannon");
const { createServer } = await import(join(ROOT, "dist/server/app.js"));
const { createLogger } = await import(join(ROOT, "dist/infra/logger.js"));

const dir = mkdtempSync(join(tmpdir(), "omnifeed-bench-feeds-"));
try {
  const demo = join(ROOT, "fixtures/catalogs/demo");
  const exported = spawnSync(
    process.execPath,
    [
      join(ROOT, "bin/omnifeed.js"),
      "export",
      "--config",
      join(demo, "omnifeed.config.yaml"),
      "--catalog",
      join(demo, "catalog.csv"),
      "--channel",
      "google,meta,amazon",
      "--out",
      dir,
      "--quiet",
    ],
    { encoding: "utf8" },
  );
  if (exported.status !== 0) throw new Error(`demo export failed: ${exported.stderr}`);

  const app = await createServer({
    feedsDir: dir,
    auth: { token },
    prefix: "omnifeed-bench:",
    logger: createLogger({ level: "silent" }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address();
  const url = `http://127.0.0.1:${port}/feeds/${file}`;
  const first = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const etag = first.headers.get("etag");
  if (first.status !== 200 || !etag) throw new Error(`first GET answered ${first.status}`);

  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}`, "if-none-match": etag },
  });
  await app.close();
  const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  console.log(
    JSON.stringify(
      {
        bench: "hosted-feed conditional GET (If-None-Match → 304)",
        file,
        seconds,
        connections,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        requests: answered,
        share304: answered === 0 ? 0 : Number((result["3xx"] / answered).toFixed(4)),
        errors: result.errors + result.timeouts + result["4xx"] + result["5xx"],
        node: process.version,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
