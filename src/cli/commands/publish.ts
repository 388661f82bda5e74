import type { Command } from "commander";
import { formatMoney, isMoney } from "../../core/money.js";
import type { PublishValue } from "../../core/publish.js";
import { prepareRun } from "../../pipeline/plan.js";
import type { ChannelPlan, PublishResult } from "../../pipeline/publish.js";
import type { ReconcileResult } from "../../pipeline/reconcile.js";
import type { ExecutionResult } from "../../sync/publish-executor.js";
import { withCatalogOptions } from "../common-options.js";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "../exit-codes.js";
import { createProgress } from "../progress.js";
import { PublishFlagsSchema, parseFlags, resolvePublishRun } from "../run-options.js";
import { formatSummary } from "../summary-text.js";

/** Options publish and reconcile share: where the state is, and the delete guard. */
function withStateOptions(command: Command): Command {
  return command
    .option(
      "--state <backend>",
      "where publishing state lives: embedded (one SQLite file, the default) or redis (REDIS_URL, shared by workers)",
    )
    .option(
      "--state-file <file>",
      "the embedded state file (default omnifeed-state.sqlite in output.dir of --config, else here)",
    )
    .option(
      "--workspace <name>",
      "keeps this catalog's state apart from others in one store (default: default)",
    )
    .option(
      "--max-shrink <percent>",
      "hold the deletes when they are more than this share of the items the channel holds (default 20)",
    )
    .option("--force", "send the deletes even past --max-shrink", false);
}

export function registerPublish(program: Command, setExit: (code: ExitCode) => void): void {
  withStateOptions(withCatalogOptions(program.command("publish")))
    .description(
      "send what changed in the catalog to the channels' APIs (Google Merchant API, Meta catalog batch, Amazon Listings/Feeds): creates, updates by section, deletes",
    )
    .option("--dry-run", "print the plan only: nothing is sent and the state is not changed", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  omnifeed publish --config omnifeed.config.yaml --channel google,meta,amazon --dry-run\n" +
        "  omnifeed publish --config omnifeed.config.yaml --channel amazon --force\n" +
        "Account settings (ids, endpoints, where the credentials are) come from channels.<channel>.account\n" +
        "in --config; see docs/publishing.md. `omnifeed dev simulators` starts local APIs to try it.\n" +
        EXIT_CODES_HELP,
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(PublishFlagsSchema, raw);
      const options = await resolvePublishRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      // Loaded here, not with the command tree: the API clients, SQLite and Redis stay out of
      // every other command's memory (export's peak RSS).
      const { runPublish } = await import("../../pipeline/publish.js");
      const { openPublishEnvironment } = await import("../../pipeline/publish-environment.js");
      const environment = await openPublishEnvironment(options.state);
      const progress = createProgress(process.stderr, flags.quiet || flags.json ? "off" : "auto");
      let result: PublishResult;
      try {
        result = await runPublish(run, {
          store: environment.store,
          workspace: options.state.workspace,
          dryRun: options.dryRun,
          force: options.force,
          maxShrink: options.maxShrink,
          limiterFor: environment.limiterFor,
          stockHolds: environment.stockHolds,
          workers: options.workers,
          batchSize: options.batchSize,
          onProgress: (update) => progress.update(update),
          onPlan: (plan) => {
            progress.stop();
            if (!flags.json) process.stdout.write(`${formatPlan(plan)}\n`);
          },
        });
      } finally {
        progress.stop();
        await environment.close();
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ state: environment.describe, ...result }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatPublishOutcome(result, environment.describe)}\n`);
      }
      setExit(
        result.status === "held" ? EXIT.held : result.status === "incomplete" ? EXIT.incomplete : EXIT.ok,
      );
    });

  withStateOptions(withCatalogOptions(program.command("reconcile")))
    .description(
      "compare what each channel holds with what the catalog intends: missing, orphaned, drifted, rejected items",
    )
    .option("--fix", "send the difference: create missing items, update drifted ones, delete orphans", false)
    .addHelpText(
      "after",
      "\nExits 0 when the channel is in step (or --fix sent every difference), 6 when differences were found\n" +
        "and not fixed, 4 when --fix held the orphans' deletes, 5 when some fixes failed.",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(PublishFlagsSchema, raw);
      const options = await resolvePublishRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      const { runReconcile } = await import("../../pipeline/reconcile.js");
      const { openPublishEnvironment } = await import("../../pipeline/publish-environment.js");
      const environment = await openPublishEnvironment(options.state);
      let result: ReconcileResult;
      try {
        result = await runReconcile(run, {
          store: environment.store,
          workspace: options.state.workspace,
          fix: options.fix,
          force: options.force,
          maxShrink: options.maxShrink,
          limiterFor: environment.limiterFor,
          stockHolds: environment.stockHolds,
          workers: options.workers,
          batchSize: options.batchSize,
        });
      } finally {
        await environment.close();
      }
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReconcile(result, options.fix)}\n`,
      );
      const failed = result.channels.some((channel) =>
        channel.execution ? failedCount(channel.execution) > 0 : false,
      );
      setExit(
        result.status === "held"
          ? EXIT.held
          : failed
            ? EXIT.incomplete
            : result.status === "differences" && !options.fix
              ? EXIT.differences
              : EXIT.ok,
      );
    });
}

