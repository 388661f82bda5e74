import type { RunOutcome, RunRecord } from "../../sync/run-history.js";
import type { SafeHtml } from "./html.js";
import { formatCount, formatDuration, formatTime, html } from "./html.js";

/**
 * The runs page: the latest run of each job, then the recent runs (of one job when `job` is
 * given), each with its duration, outcome, failure and what the update budget put off.
 */
export function runsBody(
  latestPerJob: readonly RunRecord[],
  recent: readonly RunRecord[],
  job?: string,
): SafeHtml {
  if (latestPerJob.length === 0 && recent.length === 0) {
    return job === undefined
      ? noRunsYet()
      : html`<section class="panel">
          <p>No runs of job <strong>${job}</strong>. <a href="/console/runs">All runs</a></p>
        </section>`;
  }
  return html`${
      job === undefined
        ? html`<section class="panel">
            <h2>Latest run of each job</h2>
            ${runsTable(latestPerJob, "latest")}
          </section>`
        : ""
    }
    <section class="panel">
      <h2>${job === undefined ? "Recent runs" : html`Recent runs of ${job}`}</h2>
      ${
        job === undefined ? "" : html`<p><a href="/console/runs">All jobs</a></p>`
      }${runsTable(recent, "recent")}
    </section>`;
}

function runsTable(runs: readonly RunRecord[], name: string): SafeHtml {
  const rows = runs.map(
    (run) =>
      html`<tr class="run" data-outcome="${run.outcome}">
        <td class="job"><a href="/console/runs?job=${encodeURIComponent(run.job)}">${run.job}</a></td>
        <td>${run.kind}</td>
        <td class="num">${formatTime(run.startedAt)}</td>
        <td class="num">${formatDuration(run.durationMs)}</td>
        <td>
          ${outcomeBadge(run.outcome)}${run.attempt > 1 ? html` <span class="muted">attempt ${run.attempt}</span>` : ""}
        </td>
        <td class="failure">
          ${
            run.failure
              ? html`<code>${run.failure.kind}</code> ${run.failure.message}`
              : html`<span class="muted">${run.summary}</span>`
          }
        </td>
        <td class="deferred">${deferredText(run)}</td>
        <td class="worker"><span class="muted">${run.worker ?? ""}</span></td>
      </tr>`,
  );
  return html`<table class="runs ${name}">
    <thead>
      <tr>
        <th>job</th>
        <th>kind</th>
        <th class="num">started</th>
        <th class="num">duration</th>
        <th>outcome</th>
        <th>failure or summary</th>
        <th>deferred by budget</th>
        <th>worker</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function deferredText(run: RunRecord): SafeHtml {
  const deferred = run.channels.filter((stats) => (stats.publish?.deferred ?? 0) > 0);
  if (deferred.length === 0) return html`<span class="muted">—</span>`;
  return html`${deferred.map(
    (stats, index) =>
      html`${index > 0 ? ", " : ""}${stats.channel}
        <strong>${formatCount(stats.publish?.deferred ?? 0)}</strong>`,
  )}`;
}

const OUTCOME_TEXT: Record<RunOutcome, string> = {
  succeeded: "succeeded",
  held: "held by the shrink guard",
  incomplete: "incomplete",
  retrying: "failed, retrying",
  failed: "failed",
};

/** A run's outcome as a coloured badge. */
export function outcomeBadge(outcome: RunOutcome): SafeHtml {
  return html`<span class="badge ${outcome}">${OUTCOME_TEXT[outcome]}</span>`;
}

/** What a merchant sees before anything ran: how to start the workers and schedules. */
export function noRunsYet(): SafeHtml {
  return html`<section class="panel empty" id="no-runs">
    <h2>No runs yet</h2>
    <p>
      Nothing has run since the history was kept. Figures, issues and charts appear here once a job finishes:
    </p>
    <ol>
      <li>
        Start a worker (on any machine that reaches the same Redis):
        <code>omnifeed worker --config omnifeed.config.yaml</code>
      </li>
      <li>
        Declare the schedules of <code>omnifeed.config.yaml</code>: <code>omnifeed schedule sync</code> (see
        them with <code>omnifeed schedule list</code>)
      </li>
      <li>
        Or run a job now, without waiting for its schedule: <code>omnifeed run &lt;job&gt; --wait</code>
      </li>
    </ol>
    <p class="muted">The SKU search above works already: it reads the catalog, not the runs.</p>
  </section>`;
}
