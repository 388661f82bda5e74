import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { isOmnifeedError } from "../../core/errors.js";
import type { Channel } from "../../channels/channel.js";
import { channelById, channels, descriptorOf } from "../../channels/registry.js";
import { mappingJsonSchema } from "../../mapping/json-schema.js";
import { loadMapping, mappingChannelOf } from "../../mapping/load.js";
import { MappingLoadError } from "../../mapping/problems.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";
import { display } from "../summary-text.js";

const CheckFlagsSchema = z.object({ json: z.boolean().default(false) });
const SchemaFlagsSchema = z.object({ out: z.string().min(1) });

export function registerMapping(program: Command, setExit: (code: ExitCode) => void): void {
  const mapping = program
    .command("mapping")
    .description("check mapping files and generate their JSON Schemas");

  mapping
    .command("check")
    .argument("<file>", "a mapping file (channel-mappings/*.yaml or your own)")
    .option("--json", "print the result as JSON", false)
    .description("load a mapping file the way export does and report every problem with file and line")
    .addHelpText("after", "\nExits 0 when the file loads, 2 with the problems otherwise.")
    .action((file: string, raw: unknown) => {
      const flags = parseFlags(CheckFlagsSchema, raw);
      const path = resolve(file);
      try {
        const channel = channelById(mappingChannelOf(path));
        const compiled = loadMapping(descriptorOf(channel), path);
        const feeds = compiled.feeds ?? channel.defaultFeeds;
        if (flags.json) {
          const result = {
            ok: true,
            file: path,
            channel: channel.id,
            files: compiled.files,
            fields: compiled.fieldNames,
            feeds,
          };
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          process.stdout.write(
            `ok: ${display(path)} — ${channel.title}, ${compiled.fieldNames.length} fields, feeds ${feeds.join(", ")}\n` +
              `  read from ${compiled.files.map(display).join(" ← ")}\n`,
          );
        }
        setExit(EXIT.ok);
      } catch (error) {
        // With --json the problems are an answer, not a crash: print them as JSON too.
        if (!flags.json || !isOmnifeedError(error, "config")) throw error;
        const problems =
          error instanceof MappingLoadError
            ? error.problems
            : [{ where: error.where ?? path, message: error.message }];
        process.stdout.write(`${JSON.stringify({ ok: false, file: path, problems }, null, 2)}\n`);
        setExit(EXIT.usage);
      }
    });

  mapping
    .command("schema")
    .option("--out <dir>", "where to write <channel>.schema.json", "channel-mappings/schema")
    .description("write the JSON Schema of each channel's mapping file, for editor completion")
    .action(async (raw: unknown) => {
      const flags = parseFlags(SchemaFlagsSchema, raw);
      const dir = resolve(flags.out);
      await mkdir(dir, { recursive: true });
      for (const channel of channels) {
        const schema = mappingJsonSchema({
          ...descriptorOf(channel),
          fieldDescriptions: fieldDescriptionsOf(channel),
        });
        const path = join(dir, `${channel.id}.schema.json`);
        await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
        process.stdout.write(`wrote ${display(path)}\n`);
      }
      setExit(EXIT.ok);
    });
}

function fieldDescriptionsOf(channel: Channel): Record<string, string> {
  return Object.fromEntries(channel.fields.map((field) => [field.name, field.description]));
}
