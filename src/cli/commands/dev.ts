import type { Command } from "commander";
import { z } from "zod";
import { GENERATED_FORMATS, writeGeneratedCatalog } from "../../dev/write-generated-catalog.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";
import { display } from "../summary-text.js";

const GenCatalogFlagsSchema = z.object({
  variants: z.coerce.number().int().min(1).max(100_000_000),
  seed: z.coerce.number().int().min(0).default(42),
  format: z.enum(GENERATED_FORMATS).default("csv"),
  out: z.string().optional(),
});

export function registerDev(program: Command, setExit: (code: ExitCode) => void): void {
  const dev = program.command("dev").description("tools for developers: synthetic catalogs for benchmarks");
  dev
    .command("gen-catalog")
    .description(
      "write a deterministic synthetic catalog (grouped variants, HTML, Unicode, 5 stores, some bad rows)",
    )
    .requiredOption("--variants <n>", "number of variants")
    .option("--seed <n>", "the same seed gives the same file", "42")
    .option("--format <format>", `one of ${GENERATED_FORMATS.join(", ")}`, "csv")
    .option("--out <file>", "output file (stdout when absent)")
    .action(async (raw: unknown) => {
      const flags = parseFlags(GenCatalogFlagsSchema, raw);
      const started = performance.now();
      const written = await writeGeneratedCatalog(flags);
      if (flags.out) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stderr.write(
          `wrote ${display(flags.out)}: ${written.products} products, ${written.variants} variants (${flags.format}, seed ${flags.seed}) in ${seconds} s\n`,
        );
      }
      setExit(EXIT.ok);
    });
}
