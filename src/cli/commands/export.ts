import type { Command } from "commander";
import { EXIT, EXIT_CODES_HELP, type ExitCode } from "../exit-codes.js";
import { createProgress } from "../progress.js";
import { ExportFlagsSchema, parseFlags, resolveExportRun } from "../run-options.js";
import { display, formatSummary } from "../summary-text.js";
import { withCatalogOptions } from "../common-options.js";
import { prepareRun } from "../../pipeline/plan.js";
import { runExport } from "../../pipeline/export.js";

export function registerExport(program: Command, setExit: (code: ExitCode) => void): void {
  withCatalogOptions(program.command("export"))
    .description("read a catalog and write validated feed files for the chosen channels")
    .option("--out <dir>", "output directory for the feeds")
    .option(
      "--feeds <list>",
      "the feeds to write, any of the chosen channels' (not only those the mapping lists), e.g. google-xml,google-tsv",
    )
    .option("--gzip", "write .gz feed files")
    .option(
      "--max-shrink <percent>",
      "hold a feed whose item count fell by more than this against the published one (default 20)",
    )
    .option(
      "--force",
      "publish even a feed the shrink guard would hold, or whose published file cannot be counted",
      false,
    )
    .option(
      "--allow-empty",
      "publish a feed with no entries (otherwise it writes no file and the published one stays)",
    )
    .option("--strict", "publish nothing and exit 3 when any row or item has an error", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  omnifeed export --catalog catalog.csv --channel google,meta --out ./out\n" +
        "  omnifeed export --catalog catalog.csv --channel google,meta,amazon --set amazon.seller_id=A1EXAMPLE --out ./out\n" +
        "  omnifeed export --config omnifeed.config.yaml --catalog shopify --channel google,meta --out ./out\n" +
        "A store catalog (--catalog shopify|woocommerce, connection in stores.<name>) is spooled under\n" +
        "<out>/.omnifeed-spool: an interrupted read resumes from its last checkpoint (--from-start: not).\n" +
        "Account settings (the Amazon seller id) come from --set or channels.<channel>.account in --config.\n" +
        EXIT_CODES_HELP,
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(ExportFlagsSchema, raw);
      const options = await resolveExportRun(flags);
      const run = await prepareRun(options.catalog, options.channels, options.feeds);
      const progress = createProgress(process.stderr, flags.quiet || flags.json ? "off" : "auto");
      const result = await runExport(run, {
        outDir: options.outDir,
        gzip: options.gzip,
        maxShrink: options.maxShrink,
        force: options.force,
        allowEmpty: options.allowEmpty,
        strict: options.strict,
        workers: options.workers,
        batchSize: options.batchSize,
        onProgress: (update) => progress.update(update),
      }).finally(() => progress.stop());

      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatSummary(result.summary, { heading: "catalog" })}\n\n`);
        if (result.status === "strict_failed") {
          process.stdout.write("--strict: errors found, nothing was published\n");
        }
        process.stdout.write(
          `report ${display(result.reportFile)} · every issue ${display(result.issuesFile)} · ${(result.durationMs / 1000).toFixed(1)} s\n`,
        );
      }
      setExit(
        result.status === "strict_failed"
          ? EXIT.inputProblems
          : result.status === "held"
            ? EXIT.held
            : EXIT.ok,
      );
    });
}
