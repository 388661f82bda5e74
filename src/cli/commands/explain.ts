import type { Command } from "commander";
import { z } from "zod";
import { formatRowIssue } from "../../core/issues.js";
import type { FieldValue } from "../../mapping/types.js";
import type { ExplainResult } from "../../pipeline/explain.js";
import { prepareRun } from "../../pipeline/plan.js";
import { withCatalogOptions } from "../common-options.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { ExplainPublishing } from "../../pipeline/explain-publishing.js";
import { explainItem, fieldText, sentChanges } from "../../pipeline/explain-view.js";
import { PublishFlagsSchema, parseFlags, resolvePublishRun } from "../run-options.js";
import { display } from "../summary-text.js";

export function registerExplain(program: Command, setExit: (code: ExitCode) => void): void {
  withCatalogOptions(program.command("explain").argument("<sku>", "the variant's SKU"))
    .description(
      "show what happens to one SKU: source row → rules that fired → output fields → issues, per channel",
    )
    .option("--state <backend>", "where publishing state lives: embedded (default) or redis (REDIS_URL)")
    .option(
      "--state-file <file>",
      "the embedded state file (default omnifeed-state.sqlite in output.dir, else here)",
    )
    .option("--workspace <name>", "the workspace the state is kept under (default: default)")
    .option("--offline", "do not read the publishing state or ask the channels' APIs", false)
    .addHelpText(
      "after",
      "\nFor channels with API account settings, also shows the last publish outcome and what the channel holds now.\n" +
        "Exits 0 when the SKU is found, 3 when it is not or its row was rejected (the row issues are shown).",
    )
    .action(async (sku: string, raw: unknown) => {
      const flags = parseFlags(PublishFlagsSchema.extend({ offline: z.boolean().default(false) }), raw);
      const options = await resolvePublishRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      const view = await explainItem(run, sku, { state: options.state, offline: flags.offline });
      const { publishing, ...result } = view;
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(view, null, 2)}\n`
          : formatExplain(result) + formatPublishing(publishing),
      );
      setExit(result.found ? EXIT.ok : EXIT.inputProblems);
    });
}

function formatPublishing(entries: readonly ExplainPublishing[]): string {
  if (entries.length === 0) return "";
  const lines = ["", "publishing:"];
  for (const entry of entries) {
    if (entry.unavailable && !entry.state) {
      lines.push(`  ${entry.channel} ${entry.key}: not read (${entry.unavailable})`);
      continue;
    }
    const state = entry.state;
    if (!state) lines.push(`  ${entry.channel} ${entry.key}: never published from this state`);
    else {
      const when = new Date(state.outcome.at).toISOString();
      lines.push(
        `  ${entry.channel} ${entry.key}: last outcome ${state.outcome.status} at ${when}` +
          (state.publishedAt > 0
            ? `, taken by the channel ${new Date(state.publishedAt).toISOString()}`
            : ", never taken by the channel") +
          (state.outcome.error ? ` — ${state.outcome.error}` : ""),
      );
      for (const issue of state.outcome.issues)
        lines.push(
          `    ${issue.severity} ${issue.code}${issue.attribute ? ` (${issue.attribute})` : ""}: ${issue.message}`,
        );
    }
    if (entry.unavailable) lines.push(`    the channel was not asked: ${entry.unavailable}`);
    else if (entry.remoteMissing) lines.push("    the channel holds nothing under this key now");
    else if (entry.remote) {
      const remote = entry.remote;
      lines.push(
        `    the channel holds it now: ${remote.status}${remote.remoteId ? ` (${remote.remoteId})` : ""}`,
      );
      for (const [field, value] of Object.entries(remote.values)) {
        lines.push(`      ${field}  ${fieldText(value as FieldValue)}`);
      }
      for (const issue of remote.issues)
        lines.push(
          `      ${issue.severity} ${issue.code}${issue.attribute ? ` (${issue.attribute})` : ""}: ${issue.message}`,
        );
    }
  }
  return `${lines.join("\n")}\n`;
}

function formatExplain(result: ExplainResult): string {
  const lines: string[] = [];
  if (!result.found || !result.source || !result.variant || !result.product) {
    const rejected = result.rejectedRow;
    lines.push(
      rejected
        ? `SKU ${result.sku}: row rejected at ${rejected.ref === undefined ? `${display(rejected.file)}:${rejected.line}` : `${rejected.file} ${rejected.ref}`}: ` +
            `${rejected.field ? `${rejected.field}: ` : ""}${rejected.message}`
        : `SKU ${result.sku} was not found in the catalog.`,
    );
    for (const issue of result.rowIssues.filter((other) => other !== rejected))
      lines.push(`  ${formatRowIssue({ ...issue, file: display(issue.file) })}`);
    return `${lines.join("\n")}\n`;
  }
  const { source, product, variant } = result;
  const at =
    source.ref === undefined ? `${display(source.file)}:${source.line}` : `${source.file} ${source.ref}`;
  lines.push(`SKU ${result.sku} — ${at} (${source.format})`);
  lines.push(`  ${source.text}`);
  for (const issue of result.rowIssues)
    lines.push(`  ${formatRowIssue({ ...issue, file: display(issue.file) })}`);
  lines.push("", `product ${JSON.stringify(product)}`, `variant ${JSON.stringify(variant)}`);
  for (const { channel, result: item, feeds } of result.channels) {
    const outcome =
      item.status === "accepted"
        ? `accepted → ${feeds.join(", ") || "(no feed selected)"}`
        : item.status === "filtered"
          ? `filtered out by ${item.excludedBy?.filter}: ${item.excludedBy?.reason}`
          : "rejected (errors below)";
    lines.push("", `${channel}: ${outcome}`);
    for (const step of item.trace ?? []) lines.push(`  ${step.kind.padEnd(10)} ${step.id}: ${step.detail}`);
    lines.push("  output:");
    const width = Math.max(...Object.keys(item.mapped).map((name) => name.length), 4);
    for (const [name, value] of Object.entries(item.mapped)) {
      if (value === undefined || value === "") continue;
      lines.push(`    ${name.padEnd(width)}  ${fieldText(value)}`);
    }
    lines.push(...formatSentChanges(item.mapped, item.item));
    if (item.issues.length === 0) lines.push("  no issues");
    for (const issue of item.issues) {
      lines.push(
        `  ${issue.severity} ${issue.code}${issue.field ? ` (${issue.field})` : ""}: ${issue.message}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function formatSentChanges(mapped: Readonly<Record<string, FieldValue>>, item: unknown): string[] {
  const lines = sentChanges(mapped, item).map(
    ({ field, sent }) =>
      `    ${field}  ${sent === undefined ? "(left out, see the issues)" : `sent as ${sent}`}`,
  );
  return lines.length > 0 ? ["  changed by the channel:", ...lines] : [];
}
