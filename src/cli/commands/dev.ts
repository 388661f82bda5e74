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

const SimulatorFlagsSchema = z.object({
  host: z.string().default("127.0.0.1"),
  port: z.coerce.number().int().min(1).max(65_531).optional(),
  rateLimit: z
    .string()
    .regex(/^\d+(\.\d+)?(\/\d+)?$/, "calls per second, optionally /burst: 10 or 10/5")
    .optional(),
  processingMs: z.coerce.number().int().min(0).optional(),
  writeConfig: z.string().optional(),
});

export function registerDev(program: Command, setExit: (code: ExitCode) => void): void {
  const dev = program
    .command("dev")
    .description(
      "tools for developers: synthetic catalogs for benchmarks, local simulators of the channels' APIs",
    );
  dev
    .command("simulators")
    .description(
      "run local simulators of the Google Merchant API, Meta Graph catalog batch API, Amazon SP-API (Listings, Feeds, LWA), and of a Shopify and a WooCommerce store (Admin GraphQL, REST v3) until Ctrl-C",
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--port <n>",
      "port of the Google simulator; Meta, Amazon (listings and orders), Shopify, WooCommerce and eBay take the next five (default 8641-8646)",
    )
    .option(
      "--rate-limit <n[/burst]>",
      "calls per second each simulator allows before answering 429 (default none)",
    )
    .option("--processing-ms <n>", "how long batches, feeds and products take to process")
    .option(
      "--write-config <file>",
      "write an omnifeed.config.yaml for the demo catalog that publishes to these simulators and reads orders from the marketplace ones (secrets in files beside it)",
    )
    .addHelpText(
      "after",
      "\nExample:\n" +
        "  omnifeed dev simulators --write-config out/simulators.config.yaml &\n" +
        "  omnifeed publish --config out/simulators.config.yaml --channel google,meta,amazon\n",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(SimulatorFlagsSchema, raw);
      const { simulatorInstructions, startSimulators } =
        await import("../../dev/simulators/run-simulators.js");
      const { writeDemoSimulatorConfig } = await import("../simulator-config.js");
      const [perSecond, burst] = (flags.rateLimit ?? "").split("/").map(Number);
      const simulators = await startSimulators({
        host: flags.host,
        basePort: flags.port,
        rateLimit: perSecond ? { perSecond, burst: burst || Math.max(1, Math.ceil(perSecond)) } : undefined,
        processingDelayMs: flags.processingMs,
      });
      process.stdout.write(`${simulatorInstructions(simulators)}\n`);
      if (flags.writeConfig) {
        const written = await writeDemoSimulatorConfig(flags.writeConfig, simulators);
        process.stdout.write(
          `\nwrote ${display(written)}: omnifeed publish --config ${display(written)} --channel google,meta,amazon\n`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await Promise.all(simulators.map((simulator) => simulator.close()));
      setExit(EXIT.ok);
    });
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
