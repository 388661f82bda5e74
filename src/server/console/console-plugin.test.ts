import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlFromEnv } from "../../config/env.js";
import { PACKAGE_ROOT } from "../../config/paths.js";
import { connectRedis } from "../../infra/redis.js";
import type { ItemExplainer, ItemView } from "../../pipeline/explain-view.js";
import { createItemExplainer } from "../../pipeline/explain-view.js";
import { RedisRunHistory } from "../../sync/run-history.js";
import { deleteKeysUnder } from "../../../test/support/redis-keys.js";
import {
  APPAREL_MESSAGE,
  FAILED_REASON,
  channelStats,
  demoRuns,
  runRecord,
} from "../../../test/support/run-records.js";
import type { ConsoleOptions } from "./console-plugin.js";
import { consolePlugin } from "./console-plugin.js";

/**
 * The console through `inject`, reading a real Redis run history (STYLE.md rule 10) under this
 * run's own prefix; only those keys are deleted afterwards.
 */
const prefix = `omnifeed-test:${randomUUID()}:`;
const DEMO_CONFIG = join(PACKAGE_ROOT, "fixtures/catalogs/demo/omnifeed.config.yaml");
const HOSTILE_SKU = `<script>alert("sku")</script>`;
const HOSTILE_MESSAGE = `<img src=x onerror=alert(1)> & "quoted"`;

let redis: Redis;
const apps: FastifyInstance[] = [];

beforeAll(() => {
  redis = connectRedis(redisUrlFromEnv() ?? "redis://127.0.0.1:6379", { name: "omnifeed-test" });
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await deleteKeysUnder(redis, prefix);
  await redis.quit();
});

/** A console over a fresh history of its own (its own key prefix under this run's). */
async function consoleApp(
  seed: Parameters<RedisRunHistory["add"]>[0][] = [],
  options: Partial<ConsoleOptions> = {},
): Promise<FastifyInstance> {
  const history = new RedisRunHistory(redis, `${prefix}${randomUUID()}:`);
  for (const run of seed) await history.add(run);
  const app = Fastify();
  await app.register(consolePlugin, { history, ...options });
  apps.push(app);
  return app;
}

async function page(app: FastifyInstance, url: string): Promise<{ status: number; body: string }> {
  const response = await app.inject({ method: "GET", url });
  return { status: response.statusCode, body: response.body };
}

/** The text of the element whose opening tag contains `marker`, tags stripped, spaces folded. */
function textAfter(body: string, marker: string, length = 400): string {
  const at = body.indexOf(marker);
  expect(at, `${marker} in the page`).toBeGreaterThanOrEqual(0);
  return body
    .slice(at, at + length)
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ");
}

