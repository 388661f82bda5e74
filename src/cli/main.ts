import { basename } from "node:path";
import { Command, CommanderError } from "commander";
import { isOmnifeedError } from "../core/errors.js";
import { removeOwnTempFiles } from "../feeds/temp-file.js";
import { registerCatalog } from "./commands/catalog.js";
import { registerConfig } from "./commands/config.js";
import { registerDemo } from "./commands/demo.js";
import { registerDev } from "./commands/dev.js";
import { registerExplain } from "./commands/explain.js";
import { registerExport } from "./commands/export.js";
import { registerMapping } from "./commands/mapping.js";
import { registerPublish } from "./commands/publish.js";
import { registerValidate } from "./commands/validate.js";
import { registerJobs } from "./commands/jobs.js";
import { registerServe } from "./commands/serve.js";
import { registerStock } from "./commands/stock.js";
import { registerTracking } from "./commands/tracking.js";
import { registerOrders } from "./commands/orders.js";
import { signalOwner } from "./signal-owner.js";
import { EXIT, EXIT_CODES_HELP, exitCodeForKind, type ExitCode } from "./exit-codes.js";

/** Builds the command tree; `run` parses argv and turns the outcome into an exit code. */
export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command("omnifeed")
    .description(
      "Product feeds for Google, Meta and Amazon from one catalog: mapped, validated, published safely.",
    )
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  registerDemo(program, setExit);
  registerExport(program, setExit);
  registerValidate(program, setExit);
  registerPublish(program, setExit);
  registerExplain(program, setExit);
  registerMapping(program, setExit);
  registerJobs(program, setExit);
  registerServe(program, setExit);
  registerOrders(program, setExit);
  registerTracking(program, setExit);
  registerStock(program, setExit);
  registerConfig(program, setExit);
  registerCatalog(program, setExit);
  registerDev(program, setExit);
  return program;
}

export async function run(argv: string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  ignoreClosedOutput();
  const stopOnSignals = handleSignals();
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    // A run stopped by a signal fails on its way down; the signal handler tells and exits.
    if (stopping) return await stopping;
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isOmnifeedError(error)) {
      process.stderr.write(`omnifeed: ${error.message}\n`);
      return exitCodeForKind(error.kind);
    }
    process.stderr.write(
      `omnifeed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failure;
  } finally {
    stopOnSignals();
  }
}

/**
 * `omnifeed export … | head -2` closes stdout while the build goes on. What is printed is a
 * courtesy; the feeds are the work. A write error on stdout or stderr (EPIPE) is therefore ignored,
 * so it neither aborts the build nor changes the exit code.
 */
function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") === 0) stream.on("error", () => undefined);
  }
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
let stopping: Promise<never> | undefined;

/**
 * Ctrl-C or a CI timeout stops the run at once: this run's temp files (up to a feed's size each,
 * possibly in a web-served folder) are removed, the published files stay as they are, and the
 * exit code is 128 + the signal number. Worker threads end with the process.
 */
function handleSignals(): () => void {
  const onSignal = (signal: keyof typeof SIGNAL_EXIT): void => {
    const owner = signalOwner();
    if (owner) {
      owner(signal);
      return;
    }
    stopping ??= stop(signal);
  };
  const stop = async (signal: keyof typeof SIGNAL_EXIT): Promise<never> => {
    const { removed, committed } = await removeOwnTempFiles();
    const kept =
      committed.length === 0
        ? "the published feeds were not changed"
        : `already published before the stop: ${committed.map((path) => basename(path)).join(", ")}`;
    try {
      process.stderr.write(
        `omnifeed: stopped by ${signal}; removed ${removed} temp file${removed === 1 ? "" : "s"} of this run; ${kept}\n`,
      );
    } catch {
      // stderr may be closed too; the exit code still tells.
    }
    return process.exit(SIGNAL_EXIT[signal]);
  };
  const onInt = (): void => onSignal("SIGINT");
  const onTerm = (): void => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}
