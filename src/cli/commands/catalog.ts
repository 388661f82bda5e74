import type { Command } from "commander";
import { checkCatalog } from "../../pipeline/catalog-check.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { CommonFlagsSchema, parseFlags, resolveCatalogRequest } from "../run-options.js";
import { display } from "../summary-text.js";

export function registerCatalog(program: Command, setExit: (code: ExitCode) => void): void {
  const catalog = program
    .command("catalog")
    .description("the catalog's source: a file or the merchant's store");

  catalog
    .command("check")
    .description(
      "test that the catalog can be read: one cheap call to the store (connection and credentials), " +
        "or the file's format and first records",
    )
    .option("--config <file>", "omnifeed.config.yaml with catalog and stores")
    .option(
      "--catalog <file|store>",
      "a catalog file, or shopify / woocommerce for the store of stores.<name> in --config",
    )
    .option("--json", "print the result as JSON", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  omnifeed catalog check --config omnifeed.config.yaml                 # catalog.file or catalog.store\n" +
        "  omnifeed catalog check --config omnifeed.config.yaml --catalog shopify\n" +
        "Exits 0 when the catalog can be read, 2 when it cannot (settings, credentials, an unreachable store).\n",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(CommonFlagsSchema, raw);
      const result = await checkCatalog(await resolveCatalogRequest(flags));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const target = result.kind === "file" ? display(result.target) : result.target;
        process.stdout.write(
          `${result.ok ? "ok" : "FAILED"} ${result.format}: ${target}: ${result.detail}\n`,
        );
      }
      setExit(result.ok ? EXIT.ok : EXIT.usage);
    });
}
