import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { checkConfigFile, type ConfigCheckReport } from "../../config/config-check.js";
import { configJsonSchema } from "../../config/config-json-schema.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";
import { display } from "../summary-text.js";

const CheckFlagsSchema = z.object({
  config: z.string().min(1).default("omnifeed.config.yaml"),
  json: z.boolean().default(false),
});
const SchemaFlagsSchema = z.object({ out: z.string().min(1).optional() });

export function registerConfig(program: Command, setExit: (code: ExitCode) => void): void {
  const config = program
    .command("config")
    .description("check omnifeed.config.yaml and generate its JSON Schema");

  config
    .command("check")
    .option("--config <file>", "the config file", "omnifeed.config.yaml")
    .option("--json", "print the result as JSON", false)
    .description(
      "report every problem of a config file with its path and file:line:col: the schema, files and " +
        "secrets it names, schedules, server auth",
    )
    .addHelpText("after", "\nExits 0 when there are no errors (warnings are printed), 2 otherwise.")
    .action(async (raw: unknown) => {
      const flags = parseFlags(CheckFlagsSchema, raw);
      const report = await checkConfigFile(resolve(flags.config));
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : checkText(report));
      setExit(report.ok ? EXIT.ok : EXIT.usage);
    });

  config
    .command("schema")
    .option("--out <file>", "write the schema to this file instead of stdout")
    .description("print the JSON Schema of omnifeed.config.yaml, for editor completion")
    .addHelpText(
      "after",
      "\nThe repository keeps it in docs/omnifeed.config.schema.json:\n" +
        "  omnifeed config schema --out docs/omnifeed.config.schema.json\n",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(SchemaFlagsSchema, raw);
      const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
      if (flags.out === undefined) {
        process.stdout.write(text);
      } else {
        const path = resolve(flags.out);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
        process.stdout.write(`wrote ${display(path)}\n`);
      }
      setExit(EXIT.ok);
    });
}

/** The report as a person reads it: compiler-style problem lines, then one line that sums up. */
export function checkText(report: ConfigCheckReport): string {
  const where = (at: string): string =>
    at.startsWith(report.file) ? `${display(report.file)}${at.slice(report.file.length)}` : at;
  const lines = report.problems.map(
    (problem) =>
      `${where(problem.where)}: ${problem.severity}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`,
  );
  const warnings = report.warnings > 0 ? `, ${plural(report.warnings, "warning")}` : "";
  if (report.ok) {
    lines.push(`ok: ${display(report.file)}: ${summaryText(report)}${warnings}`);
  } else {
    lines.push(`${display(report.file)}: ${plural(report.errors, "error")}${warnings}`);
  }
  return `${lines.join("\n")}\n`;
}

function summaryText(report: ConfigCheckReport): string {
  const summary = report.summary;
  if (!summary) return "nothing configured";
  const disabled = summary.schedules - summary.enabledSchedules;
  const parts = [
    `${plural(summary.schedules, "schedule")}${disabled > 0 ? ` (${disabled} disabled)` : ""}`,
    `${plural(summary.channels.length, "channel")}${summary.channels.length > 0 ? ` (${summary.channels.join(", ")})` : ""}`,
    `${plural(summary.accounts.length, "account")}`,
  ];
  if (summary.server) parts.push(`server with ${summary.server.auth.join(" and ") || "no"} auth`);
  return parts.join(", ");
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
