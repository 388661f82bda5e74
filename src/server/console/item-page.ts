import { basename } from "node:path";
import type { ChannelIssue } from "../../core/publish.js";
import type { RowIssue } from "../../core/issues.js";
import type { FieldValue, TraceStep } from "../../mapping/types.js";
import type { ExplainChannel } from "../../pipeline/explain.js";
import type { ExplainPublishing } from "../../pipeline/explain-publishing.js";
import type { ItemView } from "../../pipeline/explain-view.js";
import { fieldText, sentChanges } from "../../pipeline/explain-view.js";
import type { SafeHtml } from "./html.js";
import { formatTime, html } from "./html.js";

/** What the item page has to show: no search yet, no explainer configured, or a SKU's view. */
export type ItemPageState =
  | { kind: "no-search" }
  | { kind: "not-configured"; sku: string | undefined }
  | { kind: "view"; view: ItemView };

/**
 * The `explain` view of one SKU: its source row, then per channel the rules that fired, the
 * output fields, the issues, the last publish outcome and what the channel holds now.
 */
export function itemBody(state: ItemPageState): SafeHtml {
  switch (state.kind) {
    case "no-search":
      return html`<section class="panel">
        <p>
          Type a SKU in the search box at the top of the page to see what happens to it: its row in the
          catalog, the rules that fired, the fields each channel gets, its issues and what the channel holds.
        </p>
      </section>`;
    case "not-configured":
      return html`<section class="panel" id="not-configured">
        <p>
          Item search is not set up on this server: start it with the installation's config file (<code
            >omnifeed serve --config omnifeed.config.yaml</code
          >) so it knows the catalog and the channels.
        </p>
      </section>`;
    case "view":
      return viewBody(state.view);
  }
}

function viewBody(view: ItemView): SafeHtml {
  if (!view.found || !view.source) return notFound(view);
  const { source } = view;
  return html`<section class="panel" id="source">
      <h2>Source row</h2>
      <p>
        ${
          source.ref === undefined
            ? html`<strong title="${source.file}">${basename(source.file)}</strong>, line
                <span class="source-line">${source.line}</span>`
            : html`<strong>${source.file}</strong>, record <span class="source-line">${source.ref}</span>`
        }
        <span class="muted">(${source.format})</span>
      </p>
      <pre class="source-text">${source.text}</pre>
      ${rowIssuesList(view.rowIssues)}
      <details>
        <summary>The canonical product and variant</summary>
        <pre>${JSON.stringify({ product: view.product, variant: view.variant }, null, 2)}</pre>
      </details>
    </section>
    ${view.channels.map((channel) =>
      channelSection(
        channel,
        view.publishing.filter((entry) => entry.channel === channel.channel),
      ),
    )}`;
}

function notFound(view: ItemView): SafeHtml {
  const rejected = view.rejectedRow;
  if (rejected) {
    return html`<section class="panel" id="not-found">
      <h2>SKU ${view.sku} never reached the channels</h2>
      <p>
        Its row was rejected at <strong>${basename(rejected.file)}</strong> line ${rejected.line}:
        ${rejected.field ? html`<code>${rejected.field}</code>: ` : ""}${rejected.message}
      </p>
      ${rowIssuesList(view.rowIssues.filter((issue) => issue !== rejected))}
    </section>`;
  }
  return html`<section class="panel" id="not-found">
    <h2>SKU ${view.sku} is not in the catalog</h2>
    <p>
      No variant of the catalog has this SKU. SKUs are compared exactly (letters' case too): check the
      spelling, or search for another one above.
    </p>
  </section>`;
}

function rowIssuesList(issues: readonly RowIssue[]): SafeHtml {
  if (issues.length === 0) return html``;
  return html`<h3>Row issues</h3>
    <ul>
      ${issues.map(
        (issue) =>
          html`<li>
            <span class="badge ${issue.severity}">${issue.severity}</span> line
            ${issue.line}${issue.field ? html` <code>${issue.field}</code>` : ""}: ${issue.message}
          </li>`,
      )}
    </ul>`;
}

