import type { ChannelRunStats, RunRecord } from "../../sync/run-history.js";
import type { StatusBar } from "./chart-svg.js";
import { statusChartSvg } from "./chart-svg.js";
import type { SafeHtml } from "./html.js";
import { formatCount, formatTime, html, itemHref } from "./html.js";
import { noRunsYet, outcomeBadge } from "./runs-page.js";

/** Runs drawn in each channel's chart. */
export const CHART_RUNS = 12;
const TOP_ISSUES = 5;

/** A channel's figures in one run, with the run they come from. */
interface ChannelFigures {
  run: RunRecord;
  stats: ChannelRunStats;
}

/**
 * The overview: per channel, the figures of its latest finished run (accepted, rejected, filtered,
 * with the change since the run before), its top issues and a chart of the last runs. `runs` are
 * newest first, every job mixed.
 */
export function overviewBody(runs: readonly RunRecord[]): SafeHtml {
  const latest = runs[0];
  if (!latest) return noRunsYet();
  const channels = [...new Set(runs.flatMap((run) => run.channels.map((stats) => stats.channel)))].sort();
  const sections = channels.map((channel) => channelSection(channel, figuresOf(runs, channel)));
  return html`<section class="panel" aria-label="Latest run">
      <p>
        Latest run: <strong>${latest.job}</strong> (${latest.kind}) ${outcomeBadge(latest.outcome)} finished
        ${formatTime(latest.finishedAt)}${latest.summary ? html` — ${latest.summary}` : ""}.
        <a href="/console/runs">All runs</a>
      </p>
    </section>
    ${sections.length > 0 ? sections : html`<section class="panel"><p>No run has reported channel figures yet.</p></section>`}`;
}

/**
 * The runs that carry figures for `channel`, newest first. A failed or retried attempt stopped
 * part-way: its counts would read as a catalog that shrank, so it is left out of figures and trends.
 */
export function figuresOf(runs: readonly RunRecord[], channel: string): ChannelFigures[] {
  return runs.flatMap((run) => {
    if (run.outcome === "failed" || run.outcome === "retrying") return [];
    const stats = run.channels.find((entry) => entry.channel === channel);
    return stats ? [{ run, stats }] : [];
  });
}

function channelSection(channel: string, figures: readonly ChannelFigures[]): SafeHtml {
  const [latest, previous] = figures;
  if (!latest) {
    return html`<section class="panel channel" id="channel-${channel}">
      <h2>${channel}</h2>
      <p class="muted">Only failed runs so far: no figures yet.</p>
    </section>`;
  }
  const { stats, run } = latest;
  const bars: StatusBar[] = figures
    .slice(0, CHART_RUNS)
    .reverse()
    .map(({ run: barRun, stats: barStats }) => {
      const moment = formatTime(barRun.startedAt);
      return {
        label: [moment.slice(5, 10), moment.slice(11, 16)],
        describe: `${barRun.job}, ${moment}`,
        counts: { accepted: barStats.accepted, rejected: barStats.rejected, filtered: barStats.filtered },
      };
    });
  return html`<section
    class="panel channel"
    id="channel-${channel}"
    aria-labelledby="channel-${channel}-heading"
  >
    <h2 id="channel-${channel}-heading">${channel}</h2>
    <p class="muted">
      From run <strong>${run.job}</strong> of ${formatTime(run.startedAt)}; ${formatCount(stats.read)} items
      read${stats.warned > 0 ? `, ${formatCount(stats.warned)} accepted with warnings` : ""}.${
        previous ? html` Changes since the run of ${formatTime(previous.run.startedAt)}.` : ""
      }
    </p>
    <div class="figures">
      ${figure("accepted", stats.accepted, previous?.stats.accepted, "up")}
      ${figure("rejected", stats.rejected, previous?.stats.rejected, "down")}
      ${figure("filtered", stats.filtered, previous?.stats.filtered, undefined)}
    </div>
    ${publishLine(stats)}
    <h3>Top issues</h3>
    ${issuesTable(stats)}
    <h3>Items by status, last ${formatCount(bars.length)} run${bars.length === 1 ? "" : "s"}</h3>
    ${statusChartSvg({ id: `chart-${channel}`, title: `${channel}: items by status per run`, bars })}
  </section>`;
}

