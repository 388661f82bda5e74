import type { Command } from "commander";
import { formatRowIssue } from "../../core/issues.js";
import type { RowIssue } from "../../core/issues.js";
import type { ReportedItemIssue } from "../../pipeline/build.js";
import { prepareRun } from "../../pipeline/plan.js";
import { runValidate } from "../../pipeline/validate.js";
import { withCatalogOptions } from "../common-options.js";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "../exit-codes.js";
import { CommonFlagsSchema, parseFlags, resolveCommonRun } from "../run-options.js";
import { display, formatSummary } from "../summary-text.js";

export function registerValidate(program: Command, setExit: (code: ExitCode) => void): void {
  withCatalogOptions(program.command("validate"))
    .description("check a catalog against the channels' mappings and rules without writing feeds")
    .addHelpText("after", `\nEvery row issue and item issue is printed, one per line.\n${EXIT_CODES_HELP}`)
    .action(async (raw: unknown) => {
      const flags = parseFlags(CommonFlagsSchema, raw);
      const options = await resolveCommonRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      const rows: RowIssue[] = [];
      const items: ReportedItemIssue[] = [];
      const result = await runValidate(
        run,
        { workers: options.workers, batchSize: options.batchSize },
        (rowIssues, itemIssues) => {
          if (flags.json) {
            rows.push(...rowIssues);
            items.push(...itemIssues);
            return;
          }
          for (const issue of rowIssues)
            process.stdout.write(`${formatRowIssue({ ...issue, file: display(issue.file) })}\n`);
          for (const issue of itemIssues) {
            const field = issue.field ? `${issue.field}: ` : "";
            process.stdout.write(
              `${display(issue.file)}:${issue.line}: ${issue.channel} ${issue.sku}: ${issue.severity} ${issue.code}: ${field}${issue.message}\n`,
            );
          }
        },
      );
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ clean: result.clean, summary: result.summary, rowIssues: rows, itemIssues: items }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(
          `\n${formatSummary(result.summary, { heading: "catalog", rowIssues: false })}\n`,
        );
        process.stdout.write(
          result.clean ? "\nno errors\n" : "\nerrors found: rows or items above would be left out\n",
        );
      }
      setExit(result.clean ? EXIT.ok : EXIT.inputProblems);
    });
}
