import { Command, CommanderError } from "commander";
import { isOmnifeedError } from "../core/errors.js";
import { registerDev } from "./commands/dev.js";
import { registerExplain } from "./commands/explain.js";
import { registerExport } from "./commands/export.js";
import { registerMapping } from "./commands/mapping.js";
import { registerValidate } from "./commands/validate.js";
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
  registerExport(program, setExit);
  registerValidate(program, setExit);
  registerExplain(program, setExit);
  registerMapping(program, setExit);
  registerDev(program, setExit);
  return program;
}

export async function run(argv: string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
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
  }
}
