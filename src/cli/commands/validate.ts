import type { Command } from "commander";
import { z } from "zod";
import type { RateLimit, RateLimiter } from "../../infra/rate-limit.js";
import { formatRowIssue } from "../../core/issues.js";
import { prepareRun } from "../../pipeline/plan.js";
import { runValidate } from "../../pipeline/validate.js";
import { withCatalogOptions } from "../common-options.js";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "../exit-codes.js";
import { CommonFlagsSchema, parseFlags, resolveCommonRun } from "../run-options.js";
import { display, formatSummary } from "../summary-text.js";

export function registerValidate(program: Command, setExit: (code: ExitCode) => void): void {
  withCatalogOptions(program.command("validate"))
    .description("check a catalog against the channels' mappings and rules without writing feeds")
    .option(
      "--remote",
      "also ask the channel's own check for every accepted item where its API has one (Amazon VALIDATION_PREVIEW); needs the account settings",
      false,
    )
    .addHelpText(
      "after",
      `\nEvery row issue and item issue is printed, one per line, as the catalog is read; with --json,\none JSON object per line ({"kind":"row"|"item",…}), then {"kind":"summary",…}.\n${EXIT_CODES_HELP}`,
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(CommonFlagsSchema.extend({ remote: z.boolean().default(false) }), raw);
      const options = await resolveCommonRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      const limiters = new Map<string, RateLimiter>();
      const { createRateLimiter } = await import("../../infra/rate-limiters.js");
      const remote = flags.remote
        ? {
            limiterFor: (key: string, limit: RateLimit) => {
              const limiter = limiters.get(key) ?? createRateLimiter({ key, limit });
              limiters.set(key, limiter);
              return limiter;
            },
          }
        : undefined;
      const result = await runValidate(
        run,
        { workers: options.workers, batchSize: options.batchSize },
        async (rowIssues, itemIssues) => {
          let text = "";
          if (flags.json) {
            for (const issue of rowIssues) text += `${JSON.stringify({ kind: "row", ...issue })}\n`;
            for (const issue of itemIssues) text += `${JSON.stringify({ kind: "item", ...issue })}\n`;
          } else {
            for (const issue of rowIssues)
              text += `${formatRowIssue({ ...issue, file: display(issue.file) })}\n`;
            for (const issue of itemIssues) {
              const field = issue.field ? `${issue.field}: ` : "";
              const lines = issue.lines ? issue.lines.join(", ") : issue.line;
              const at =
                issue.ref === undefined ? `${display(issue.file)}:${lines}` : `${issue.file} ${issue.ref}`;
              text += `${at}: ${issue.channel} ${issue.sku}: ${issue.severity} ${issue.code}: ${field}${issue.message}\n`;
            }
          }
          // A million-row catalog can have many issues: write them as they come, at the reader's pace.
          // A closed stdout (`| head`) ends the waiting, not the run: its error is main.ts's to ignore.
          if (text && !process.stdout.destroyed && !process.stdout.write(text)) await drainedOrClosed();
        },
        remote,
      );
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ kind: "summary", clean: result.clean, ...result.summary, ...(result.remote ? { remote: result.remote, notCheckedRemotely: result.notCheckedRemotely } : {}) })}\n`,
        );
      } else {
        process.stdout.write(
          `\n${formatSummary(result.summary, { heading: "catalog", rowIssues: false })}\n`,
        );
        for (const { channel, checked, refused } of result.remote ?? []) {
          process.stdout.write(`\n${channel}'s own check: ${checked} items asked, ${refused} refused\n`);
        }
        if (result.notCheckedRemotely?.length) {
          process.stdout.write(
            `not checked by the channel (its API has no check without applying): ${result.notCheckedRemotely.join(", ")}\n`,
          );
        }
        process.stdout.write(
          result.clean ? "\nno errors\n" : "\nerrors found: rows or items above would be left out\n",
        );
      }
      setExit(result.clean ? EXIT.ok : EXIT.inputProblems);
    });
}

/** Resolves when stdout drains, fails or closes, whichever comes first. */
function drainedOrClosed(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdout.off("drain", done).off("error", done).off("close", done);
      resolve();
    };
    process.stdout.once("drain", done).once("error", done).once("close", done);
  });
}