/** One big number with its trend; `better` says which way is good news (none: neither). */
function figure(
  status: "accepted" | "rejected" | "filtered",
  value: number,
  before: number | undefined,
  better: "up" | "down" | undefined,
): SafeHtml {
  return html`<div class="figure ${status}" data-status="${status}">
    <div class="label">${status}</div>
    <div class="value"><span class="count">${formatCount(value)}</span>${trend(value, before, better)}</div>
  </div>`;
}

/** "▲ +12" / "▼ −3" / "= 0" against the previous run; nothing on the first run. */
export function trend(
  value: number,
  before: number | undefined,
  better: "up" | "down" | undefined,
): SafeHtml {
  if (before === undefined) return html`<span class="trend same">first run</span>`;
  const difference = value - before;
  if (difference === 0) {
    return html`<span class="trend same" title="no change since the previous run">= 0</span>`;
  }
  const direction = difference > 0 ? "up" : "down";
  const tone = better === undefined ? "same" : better === direction ? "good" : "bad";
  const text = difference > 0 ? `▲ +${formatCount(difference)}` : `▼ −${formatCount(Math.abs(difference))}`;
  const spoken = `${direction} ${formatCount(Math.abs(difference))} since the previous run`;
  return html`<span class="trend ${tone} ${direction}" title="${spoken}" aria-label="${spoken}"
    >${text}</span
  >`;
}

function publishLine(stats: ChannelRunStats): SafeHtml {
  const publish = stats.publish;
  if (!publish) return html``;
  const parts = [
    `${formatCount(publish.created)} created`,
    `${formatCount(publish.updated)} updated`,
    `${formatCount(publish.deleted)} deleted`,
    `${formatCount(publish.unchanged)} unchanged`,
    `${formatCount(publish.rejected)} refused by the channel`,
    `${formatCount(publish.failed)} not answered`,
    `${formatCount(publish.deferred)} deferred by the update budget`,
  ];
  const reasons = publish.topReasons.slice(0, 3);
  return html`<p>
      <strong>Published:</strong> ${parts.join(" · ")}${
        publish.deletesHeld ? html` · <span class="badge held">deletes held</span>` : ""
      }
    </p>
    ${
      reasons.length > 0
        ? html`<p class="muted">
            Refused most often:
            ${reasons.map(
              (reason, index) =>
                html`${index > 0 ? "; " : ""}${reason.reason} (${formatCount(reason.count)})`,
            )}
          </p>`
        : ""
    }`;
}

function issuesTable(stats: ChannelRunStats): SafeHtml {
  const issues = stats.issues.slice(0, TOP_ISSUES);
  if (issues.length === 0) return html`<p class="muted">No issues in this run.</p>`;
  const rows = issues.map(
    (issue) =>
      html`<tr class="issue">
        <td><span class="badge ${issue.severity}">${issue.severity}</span></td>
        <td>
          <code>${issue.code}</code>${issue.field ? html` <span class="muted">(${issue.field})</span>` : ""}
        </td>
        <td class="num">${formatCount(issue.count)}</td>
        <td>${issue.examples[0]?.message ?? ""}</td>
        <td>
          ${issue.examples.map(
            (example, index) =>
              html`${index > 0 ? ", " : ""}<a href="${itemHref(example.sku)}">${example.sku}</a>`,
          )}
        </td>
      </tr>`,
  );
  const more = stats.issues.length - issues.length;
  return html`<table class="issues">
      <thead>
        <tr>
          <th>severity</th>
          <th>issue</th>
          <th class="num">items</th>
          <th>for example</th>
          <th>example SKUs</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${more > 0 ? html`<p class="muted">… and ${formatCount(more)} more kinds of issue.</p>` : ""}`;
}