describe("console: no runs yet", () => {
  it("explains how to start workers and schedules on the overview and the runs page", async () => {
    const app = await consoleApp();
    for (const url of ["/console", "/console/runs"]) {
      const { status, body } = await page(app, url);
      expect(status).toBe(200);
      expect(body).toContain("No runs yet");
      expect(body).toContain("omnifeed worker");
      expect(body).toContain("omnifeed schedule sync");
      expect(body).not.toContain("<svg");
    }
  });

  it("redirects / to the console and serves HTML with a policy that forbids scripts", async () => {
    const app = await consoleApp();
    const root = await app.inject({ method: "GET", url: "/" });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe("/console");
    const overview = await app.inject({ method: "GET", url: "/console" });
    expect(overview.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(overview.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(overview.body).not.toMatch(/<script/i);
  });
});

describe("console overview", () => {
  it("shows each channel's figures from its latest finished run, with trends since the run before", async () => {
    const app = await consoleApp(demoRuns());
    const { body } = await page(app, "/console");
    // google: latest finished run 3 (1,204 / 3 / 6) against the publish run 1 (1,190 / 9 / 6);
    // the failed run 2 has no figures and is skipped.
    const google = body.slice(body.indexOf('id="channel-google"'), body.indexOf('id="channel-meta"'));
    expect(textAfter(google, 'data-status="accepted"', 300)).toContain("accepted 1,204 ▲ +14");
    expect(textAfter(google, 'data-status="rejected"', 300)).toContain("rejected 3 ▼ −6");
    expect(textAfter(google, 'data-status="filtered"', 300)).toContain("filtered 6 = 0");
    expect(google).toMatch(/class="trend good up"[^>]*>▲ \+14/);
    expect(google).toMatch(/class="trend good down"[^>]*>▼ −6/);
    // meta: run 3 against run 0; more rejected is bad news.
    const meta = body.slice(body.indexOf('id="channel-meta"'));
    expect(textAfter(meta, 'data-status="accepted"', 300)).toContain("accepted 1,196 ▲ +6");
    expect(meta).toMatch(/class="trend bad up"[^>]*>▲ \+1/);
  });

  it("lists the top issues with counts and links to example SKUs", async () => {
    const app = await consoleApp(demoRuns());
    const { body } = await page(app, "/console");
    const google = body.slice(body.indexOf('id="channel-google"'), body.indexOf('id="channel-meta"'));
    const row = textAfter(google, 'class="issue"', 900);
    expect(row).toContain("error apparel_attribute_missing (color) 3");
    expect(row).toContain(APPAREL_MESSAGE);
    expect(google).toContain('href="/console/items?sku=SOCK-KID-2326"');
    expect(google).toContain('href="/console/items?sku=SOCK-KID-2730"');
    expect(body).toContain("No issues in this run."); // meta's runs carry none
  });

  it("draws one stacked bar per run with figures, oldest first, with a legend and axes", async () => {
    const app = await consoleApp(demoRuns());
    const { body } = await page(app, "/console");
    const chart = (id: string): string => body.slice(body.indexOf(`<svg`, body.indexOf(`id="${id}"`) - 200));
    const google = body.slice(
      body.indexOf('id="chart-google"'),
      body.indexOf("</svg>", body.indexOf('id="chart-google"')),
    );
    expect(google.match(/<g class="bar"/g)).toHaveLength(3);
    const runs = [...google.matchAll(/data-run="([^"]*)"/g)].map((match) => match[1]);
    expect(runs).toEqual([
      "nightly-feeds, 2026-12-05 08:00:00 UTC",
      "google-publish, 2026-12-05 09:00:00 UTC",
      "nightly-feeds, 2026-12-05 11:00:00 UTC",
    ]);
    expect(google).toContain("1,204 accepted, 3 rejected, 6 filtered");
    expect(google).toMatch(/<rect\s+class="accepted"/);
    expect(google).toMatch(/>\s*items\s*<\/text>/);
    expect(google).toContain('<g class="legend">');
    const meta = body.slice(
      body.indexOf('id="chart-meta"'),
      body.indexOf("</svg>", body.indexOf('id="chart-meta"')),
    );
    expect(meta.match(/<g class="bar"/g)).toHaveLength(2);
    expect(chart("chart-google")).toContain('role="img"');
  });

  it("says the first run has nothing to compare with", async () => {
    const [first] = demoRuns();
    const app = await consoleApp([first!]);
    const { body } = await page(app, "/console");
    expect(textAfter(body, 'data-status="accepted"', 300)).toContain("accepted 1,180 first run");
  });
});

describe("console runs page", () => {
  it("lists the latest run of each job and the recent runs with failures and deferred items", async () => {
    const app = await consoleApp(demoRuns());
    const { status, body } = await page(app, "/console/runs");
    expect(status).toBe(200);
    const latest = body.slice(body.indexOf('class="runs latest"'), body.indexOf('class="runs recent"'));
    expect(latest.match(/<tr class="run"/g)).toHaveLength(2);
    const recent = body.slice(body.indexOf('class="runs recent"'));
    expect(recent.match(/<tr class="run"/g)).toHaveLength(4);
    const failed = textAfter(recent, 'data-outcome="failed"', 1200);
    expect(failed).toContain("nightly-feeds build 2026-12-05 10:00:00 UTC 1.2 s failed");
    expect(failed).toContain(`config ${FAILED_REASON}`);
    const publish = textAfter(recent, 'data-outcome="incomplete"', 1200);
    expect(publish).toContain("google-publish publish 2026-12-05 09:00:00 UTC 3 min 05 s incomplete");
    expect(publish).toContain("google 240");
  });

  it("shows one job's runs when asked", async () => {
    const app = await consoleApp(demoRuns());
    const { body } = await page(app, "/console/runs?job=nightly-feeds");
    expect(body).toContain("Recent runs of nightly-feeds");
    expect(body.match(/<tr class="run"/g)).toHaveLength(3);
  });
});

describe("console escaping", () => {
  it("escapes SKUs, messages, job names and failure reasons from the run history", async () => {
    const hostile = runRecord(0, {
      job: `<b>job</b>`,
      outcome: "succeeded",
      summary: HOSTILE_MESSAGE,
      channels: [
        channelStats("google", { accepted: 1, rejected: 1, filtered: 0 }, [
          {
            code: "bad<code>",
            severity: "error",
            count: 1,
            examples: [{ sku: HOSTILE_SKU, message: HOSTILE_MESSAGE }],
          },
        ]),
      ],
    });
    const failed = runRecord(1, {
      job: "other",
      outcome: "failed",
      failure: { kind: "unknown", message: `</td><script>alert(2)</script>` },
    });
    const app = await consoleApp([hostile, failed]);
    for (const url of ["/console", "/console/runs"]) {
      const { body } = await page(app, url);
      expect(body).not.toMatch(/<script/i);
      expect(body).not.toContain("<img");
      expect(body).not.toContain("<b>job</b>");
      expect(body).toContain("&lt;b&gt;job&lt;/b&gt;");
    }
    const overview = (await page(app, "/console")).body;
    expect(overview).toContain("&lt;script&gt;alert(&quot;sku&quot;)&lt;/script&gt;");
    expect(overview).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;");
    // The SKU in a link is URL-encoded, then escaped.
    expect(overview).toContain(`href="/console/items?sku=${encodeURIComponent(HOSTILE_SKU)}"`);
    const runs = (await page(app, "/console/runs")).body;
    expect(runs).toContain("&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
  });

  it("escapes the searched SKU and what the explain view holds", async () => {
    const view: ItemView = {
      sku: HOSTILE_SKU,
      found: true,
      rowIssues: [],
      source: {
        file: "/data/<catalog>.csv",
        format: "csv",
        line: 7,
        text: `x,${HOSTILE_SKU},"${HOSTILE_MESSAGE}"`,
      },
      channels: [],
      publishing: [],
    };
    const explain: ItemExplainer = () => Promise.resolve(view);
    const app = await consoleApp([], { explain });
    const { body } = await page(app, `/console/items?sku=${encodeURIComponent(HOSTILE_SKU)}`);
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toContain("<img");
    expect(body).toContain(`value="&lt;script&gt;alert(&quot;sku&quot;)&lt;/script&gt;"`);
    expect(body).toContain("x,&lt;script&gt;");
    expect(body).toContain("&lt;catalog&gt;.csv");
  });
});

describe("console item page", () => {
  let explain: ItemExplainer;
  beforeAll(async () => {
    explain = await createItemExplainer(DEMO_CONFIG, { offline: true });
  });

  it("says when item search is not set up, and asks for a SKU when none is given", async () => {
    const bare = await consoleApp();
    expect((await page(bare, "/console/items?sku=TEE-ORG-WHI-S")).body).toContain(
      "Item search is not set up",
    );
    const app = await consoleApp([], { explain });
    const { status, body } = await page(app, "/console/items");
    expect(status).toBe(200);
    expect(body).toContain("Type a SKU in the search box");
  });

  it("shows the source row, the rules that fired and the output fields of a demo SKU", async () => {
    const app = await consoleApp([], { explain });
    const { status, body } = await page(app, "/console/items?sku=TEE-ORG-WHI-S");
    expect(status).toBe(200);
    expect(textAfter(body, 'id="source"')).toContain("Source row catalog.csv , line 2 (csv)");
    expect(textAfter(body, 'class="source-text"', 200)).toContain("tee-organic-classic,TEE-ORG-WHI-S");
    const google = body.slice(body.indexOf('id="item-google"'), body.indexOf('id="item-meta"'));
    expect(google).toContain("item-group");
    expect(textAfter(google, 'class="output"', 4000)).toMatch(/google_product_category 212/);
    expect(body).toContain('id="item-amazon"');
    expect(body).toContain('value="TEE-ORG-WHI-S"');
  });

  it("says an unknown SKU is not in the catalog and keeps the search", async () => {
    const app = await consoleApp([], { explain });
    const { status, body } = await page(app, "/console/items?sku=NO-SUCH-SKU");
    expect(status).toBe(404);
    expect(body).toContain("SKU NO-SUCH-SKU is not in the catalog");
    expect(body).toContain('value="NO-SUCH-SKU"');
  });
});
