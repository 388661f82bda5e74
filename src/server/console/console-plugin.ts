import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import type { ItemExplainer } from "../../pipeline/explain-view.js";
import type { RunHistory } from "../../sync/run-history.js";
import type { SafeHtml } from "./html.js";
import { html } from "./html.js";
import type { ItemPageState } from "./item-page.js";
import { itemBody } from "./item-page.js";
import type { ConsoleSection } from "./layout.js";
import { consolePage } from "./layout.js";
import { overviewBody } from "./overview-page.js";
import { runsBody } from "./runs-page.js";

/** What the console reads; the server factory registers it inside its authenticated scope. */
export interface ConsoleOptions {
  /** Finished runs (written by the job processors). */
  history: RunHistory;
  /**
   * The `explain` view of a SKU (`createItemExplainer(configPath)` from `pipeline/explain-view.ts`);
   * without it the item search says it is not set up.
   */
  explain?: ItemExplainer | undefined;
  /** The installation's name in every page's header (default "omnifeed"). */
  title?: string | undefined;
  /** Answer `GET /` with a redirect to `/console` (default true). */
  redirectRoot?: boolean | undefined;
}

/** Runs read for the overview: enough for a chart of the last runs of every channel. */
const OVERVIEW_RUNS = 200;
/** Runs listed on the runs page. */
const RECENT_RUNS = 50;

const RunsQuerySchema = z.object({ job: z.string().min(1).max(200).optional() });
const ItemQuerySchema = z.object({ sku: z.string().max(500).optional() });

// Pages carry no script: the policy forbids any, so even an escaping slip could not run one.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/**
 * The web console (issue 8 §5): server-rendered HTML a merchant reads — per channel figures with
 * trends, top issues and a chart (`/console`), the runs of every job (`/console/runs`), and a SKU's
 * explain view (`/console/items?sku=`). No client script; every dynamic text is escaped.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = (app, options) => {
  const site = options.title ?? "omnifeed";
  const send = (
    reply: FastifyReply,
    section: ConsoleSection,
    title: string,
    body: SafeHtml,
    sku?: string,
  ): FastifyReply =>
    reply
      .headers(SECURITY_HEADERS)
      .type("text/html; charset=utf-8")
      .send(consolePage({ site, title, section, sku, body }).text);

  if (options.redirectRoot !== false) {
    app.get("/", async (_request, reply) => reply.redirect("/console"));
  }

  app.get("/console", async (_request, reply) => {
    const runs = await options.history.recent({ limit: OVERVIEW_RUNS });
    return send(reply, "overview", "Overview", overviewBody(runs));
  });

  app.get("/console/runs", async (request, reply) => {
    const parsed = RunsQuerySchema.safeParse(request.query);
    const job = parsed.success ? parsed.data.job : undefined;
    const [latestPerJob, recent] = await Promise.all([
      job === undefined ? latestRunOfEachJob(options.history) : Promise.resolve([]),
      options.history.recent({ job, limit: RECENT_RUNS }),
    ]);
    return send(reply, "runs", "Runs", runsBody(latestPerJob, recent, job));
  });

  app.get("/console/items", async (request, reply) => {
    const parsed = ItemQuerySchema.safeParse(request.query);
    const sku = parsed.success ? parsed.data.sku?.trim() || undefined : undefined;
    let state: ItemPageState;
    if (sku === undefined) state = { kind: "no-search" };
    else if (!options.explain) state = { kind: "not-configured", sku };
    else {
      try {
        state = { kind: "view", view: await options.explain(sku) };
      } catch (error) {
        // A catalog that cannot be read is the installation's problem: say it on the page.
        if (!isOmnifeedError(error)) throw error;
        reply.code(error.kind === "config" ? 500 : 503);
        return send(
          reply,
          "items",
          `SKU ${sku}`,
          html`<section class="panel" id="explain-failed">
            <p>Could not explain this SKU: ${error.message}</p>
          </section>`,
          sku,
        );
      }
    }
    if (state.kind === "view" && !state.view.found) reply.code(404);
    return send(reply, "items", sku === undefined ? "Items" : `SKU ${sku}`, itemBody(state), sku);
  });
  // Routes only: nothing to wait for, but fastify takes an async plugin's promise.
  return Promise.resolve();
};

async function latestRunOfEachJob(history: RunHistory): Promise<Awaited<ReturnType<RunHistory["recent"]>>> {
  const jobs = await history.jobs();
  const latest = await Promise.all(jobs.map((job) => history.recent({ job, limit: 1 })));
  return latest.flatMap((runs) => runs.slice(0, 1));
}