export function formatPlan(plan: ChannelPlan): string {
  const { counts } = plan;
  const sections = Object.entries(counts.updatedSections)
    .filter(([, count]) => count > 0)
    .map(([section, count]) => `${section} ${count}`);
  const lines = [
    `${plan.channel} ${plan.account}: plan — ${counts.creates} create${plural(counts.creates)}, ` +
      `${counts.updates} update${plural(counts.updates)}${sections.length ? ` (${sections.join(", ")})` : ""}, ` +
      `${counts.deletes} delete${plural(counts.deletes)}, ${counts.unchanged} unchanged` +
      (counts.deferred > 0 ? `, ${counts.deferred} deferred by the channel's update budget` : "") +
      (counts.forgotten > 0 ? `, ${counts.forgotten} never taken by the channel forgotten` : ""),
  ];
  const { examples } = plan;
  if (examples.creates.length)
    lines.push(`  create: ${examples.creates.join(", ")}${more(examples.creates.length, counts.creates)}`);
  if (examples.updates.length)
    lines.push(
      `  update: ${examples.updates.map((update) => `${update.key} (${update.sections.join("+")})`).join(", ")}${more(examples.updates.length, counts.updates)}`,
    );
  if (examples.deletes.length)
    lines.push(`  delete: ${examples.deletes.join(", ")}${more(examples.deletes.length, counts.deletes)}`);
  if (plan.deletesHeld) {
    lines.push(
      `  HELD: ${counts.deletes} deletes of ${plan.published} published items is more than --max-shrink allows; ` +
        "not sent (check the catalog, or run with --force)",
    );
  }
  return lines.join("\n");
}

export function formatPublishOutcome(result: PublishResult, state: string): string {
  const lines = [formatSummary(result.summary, { heading: "catalog" }), ""];
  for (const channel of result.channels) {
    if (!channel.execution) {
      lines.push(`${channel.channel} ${channel.account}: dry run, nothing sent`);
      continue;
    }
    lines.push(`${channel.channel} ${channel.account}: ${formatExecution(channel.execution)}`);
    for (const reason of channel.execution.topReasons.slice(0, 5)) {
      lines.push(
        `  rejected ${reason.items} × ${reason.code}${reason.attribute ? ` (${reason.attribute})` : ""}: ${reason.message} — e.g. ${reason.examples.join(", ")}`,
      );
    }
    for (const failure of channel.execution.failures)
      lines.push(`  failed ${failure.items} × ${failure.error}`);
    if (channel.deletesHeld)
      lines.push(`  HELD: ${channel.counts.deletes} deletes not sent (--force sends them)`);
  }
  lines.push(`state ${state} · ${(result.durationMs / 1000).toFixed(1)} s`);
  return lines.join("\n");
}

function formatExecution(execution: ExecutionResult): string {
  const parts: string[] = [];
  for (const [op, counts] of Object.entries(execution.outcomes)) {
    const total = counts.accepted + counts.rejected + counts.failed;
    if (total === 0) continue;
    const detail = [`${counts.accepted} accepted`];
    if (counts.rejected > 0) detail.push(`${counts.rejected} rejected`);
    if (counts.failed > 0) detail.push(`${counts.failed} failed`);
    parts.push(`${op} ${total} (${detail.join(", ")})`);
  }
  return parts.length > 0 ? parts.join("; ") : "nothing to send";
}

function failedCount(execution: ExecutionResult): number {
  return Object.values(execution.outcomes).reduce((sum, counts) => sum + counts.failed, 0);
}

export function formatReconcile(result: ReconcileResult, fix: boolean): string {
  const lines: string[] = [];
  for (const channel of result.channels) {
    const { counts } = channel;
    lines.push(
      `${channel.channel} ${channel.account}: the channel holds ${counts.held}, the catalog intends ${counts.intended}; ` +
        `${counts.inStep} in step, ${counts.missing} missing, ${counts.orphaned} orphaned, ${counts.drifted} drifted, ${counts.rejected} rejected`,
    );
    for (const finding of channel.findings.slice(0, 50)) {
      const sku = finding.sku && finding.sku !== finding.key ? ` (SKU ${finding.sku})` : "";
      let detail = "";
      if (finding.differences) {
        detail = finding.differences
          .map(
            (difference) =>
              `${difference.field}: ours ${show(difference.ours)}, theirs ${show(difference.theirs)}`,
          )
          .join("; ");
      } else if (finding.issues) {
        detail = finding.issues.map((issue) => `${issue.code}: ${issue.message}`).join("; ");
      }
      lines.push(`  ${finding.kind.padEnd(8)} ${finding.key}${sku}${detail ? ` — ${detail}` : ""}`);
    }
    if (channel.findings.length > 50)
      lines.push(`  … ${channel.findings.length - 50} more (--json lists up to 1000 per kind)`);
    if (fix && channel.execution) lines.push(`  fixed: ${formatExecution(channel.execution)}`);
    if (channel.deletesHeld)
      lines.push(`  HELD: ${counts.orphaned} orphan deletes not sent (--force sends them)`);
  }
  lines.push(`${(result.durationMs / 1000).toFixed(1)} s`);
  return lines.join("\n");
}

function show(value: PublishValue | undefined): string {
  if (value === undefined) return "(none)";
  if (isMoney(value)) return formatMoney(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

function plural(count: number): string {
  return count === 1 ? "" : "s";
}

function more(shown: number, total: number): string {
  return total > shown ? ` … and ${total - shown} more` : "";
}