function channelSection(entry: ExplainChannel, publishing: readonly ExplainPublishing[]): SafeHtml {
  const { channel, result, feeds } = entry;
  const outcome =
    result.status === "accepted"
      ? html`goes to ${feeds.join(", ") || "no feed selected"}`
      : result.status === "filtered"
        ? html`filtered out by <code>${result.excludedBy?.filter ?? ""}</code>:
            ${result.excludedBy?.reason ?? ""}`
        : html`left out of the feeds: see the errors below`;
  const fields = Object.entries(result.mapped).filter(([, value]) => value !== undefined && value !== "");
  const changes = sentChanges(result.mapped, result.item);
  return html`<section class="panel channel" id="item-${channel}">
    <h2>${channel} <span class="badge ${result.status}">${result.status}</span></h2>
    <p>${outcome}</p>
    <h3>Rules that fired</h3>
    ${traceTable(
      "trace",
      (result.trace ?? []).filter((step) => step.kind !== "field"),
    )}
    ${fieldSteps(result.trace ?? [])}
    <h3>Output fields</h3>
    <table class="output">
      <thead>
        <tr>
          <th>field</th>
          <th>value</th>
        </tr>
      </thead>
      <tbody>
        ${fields.map(
          ([name, value]) =>
            html`<tr>
              <td><code>${name}</code></td>
              <td class="value">${fieldText(value)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      changes.length > 0
        ? html`<h3>Changed by the channel</h3>
            <ul>
              ${changes.map(
                (change) =>
                  html`<li>
                    <code>${change.field}</code>:
                    ${change.sent === undefined ? "left out (see the issues)" : html`sent as ${change.sent}`}
                  </li>`,
              )}
            </ul>`
        : ""
    }
    <h3>Issues</h3>
    ${
      result.issues.length === 0
        ? html`<p class="muted">No issues.</p>`
        : html`<ul class="issues">
            ${result.issues.map(
              (issue) =>
                html`<li>
                  <span class="badge ${issue.severity}">${issue.severity}</span> <code>${issue.code}</code>${
                    issue.field ? html` (${issue.field})` : ""
                  }:
                  ${issue.message}
                </li>`,
            )}
          </ul>`
    }
    ${publishing.map(publishingPart)}
  </section>`;
}

// Fields are filled one step each: dozens of lines, shown on demand below the rules.
function fieldSteps(trace: readonly TraceStep[]): SafeHtml {
  const steps = trace.filter((step) => step.kind === "field");
  if (steps.length === 0) return html``;
  return html`<details>
    <summary>How each field was filled (${steps.length} steps)</summary>
    ${traceTable("field-steps", steps)}
  </details>`;
}

function traceTable(name: string, steps: readonly TraceStep[]): SafeHtml {
  if (steps.length === 0) return html`<p class="muted">None.</p>`;
  return html`<table class="${name}">
    <thead>
      <tr>
        <th>step</th>
        <th>name</th>
        <th>what it did</th>
      </tr>
    </thead>
    <tbody>
      ${steps.map(
        (step) =>
          html`<tr>
            <td>${step.kind}</td>
            <td><code>${step.id}</code></td>
            <td>${step.detail}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function publishingPart(entry: ExplainPublishing): SafeHtml {
  const state = entry.state;
  const last = state
    ? html`<p>
          Last outcome <span class="badge ${state.outcome.status}">${state.outcome.status}</span> at
          ${formatTime(state.outcome.at)};
          ${
            state.publishedAt > 0
              ? `taken by the channel ${formatTime(state.publishedAt)}`
              : "never taken by the channel"
          }${state.outcome.error ? html` — ${state.outcome.error}` : ""}.
        </p>
        ${channelIssues(state.outcome.issues)}`
    : entry.unavailable
      ? html``
      : html`<p class="muted">Never published from this state.</p>`;
  const remote = entry.remote;
  const held = entry.unavailable
    ? html`<p class="muted">The channel was not asked: ${entry.unavailable}</p>`
    : entry.remoteMissing
      ? html`<p>The channel holds nothing under this key now.</p>`
      : remote
        ? html`<p>
              The channel holds it now: <span class="badge ${remote.status}">${remote.status}</span>${
                remote.remoteId ? html` <span class="muted">(${remote.remoteId})</span>` : ""
              }
            </p>
            <table class="remote">
              <thead>
                <tr>
                  <th>field</th>
                  <th>value</th>
                </tr>
              </thead>
              <tbody>
                ${Object.entries(remote.values).map(
                  ([field, value]) =>
                    html`<tr>
                      <td><code>${field}</code></td>
                      <td>${fieldText(value as FieldValue)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${channelIssues(remote.issues)}`
        : html``;
  return html`<div class="publishing">
    <h3>
      Publishing <span class="muted">(key <code>${entry.key}</code>)</span>
    </h3>
    ${last}${held}
  </div>`;
}

function channelIssues(issues: readonly ChannelIssue[]): SafeHtml {
  if (issues.length === 0) return html``;
  return html`<ul>
    ${issues.map(
      (issue) =>
        html`<li>
          <span class="badge ${issue.severity === "info" ? "filtered" : issue.severity}"
            >${issue.severity}</span
          >
          <code>${issue.code}</code>${issue.attribute ? html` (${issue.attribute})` : ""}: ${issue.message}
        </li>`,
    )}
  </ul>`;
}
